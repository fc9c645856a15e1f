"""Reloading the configuration (POST /config, SIGHUP) while the gateway serves traffic."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal

import httpx
from lifecycle_configs import GatewayFactory, bar_config

from authgate.testing.gateway import eventually


def _status(url: str) -> int:
    return httpx.get(url, timeout=5).status_code


async def _hammer(
    url: str, stop: asyncio.Event, fresh_connections: bool, seen: list[object]
) -> None:
    """GET ``url`` until ``stop``; appends every status code or exception seen."""
    async with httpx.AsyncClient(timeout=10) as client:
        while not stop.is_set():
            try:
                if fresh_connections:
                    async with httpx.AsyncClient(timeout=10) as once:
                        response = await once.get(url)
                else:
                    response = await client.get(url)
                seen.append(response.status_code)
            except httpx.HTTPError as exc:
                seen.append(exc)


async def test_reload_in_a_loop_under_load_fails_no_request(
    gateways: GatewayFactory, echo_port: int
) -> None:
    gateway = gateways(workers=2)
    configs = [bar_config(echo_port, "/other"), bar_config(echo_port)]
    stop = asyncio.Event()
    seen: list[object] = []
    clients = [
        asyncio.create_task(_hammer(gateway.proxy + "/bar", stop, i % 2 == 1, seen))
        for i in range(6)
    ]
    async with httpx.AsyncClient(timeout=30) as admin:
        for index in range(20):
            # Let requests run between reloads, so every reload happens under load.
            mark = len(seen)
            while len(seen) < mark + 6:
                await asyncio.sleep(0.001)
            response = await admin.post(gateway.admin + "/config", content=configs[index % 2])
            assert response.status_code == 201, response.text
    stop.set()
    await asyncio.gather(*clients)
    failures = [item for item in seen if item != 200]
    assert len(seen) >= 120
    assert failures == []


def test_posted_config_takes_effect_in_every_worker(
    gateways: GatewayFactory, echo_port: int
) -> None:
    gateway = gateways(workers=2)
    assert _status(gateway.proxy + "/other") == 404
    response = httpx.post(gateway.admin + "/config", content=bar_config(echo_port, "/other"))
    assert response.status_code == 201
    # Fresh connections land on both workers (SO_REUSEPORT hashes the client port).
    assert {_status(gateway.proxy + "/other") for _ in range(20)} == {200}
    status = httpx.get(gateway.admin + "/status").json()
    assert status["configuration_version"] == 2
    assert [w["version"] for w in status["workers"]] == [2, 2]


def test_invalid_posted_config_is_refused_and_old_one_keeps_serving(
    gateways: GatewayFactory,
) -> None:
    gateway = gateways(workers=2)
    before = httpx.get(gateway.admin + "/status").json()["configuration_hash"]
    bad = (
        '_format_version: "3.0"\nservices:\n  - name: echo\n    url: ftp://nowhere\n'
        "    routes:\n      - name: bar\n        paths: [bar]\n"
    )
    response = httpx.post(gateway.admin + "/config", content=bad)
    assert response.status_code == 400
    body = response.json()
    assert body["name"] == "invalid declarative configuration"
    paths = [issue["path"] for issue in body["issues"]]
    assert "services[0].routes[0].paths[0]" in paths
    assert any(path.startswith("services[0].url") for path in paths)
    assert _status(gateway.proxy + "/bar") == 200
    assert httpx.get(gateway.admin + "/status").json()["configuration_hash"] == before


def test_sighup_reloads_the_config_file(gateways: GatewayFactory, echo_port: int) -> None:
    gateway = gateways(workers=1)
    gateway.config.write_text(bar_config(echo_port, "/other"))
    gateway.process.send_signal(signal.SIGHUP)
    eventually(lambda: _status(gateway.proxy + "/other") == 200)
    gateway.config.write_text("_format_version: '3.0'\nservices: [{name: x}]\n")
    gateway.process.send_signal(signal.SIGHUP)
    eventually(lambda: "reload refused" in gateway.process.log())
    assert f"{gateway.config}:2:12: services[0].host: required" in gateway.process.log()
    assert _status(gateway.proxy + "/other") == 200
    metrics = httpx.get(gateway.admin + "/metrics").text
    assert 'authgate_config_reloads_total{result="success"} 1.0' in metrics
    assert 'authgate_config_reloads_total{result="failure"} 1.0' in metrics


def test_sighup_with_an_unreadable_file_keeps_serving(
    gateways: GatewayFactory, echo_port: int
) -> None:
    gateway = gateways(workers=1)
    gateway.config.write_bytes(b"_format_version: '3.0'  # caf\xe9\n")
    gateway.process.send_signal(signal.SIGHUP)
    eventually(lambda: "reload refused" in gateway.process.log())
    assert f"{gateway.config}: not UTF-8 (byte 29)" in gateway.process.log()
    assert _status(gateway.proxy + "/bar") == 200
    metrics = httpx.get(gateway.admin + "/metrics").text
    assert 'authgate_config_reloads_total{result="failure"} 1.0' in metrics


def test_worker_hung_during_reload_is_replaced_and_the_reload_applies(
    gateways: GatewayFactory, echo_port: int
) -> None:
    gateway = gateways(workers=2, args=("--reload-timeout", "1"))
    hung, healthy = gateway.worker_pids()
    os.kill(hung, signal.SIGSTOP)
    try:
        response = httpx.post(
            gateway.admin + "/config", content=bar_config(echo_port, "/other"), timeout=30
        )
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(hung, signal.SIGCONT)
    assert response.status_code == 201, response.text

    def replaced() -> list[dict[str, int]] | None:
        workers = httpx.get(gateway.admin + "/status").json()["workers"]
        return workers if len(workers) == 2 and hung not in {w["pid"] for w in workers} else None

    workers = eventually(replaced)
    assert healthy in {w["pid"] for w in workers}
    assert {w["version"] for w in workers} == {2}
    assert "did not answer a reload within 1.0s; replacing it" in gateway.process.log()
    assert {_status(gateway.proxy + "/other") for _ in range(10)} == {200}
