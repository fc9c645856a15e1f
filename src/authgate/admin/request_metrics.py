"""The workers' side of the metrics: an observer tallying requests, flushed in batches.

Each worker counts requests by service, route and status and records two latency
histograms, in prometheus_client's multiprocess mode (see :mod:`authgate.admin.metrics`).
Writing the memory-mapped values costs about a microsecond per value, so the observer
tallies in plain Python and adds the tallies to the metrics at most every
:data:`FLUSH_SECONDS` (and when the worker stops): the hot path is one dict lookup, two
bisections and a few integer additions. ``/metrics`` lags by up to that interval, and a
worker killed with SIGKILL loses at most that interval's counts.
"""

from __future__ import annotations

import os
from bisect import bisect_left
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, values

from authgate.plugins.access_record import AccessRecord
from authgate.proxy.observe.access_log import BatchingObserver

__all__ = ["FLUSH_SECONDS", "LATENCY_BUCKETS_MS", "RequestMetrics", "pin_process_id"]

FLUSH_SECONDS = 0.1
LATENCY_BUCKETS_MS = (
    0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000,
)  # fmt: skip
_BOUNDS = (*map(float, LATENCY_BUCKETS_MS), float("inf"))


def pin_process_id() -> None:
    """Let multiprocess-mode metrics use this process's pid without asking the kernel again.

    prometheus_client calls ``os.getpid()`` (a system call) on every increment to notice a
    fork; workers never fork, so the pid is read once. Call before creating any metric,
    and only when ``PROMETHEUS_MULTIPROC_DIR`` is set.
    """
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        pid = os.getpid()
        values.ValueClass = values.MultiProcessValue(  # type: ignore[no-untyped-call]
            process_identifier=lambda: pid
        )


class _Tally:
    """Requests of one (service, route, status) since the last flush."""

    __slots__ = ("count", "latency", "latency_sum", "upstream", "upstream_sum")

    def __init__(self) -> None:
        self.count = 0
        self.latency_sum = 0.0
        self.latency = [0] * len(_BOUNDS)
        self.upstream_sum = 0.0
        self.upstream = [0] * len(_BOUNDS)


def _add_to_histogram(child: Any, total: float, buckets: list[int]) -> None:
    # prometheus_client has no public "observe many"; its histogram child keeps one value
    # per bucket and one for the sum, which is what observe() itself increments.
    child._sum.inc(total)
    for index, count in enumerate(buckets):
        if count:
            child._buckets[index].inc(count)


class RequestMetrics(BatchingObserver):
    """Observer for ``authgate_http_requests_total`` and the latency histograms."""

    def __init__(
        self, registry: CollectorRegistry | None = None, flush_seconds: float = FLUSH_SECONDS
    ) -> None:
        super().__init__(flush_seconds)
        registry = registry if registry is not None else CollectorRegistry()
        self._requests = Counter(
            "authgate_http_requests",
            "HTTP requests handled by the gateway, by service, route and status code.",
            ["service", "route", "code"],
            registry=registry,
        )
        self._latency = Histogram(
            "authgate_request_latency_ms",
            "Time from the first request byte to the last response byte, in milliseconds.",
            ["service", "route"],
            buckets=LATENCY_BUCKETS_MS,
            registry=registry,
        )
        self._upstream_latency = Histogram(
            "authgate_upstream_latency_ms",
            "Time the upstream took to send its response headers, in milliseconds.",
            ["service", "route"],
            buckets=LATENCY_BUCKETS_MS,
            registry=registry,
        )
        self._upstream_errors = Counter(
            "authgate_upstream_errors",
            "Requests whose upstream could not be reached or failed, by service and kind.",
            ["service", "kind"],
            registry=registry,
        )
        self._tallies: dict[tuple[str, str, int], _Tally] = {}
        self._errors: dict[tuple[str, str], int] = {}

    def __call__(self, record: AccessRecord) -> None:
        key = (
            record.service_name or record.service_id or "",
            record.route_name or record.route_id or "",
            record.status,
        )
        tally = self._tallies.get(key)
        if tally is None:
            tally = self._tallies[key] = _Tally()
        tally.count += 1
        latency = record.latency_ms
        tally.latency_sum += latency
        tally.latency[bisect_left(_BOUNDS, latency)] += 1
        upstream = record.upstream_latency_ms
        if upstream is not None:
            tally.upstream_sum += upstream
            tally.upstream[bisect_left(_BOUNDS, upstream)] += 1
        if record.upstream_error is not None:
            error_key = (key[0], record.upstream_error)
            self._errors[error_key] = self._errors.get(error_key, 0) + 1
        if not self._scheduled:
            self._schedule()

    def flush(self) -> None:
        """Add everything tallied so far to the (shared, memory-mapped) metrics."""
        self._scheduled = False
        tallies, self._tallies = self._tallies, {}
        errors, self._errors = self._errors, {}
        for (service, route, code), tally in tallies.items():
            self._requests.labels(service, route, str(code)).inc(tally.count)
            _add_to_histogram(
                self._latency.labels(service, route), tally.latency_sum, tally.latency
            )
            if any(tally.upstream):
                _add_to_histogram(
                    self._upstream_latency.labels(service, route),
                    tally.upstream_sum,
                    tally.upstream,
                )
        for (service, kind), count in errors.items():
            self._upstream_errors.labels(service, kind).inc(count)
