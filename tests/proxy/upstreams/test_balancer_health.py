"""Passive and active health checks of upstream targets (per worker), on real sockets."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
import pytest

from authgate.plugins.services import PluginServices
from authgate.proxy.runtime import Runtime
from authgate.proxy.tls import server_context
from authgate.proxy.upstreams.target_health import TargetHealth
from authgate.testing.certs import self_signed
from authgate.testing.raw_upstream import RawUpstream, Reply, SeenRequest
from proxy.upstreams.balancer_env import (
    answer,
    balanced_config,
    balanced_gateway,
    bodies,
    get,
    refused_port,
    upstreams,
    wait_until,
)


class Switchable:
    """An upstream script whose status can be changed while it runs."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.status = 200

    def __call__(self, request: SeenRequest) -> Reply:
        return answer(self.name, self.status)(request)


def _peers(runtime: Runtime) -> list[bool]:
    [balancer] = runtime.balancers.values()
    return [peer.health.healthy for peer in balancer.peers]


@pytest.mark.parametrize(
    ("outcomes", "limit", "healthy"),
    [
        (["http", "http"], 3, True),
        (["http", "http", "http"], 3, False),
        (["tcp", "timeout", "http"], 2, True),  # each kind has its own counter
        (["http", "success", "http"], 2, True),  # a counted success clears the failures
        (["http"], 0, True),  # limit 0: the check is off
    ],
)
def test_failures_mark_a_target_unhealthy_at_their_limit(
    outcomes: list[str], limit: int, healthy: bool
) -> None:
    health = TargetHealth()
    for outcome in outcomes:
        health.record(outcome, 1 if outcome == "success" else limit)  # type: ignore[arg-type]
    assert health.healthy is healthy


def test_successes_heal_an_unhealthy_target_only_when_consecutive() -> None:
    health = TargetHealth()
    health.set(False)
    health.record("success", 2)
    health.record("tcp", 5)  # a failure restarts the recovery
    health.record("success", 2)
    assert not health.healthy
    health.record("success", 2)
    assert health.healthy


async def test_passive_http_failures_take_a_target_out() -> None:
    failing = Switchable("bad")
    failing.status = 500
    bad = RawUpstream(failing)
    async with upstreams(1) as [good], bad:
        config = balanced_config(
            [f"127.0.0.1:{bad.port}", f"127.0.0.1:{good.port}"],
            upstream=("    healthchecks:\n      passive:\n        unhealthy: {http_failures: 2}\n"),
        )
        async with balanced_gateway(config) as gw:
            seen = await bodies(gw.port, 10)
            assert _peers(gw.holder.current) == [False, True]
    # The failing target got two requests (round-robin), then none.
    assert seen[:4] == ["bad", "u0", "bad", "u0"]
    assert seen[4:] == ["u0"] * 6
    assert len(bad.requests) == 2


async def test_passive_tcp_failures_stop_connect_attempts() -> None:
    dead_port = await refused_port()
    async with upstreams(1) as [alive]:
        config = balanced_config(
            [f"127.0.0.1:{dead_port}", f"127.0.0.1:{alive.port}"],
            service="    retries: 0\n",
            upstream="    healthchecks:\n      passive:\n        unhealthy: {tcp_failures: 1}\n",
        )
        async with balanced_gateway(config) as gw:
            statuses = [(await get(gw.port)).status for _ in range(6)]
            assert _peers(gw.holder.current) == [False, True]
    assert statuses == [502] + [200] * 5


async def test_active_probes_bring_a_passively_failed_target_back() -> None:
    flaky = Switchable("flaky")
    flaky.status = 503
    up = RawUpstream(flaky)
    async with upstreams(1) as [steady], up:
        port = up.port
        config = balanced_config(
            [f"127.0.0.1:{up.port}", f"127.0.0.1:{steady.port}"],
            upstream=(
                "    healthchecks:\n"
                "      passive:\n        unhealthy: {http_failures: 1}\n"
                "      active:\n        http_path: /health\n"
                "        healthy: {successes: 2}\n"
                "        unhealthy: {interval: 0.02}\n"
            ),
        )
        async with balanced_gateway(config) as gw:
            assert await bodies(gw.port, 2) == ["flaky", "u0"]
            assert _peers(gw.holder.current) == [False, True]
            flaky.status = 200
            await wait_until(lambda: _peers(gw.holder.current) == [True, True])
            assert set(await bodies(gw.port, 4)) == {"flaky", "u0"}
    probes = [r for r in up.requests if r.target == "/health"]
    assert len(probes) >= 2
    assert probes[0].header("host") == f"127.0.0.1:{port}"
    assert probes[0].header("user-agent") == "authgate-healthcheck"


