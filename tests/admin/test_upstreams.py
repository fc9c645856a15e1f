"""The admin API's upstream endpoints (Kong's shapes) on a real 2-worker gateway."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from authgate.testing.gateway import Gateway, eventually, start_gateway
from authgate.testing.processes import free_port


@pytest.fixture(scope="module")
def dead_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def lb_gateway(
    tmp_path_factory: pytest.TempPathFactory, echo_port: int, dead_port: int
) -> Iterator[Gateway]:
    config = tmp_path_factory.mktemp("upstreams") / "kong.yaml"
    config.write_text(
        f"""_format_version: "3.0"
services:
  - name: lb
    host: backend
    routes: [{{name: lb, paths: [/lb]}}]
upstreams:
  - name: backend
    healthchecks:
      passive:
        unhealthy: {{tcp_failures: 1}}
    targets:
      - target: 127.0.0.1:{echo_port}
      - target: 127.0.0.1:{dead_port}
  - name: quiet
targets:
  - {{target: "localhost:{echo_port}", weight: 0, upstream: backend}}
"""
    )
    gateway = start_gateway(config, workers=2)
    yield gateway
    gateway.stop()


def _get(gateway: Gateway, path: str) -> httpx.Response:
    return httpx.get(gateway.admin + path, timeout=10)


def test_upstreams_are_listed_and_found_by_name_or_id(lb_gateway: Gateway) -> None:
    page = _get(lb_gateway, "/upstreams").json()
    assert [u["name"] for u in page["data"]] == ["backend", "quiet"]
    assert page["next"] is None
    backend = page["data"][0]
    assert backend["algorithm"] == "round-robin"
    assert backend["slots"] == 10000
    assert backend["healthchecks"]["passive"]["unhealthy"]["tcp_failures"] == 1
    assert _get(lb_gateway, "/upstreams/backend").json() == backend
    assert _get(lb_gateway, f"/upstreams/{backend['id']}").json() == backend
    assert _get(lb_gateway, "/upstreams/nope").status_code == 404


def test_targets_of_an_upstream(lb_gateway: Gateway, echo_port: int, dead_port: int) -> None:
    backend = _get(lb_gateway, "/upstreams/backend").json()
    page = _get(lb_gateway, "/upstreams/backend/targets").json()
    assert [(t["target"], t["weight"]) for t in page["data"]] == [
        (f"127.0.0.1:{echo_port}", 100),
        (f"127.0.0.1:{dead_port}", 100),
        (f"localhost:{echo_port}", 0),
    ]
    assert all(t["upstream"] == {"id": backend["id"]} for t in page["data"])
    assert _get(lb_gateway, "/upstreams/quiet/targets").json() == {"data": [], "next": None}
    assert _get(lb_gateway, "/upstreams/nope/targets").status_code == 404


def test_health_shows_what_the_workers_learnt(
    lb_gateway: Gateway, echo_port: int, dead_port: int
) -> None:
    def dead_target_seen_unhealthy() -> dict[str, object] | None:
        # New connections spread over the workers; each retries on the echo target.
        for _ in range(4):
            assert httpx.get(lb_gateway.proxy + "/lb/x", timeout=10).status_code == 200
        health = _get(lb_gateway, "/upstreams/backend/health").json()
        return health if health["data"][1]["health"] == "UNHEALTHY" else None

    health = eventually(dead_target_seen_unhealthy)
    assert health["total"] == 3
    assert health["node_id"] == _get(lb_gateway, "/").json()["node_id"]
    alive, dead, disabled = health["data"]
    assert alive["health"] == "HEALTHY"
    assert alive["data"]["addresses"] == [
        {"ip": "127.0.0.1", "port": echo_port, "health": "HEALTHY", "weight": 100}
    ]
    assert dead["target"] == f"127.0.0.1:{dead_port}"
    assert {view["health"] for view in dead["workers"]} <= {"HEALTHY", "UNHEALTHY"}
    assert len(dead["workers"]) == 2
    assert disabled["health"] == "HEALTHCHECKS_OFF"
    assert "upstream_health" not in _get(lb_gateway, "/status").json()["workers"][0]


def test_health_of_an_upstream_without_checks_is_off(lb_gateway: Gateway) -> None:
    assert _get(lb_gateway, "/upstreams/quiet/health").json()["data"] == []
    assert _get(lb_gateway, "/upstreams/nope/health").status_code == 404


def test_metrics_have_a_target_health_gauge(lb_gateway: Gateway, dead_port: int) -> None:
    for _ in range(4):
        httpx.get(lb_gateway.proxy + "/lb/x", timeout=10)
    text = _get(lb_gateway, "/metrics").text
    lines = [line for line in text.splitlines() if line.startswith("authgate_upstream_target_")]
    assert any(
        f'target="127.0.0.1:{dead_port}"' in line and line.endswith(" 0.0") for line in lines
    )
    assert len({line.split('worker="')[1].split('"')[0] for line in lines}) == 2


def test_posted_config_lists_upstreams_and_targets_and_replaces_balancers(
    lb_gateway: Gateway, echo_port: int
) -> None:
    # Runs last in this module: it changes the gateway's configuration.
    text = f"""_format_version: "3.0"
services:
  - {{name: lb, host: fresh, routes: [{{name: lb, paths: [/lb]}}]}}
upstreams:
  - name: fresh
    healthchecks: {{passive: {{unhealthy: {{http_failures: 3}}}}}}
    targets: [{{target: "127.0.0.1:{echo_port}"}}]
"""
    response = httpx.post(lb_gateway.admin + "/config", content=text, timeout=30)
    assert response.status_code == 201
    body = response.json()
    [upstream] = body["upstreams"]
    assert upstream["name"] == "fresh"
    assert [t["upstream"] for t in body["targets"]] == [{"id": upstream["id"]}]
    assert httpx.get(lb_gateway.proxy + "/lb/x", timeout=10).status_code == 200
    health = _get(lb_gateway, "/upstreams/fresh/health").json()
    assert [t["health"] for t in health["data"]] == ["HEALTHY"]
    assert _get(lb_gateway, "/upstreams/backend").status_code == 404
