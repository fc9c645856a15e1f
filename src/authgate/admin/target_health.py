"""``GET /upstreams/{upstream}/health`` and the target health gauge, from the workers' view.

Health is per worker, as it is per node in Kong: each worker balances and health-checks on
its own and reports ``upstream_health`` (upstream id -> target id -> ``HEALTHY`` or
``UNHEALTHY``) in its answer to the supervisor's ``stats`` request. The admin API asks every
worker and shows a target ``UNHEALTHY`` when any worker avoids it, with each worker's view
under ``workers``. Upstreams without any health check report ``HEALTHCHECKS_OFF``, like
Kong, and so do disabled (weight 0) targets.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from prometheus_client.core import GaugeMetricFamily

from authgate.admin.entities import dump_entity
from authgate.config import GatewayConfig, Upstream

__all__ = ["HealthCollector", "health_checks_on", "upstream_health"]

WorkerStats = Sequence[dict[str, Any]]


def health_checks_on(upstream: Upstream) -> bool:
    """Whether any active or passive check of ``upstream`` can change a target's health."""
    checks = upstream.healthchecks
    active, passive = checks.active, checks.passive.unhealthy
    return bool(
        active.healthy.interval
        or active.unhealthy.interval
        or passive.tcp_failures
        or passive.timeouts
        or passive.http_failures
    )


def upstream_health(
    config: GatewayConfig, upstream: Upstream, workers: WorkerStats, node_id: str
) -> dict[str, Any]:
    """Kong's answer: ``{"total", "node_id", "data": [target + health], "next"}``."""
    checked = health_checks_on(upstream)
    data = []
    for target in config.upstream_targets(upstream.id):
        views = [{"pid": w.get("pid"), "health": _view(w, upstream.id, target.id)} for w in workers]
        if not checked or target.weight == 0:
            health = "HEALTHCHECKS_OFF"
        elif any(view["health"] == "UNHEALTHY" for view in views):
            health = "UNHEALTHY"
        else:
            health = "HEALTHY"
        host, port = target.address
        entry = dump_entity(target)
        entry["health"] = health
        entry["data"] = {
            "addresses": [{"ip": host, "port": port, "health": health, "weight": target.weight}]
        }
        entry["workers"] = views
        data.append(entry)
    return {"total": len(data), "node_id": node_id, "data": data, "next": None}


def _view(worker: dict[str, Any], upstream_id: str, target_id: str) -> str:
    health = worker.get("upstream_health")
    if not isinstance(health, dict):
        return "UNKNOWN"
    value = health.get(upstream_id, {}).get(target_id)
    return value if isinstance(value, str) else "UNKNOWN"


class HealthCollector:
    """``authgate_upstream_target_health``: 1 healthy, 0 unhealthy, per worker and target."""

    def __init__(self, config: GatewayConfig, workers: WorkerStats) -> None:
        self._config = config
        self._workers = workers

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """One sample per (upstream, target, worker) of upstreams with health checks."""
        gauge = GaugeMetricFamily(
            "authgate_upstream_target_health",
            "Whether a worker sends traffic to an upstream target (1) or avoids it (0).",
            labels=["upstream", "target", "worker"],
        )
        for upstream in self._config.upstreams:
            if not health_checks_on(upstream):
                continue
            for target in self._config.upstream_targets(upstream.id):
                for worker in self._workers:
                    view = _view(worker, upstream.id, target.id)
                    if view != "UNKNOWN":
                        labels = [upstream.name, target.target, str(worker.get("pid"))]
                        gauge.add_metric(labels, 1.0 if view == "HEALTHY" else 0.0)
        yield gauge
