"""Prometheus metrics: recorded by every worker, aggregated by the supervisor for ``/metrics``.

Workers run prometheus_client in multiprocess mode: the supervisor points
``PROMETHEUS_MULTIPROC_DIR`` at a private temporary directory before it starts them, each
worker's observer (:mod:`authgate.admin.request_metrics`) writes its counters to
memory-mapped files there, and :func:`render_metrics` (in the supervisor) sums the files of
every worker, alive or dead, and adds the supervisor's own counters (configuration
reloads, worker restarts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

__all__ = ["CONTENT_TYPE", "SupervisorCounters", "render_metrics"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass
class SupervisorCounters:
    """What the supervisor itself counts; exported next to the workers' metrics."""

    reloads_success: int = 0
    reloads_failure: int = 0
    worker_restarts: int = 0
    workers_ready: int = 0


class _SupervisorCollector:
    def __init__(self, counters: Callable[[], SupervisorCounters]) -> None:
        self._counters = counters

    def collect(self) -> Iterator[Any]:
        counters = self._counters()
        reloads = CounterMetricFamily(
            "authgate_config_reloads",
            "Configuration reloads (SIGHUP or POST /config), by result.",
            labels=["result"],
        )
        reloads.add_metric(["success"], counters.reloads_success)
        reloads.add_metric(["failure"], counters.reloads_failure)
        yield reloads
        yield CounterMetricFamily(
            "authgate_worker_restarts",
            "Worker processes restarted after they died.",
            value=counters.worker_restarts,
        )
        yield GaugeMetricFamily(
            "authgate_workers_ready", "Worker processes serving now.", value=counters.workers_ready
        )


def render_metrics(
    directory: str, counters: Callable[[], SupervisorCounters], extra: Iterable[Any] = ()
) -> bytes:
    """The Prometheus text exposition of every worker's metrics plus the supervisor's (and
    ``extra`` collectors')."""
    registry = CollectorRegistry(auto_describe=False)
    MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    registry.register(_SupervisorCollector(counters))
    for collector in extra:
        registry.register(collector)
    data: bytes = generate_latest(registry)
    return data