async def test_active_probes_mark_targets_down_and_all_down_answers_503() -> None:
    status = Switchable("x")
    up = RawUpstream(status)
    async with up:
        config = balanced_config(
            [f"127.0.0.1:{up.port}"],
            upstream=(
                "    healthchecks:\n      active:\n"
                "        healthy: {interval: 0.02, successes: 1}\n"
                "        unhealthy: {interval: 0.02, http_failures: 2}\n"
            ),
        )
        async with balanced_gateway(config) as gw:
            assert (await get(gw.port)).status == 200
            status.status = 500
            await wait_until(lambda: _peers(gw.holder.current) == [False])
            response = await get(gw.port)
            assert response.status == 503
            assert orjson.loads(response.body)["message"] == (
                "failure to get a peer from the ring-balancer"
            )
            status.status = 200
            await wait_until(lambda: _peers(gw.holder.current) == [True])
            assert (await get(gw.port)).status == 200


async def test_a_probe_that_gets_no_answer_counts_as_a_timeout() -> None:
    silent = RawUpstream(lambda request: Reply(b""))
    async with silent:
        config = balanced_config(
            [f"127.0.0.1:{silent.port}"],
            upstream=(
                "    healthchecks:\n      active:\n        timeout: 0.05\n"
                "        healthy: {interval: 0.02}\n        unhealthy: {timeouts: 1}\n"
            ),
        )
        async with balanced_gateway(config) as gw:
            await wait_until(lambda: _peers(gw.holder.current) == [False])


async def test_tcp_probes_only_connect() -> None:
    dead_port = await refused_port()
    config = balanced_config(
        [f"127.0.0.1:{dead_port}"],
        upstream=(
            "    healthchecks:\n      active:\n        type: tcp\n"
            "        healthy: {interval: 0.02}\n        unhealthy: {tcp_failures: 2}\n"
        ),
    )
    async with balanced_gateway(config) as gw:
        await wait_until(lambda: _peers(gw.holder.current) == [False])


async def test_config_swap_and_close_stop_the_probes() -> None:
    up = RawUpstream(answer("x"))
    async with up:
        config = balanced_config(
            [f"127.0.0.1:{up.port}"],
            upstream="    healthchecks:\n      active:\n        healthy: {interval: 0.02}\n",
        )
        async with balanced_gateway(config) as gw:
            first = gw.holder.current
            [checker] = first.checkers
            await wait_until(lambda: len(up.requests) >= 2)
            gw.load(config)
            assert not checker.running
            [second] = gw.holder.current.checkers
            assert second.running
        assert not second.running
        await asyncio.sleep(0)
        probes = len(up.requests)
        await asyncio.sleep(0.1)
        assert len(up.requests) == probes  # nothing probes any more


async def test_probes_run_on_the_timer_of_the_services_the_runtime_was_built_with() -> None:
    up = RawUpstream(answer("x"))
    now = [1000.0]
    services = PluginServices(timer=lambda: now[0])
    async with up:
        config = balanced_config(
            [f"127.0.0.1:{up.port}"],
            upstream="    healthchecks:\n      active:\n        healthy: {interval: 30}\n",
        )
        async with balanced_gateway(config, services) as gw:
            for _ in range(2):  # the first runtime, then the one a reload builds
                [checker] = gw.holder.current.checkers
                checker.stop()  # this test runs the rounds itself
                await checker.probe_due()
                before = len(up.requests)
                now[0] += 29.0
                await checker.probe_due()
                assert len(up.requests) == before  # 29 s on the services' timer: not due
                now[0] += 1.0
                await checker.probe_due()
                assert len(up.requests) == before + 1
                gw.load(config)
                assert gw.holder.current.services is services


async def test_https_probes_check_the_certificate_unless_told_not_to(tmp_path: Path) -> None:
    up = RawUpstream(answer("x"))
    port = await up.start(tls=server_context(self_signed(tmp_path)))
    try:
        for verify, healthy in (("false", True), ("true", False)):
            config = balanced_config(
                [f"127.0.0.1:{port}"],
                upstream=(
                    "    healthchecks:\n      active:\n        type: https\n"
                    f"        https_verify_certificate: {verify}\n"
                    "        healthy: {interval: 0.02}\n        unhealthy: {tcp_failures: 1}\n"
                ),
            )
            seen = len(up.requests)
            async with balanced_gateway(config) as gw:
                if healthy:
                    await wait_until(lambda n=seen + 2: len(up.requests) >= n)
                    assert _peers(gw.holder.current) == [True]
                else:
                    await wait_until(lambda: _peers(gw.holder.current) == [False])
    finally:
        up.close()
    assert up.requests[0].header("host") == f"127.0.0.1:{port}"
