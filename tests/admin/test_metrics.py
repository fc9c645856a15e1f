"""Prometheus metrics: every request through any worker is counted once in /metrics."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from authgate.testing.gateway import Gateway, eventually


def _samples(gateway: Gateway) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = httpx.get(gateway.admin + "/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _requests(gateway: Gateway, route: str, service: str, code: str) -> float:
    key = frozenset({"route": route, "service": service, "code": code}.items())
    return _samples(gateway).get(("authgate_http_requests_total", key), 0.0)


def test_requests_through_both_workers_are_all_counted(admin_gateway: Gateway) -> None:
    base_ok = _requests(admin_gateway, "bar", "echo", "200")
    base_missing = _requests(admin_gateway, "", "", "404")
    base_closed = _requests(admin_gateway, "closed", "echo", "503")
    per_worker_before = {
        w["pid"]: w["requests"]
        for w in httpx.get(admin_gateway.admin + "/status").json()["workers"]
    }
    for _ in range(40):
        # A new connection each time: SO_REUSEPORT spreads them over both workers.
        assert httpx.get(admin_gateway.proxy + "/bar").status_code == 200
    for _ in range(5):
        assert httpx.get(admin_gateway.proxy + "/no-such-route").status_code == 404
    assert httpx.get(admin_gateway.proxy + "/closed").status_code == 503

    eventually(lambda: _requests(admin_gateway, "bar", "echo", "200") == base_ok + 40)
    eventually(lambda: _requests(admin_gateway, "", "", "404") == base_missing + 5)
    eventually(lambda: _requests(admin_gateway, "closed", "echo", "503") == base_closed + 1)
    workers = httpx.get(admin_gateway.admin + "/status").json()["workers"]
    assert all(w["requests"] > per_worker_before[w["pid"]] for w in workers)


def test_latency_histograms_and_supervisor_counters_are_exported(
    admin_gateway: Gateway,
) -> None:
    assert httpx.get(admin_gateway.proxy + "/bar").status_code == 200
    samples = _samples(admin_gateway)
    bar = frozenset({"route": "bar", "service": "echo"}.items())
    assert samples[("authgate_request_latency_ms_count", bar)] >= 1
    assert samples[("authgate_upstream_latency_ms_count", bar)] >= 1
    inf = frozenset({"route": "bar", "service": "echo", "le": "+Inf"}.items())
    assert samples[("authgate_request_latency_ms_bucket", inf)] >= 1
    assert samples[("authgate_workers_ready", frozenset())] == 2
    reloads = frozenset({"result": "success"}.items())
    assert ("authgate_config_reloads_total", reloads) in samples


def test_upstream_errors_are_counted_by_service_and_kind(admin_gateway: Gateway) -> None:
    def errors() -> float:
        return sum(
            value
            for (name, labels), value in _samples(admin_gateway).items()
            if name == "authgate_upstream_errors_total" and ("service", "dead") in labels
        )

    before = errors()
    assert httpx.get(admin_gateway.proxy + "/dead").status_code == 502
    eventually(lambda: errors() == before + 1)
