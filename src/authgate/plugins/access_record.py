"""One access record per request, handed to observers (access log, metrics) after the response."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["AccessRecord", "Observer"]


@dataclass(slots=True)
class AccessRecord:
    """What happened to one request; latencies in milliseconds, times in epoch seconds."""

    request_id: str
    started_at: float
    client_ip: str
    method: str
    host: str
    path: str
    query: str
    protocol: str
    status: int
    bytes_in: int
    bytes_out: int
    route_id: str | None
    route_name: str | None
    service_id: str | None
    service_name: str | None
    latency_ms: float
    proxy_latency_ms: float | None
    upstream_latency_ms: float | None
    upstream_error: str | None
    consumer: str | None


Observer = Callable[[AccessRecord], None]
