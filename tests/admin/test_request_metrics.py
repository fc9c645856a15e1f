"""The batched metrics observer exports exactly what one observe() per request would."""

from __future__ import annotations

import asyncio

from prometheus_client import CollectorRegistry, Histogram, generate_latest

from authgate.admin.request_metrics import LATENCY_BUCKETS_MS, RequestMetrics
from authgate.plugins.access_record import AccessRecord

# Values on, just above and beyond bucket bounds.
LATENCIES = [0.1, 0.5, 1.0, 1.0001, 4.99, 5.0, 250.0, 60000.0, 70000.0]


def _record(latency: float, status: int = 200, upstream: float | None = 0.3) -> AccessRecord:
    return AccessRecord(
        "id", 0.0, "127.0.0.1", "GET", "h", "/", "", "HTTP/1.1", status, 0, 0,
        "r1", "bar", "s1", "echo", latency, 0.1, upstream, None, None,
    )  # fmt: skip


def _samples(registry: CollectorRegistry, metric: str) -> list[str]:
    text = generate_latest(registry).decode()
    return sorted(line for line in text.splitlines() if line.startswith(metric + "_"))


def test_batched_histogram_matches_one_observe_per_request() -> None:
    batched = CollectorRegistry()
    metrics = RequestMetrics(batched)
    for latency in LATENCIES:
        metrics(_record(latency))
    metrics.flush()

    reference = CollectorRegistry()
    histogram = Histogram(
        "authgate_request_latency_ms", "x", ["service", "route"],
        buckets=LATENCY_BUCKETS_MS, registry=reference,
    )  # fmt: skip
    for latency in LATENCIES:
        histogram.labels("echo", "bar").observe(latency)

    got = _samples(batched, "authgate_request_latency_ms")
    want = _samples(reference, "authgate_request_latency_ms")
    assert [s for s in got if "_created" not in s] == [s for s in want if "_created" not in s]


def test_counts_by_status_and_errors_after_flush() -> None:
    registry = CollectorRegistry()
    metrics = RequestMetrics(registry)
    for status in (200, 200, 502):
        metrics(_record(1.0, status, upstream=None))
    metrics.flush()
    text = generate_latest(registry).decode()
    assert 'authgate_http_requests_total{code="200",route="bar",service="echo"} 2.0' in text
    assert 'authgate_http_requests_total{code="502",route="bar",service="echo"} 1.0' in text
    assert 'authgate_upstream_latency_ms_count{route="bar",service="echo"}' not in text


async def test_inside_a_loop_tallies_are_flushed_by_a_timer_not_per_request() -> None:
    registry = CollectorRegistry()
    metrics = RequestMetrics(registry, flush_seconds=0)
    metrics(_record(1.0))
    assert "authgate_http_requests_total{" not in generate_latest(registry).decode()
    for _ in range(3):  # let the loop run its due timer
        await asyncio.sleep(0)
    text = generate_latest(registry).decode()
    assert 'authgate_http_requests_total{code="200",route="bar",service="echo"} 1.0' in text
