"""Load balancing over an upstream's targets, through the proxy on real sockets."""

from __future__ import annotations

import asyncio
from collections import Counter

import orjson

from authgate.testing.raw_upstream import RawUpstream, Reply, SeenRequest
from proxy.upstreams.balancer_env import (
    answer,
    balanced_config,
    balanced_gateway,
    bodies,
    get,
    refused_port,
    upstreams,
)


async def test_round_robin_gives_each_target_exactly_its_weight() -> None:
    async with upstreams(3) as ups:
        targets = [
            f"127.0.0.1:{ups[0].port}\n        weight: 50",
            f"127.0.0.1:{ups[1].port}\n        weight: 30",
            f"127.0.0.1:{ups[2].port}\n        weight: 20",
        ]
        async with balanced_gateway(balanced_config(targets)) as gw:
            seen = await bodies(gw.port, 100)
    assert Counter(seen) == {"u0": 50, "u1": 30, "u2": 20}
    # Smooth: the heaviest target never gets more than two requests in a row here.
    assert "u0u0u0" not in "".join(seen)


async def test_round_robin_is_deterministic_and_even_by_default() -> None:
    async with upstreams(2) as ups:
        targets = [f"127.0.0.1:{u.port}" for u in ups]
        async with balanced_gateway(balanced_config(targets)) as gw:
            assert await bodies(gw.port, 4) == ["u0", "u1", "u0", "u1"]


async def test_weight_zero_target_gets_no_traffic() -> None:
    async with upstreams(2) as ups:
        targets = [f"127.0.0.1:{ups[0].port}", f"127.0.0.1:{ups[1].port}\n        weight: 0"]
        async with balanced_gateway(balanced_config(targets)) as gw:
            assert set(await bodies(gw.port, 6)) == {"u0"}
    assert ups[1].requests == []


async def test_host_header_is_the_targets_or_the_upstreams_host_header() -> None:
    async with upstreams(1) as ups:
        port = ups[0].port
        targets = [f"127.0.0.1:{port}"]
        async with balanced_gateway(balanced_config(targets)) as gw:
            await get(gw.port)
        async with balanced_gateway(
            balanced_config(targets, upstream="    host_header: api.internal\n")
        ) as gw:
            await get(gw.port)
    hosts = [request.header("host") for request in ups[0].requests]
    assert hosts == [f"127.0.0.1:{port}", f"api.internal:{port}"]


async def test_least_connections_avoids_the_slow_target() -> None:
    release = asyncio.Event()
    slow_seen = asyncio.Event()

    def slow_script(request: SeenRequest) -> Reply:
        slow_seen.set()
        return Reply(b"")  # never answers until released below

    slow = RawUpstream(slow_script)
    async with upstreams(1) as [fast], slow:
        targets = [f"127.0.0.1:{slow.port}", f"127.0.0.1:{fast.port}"]
        config = balanced_config(targets, upstream="    algorithm: least-connections\n")
        async with balanced_gateway(config) as gw:
            stuck = asyncio.create_task(get(gw.port))
            await asyncio.wait_for(slow_seen.wait(), 5)
            # The slow target holds one request: every new one goes to the fast target.
            assert await bodies(gw.port, 5) == ["u0"] * 5
            stuck.cancel()
            release.set()
    assert len(slow.requests) == 1


def _hashing(targets: list[str], options: str) -> str:
    """A consistent-hashing upstream over ``targets`` with the ``hash_*`` ``options``."""
    return balanced_config(targets, upstream="    algorithm: consistent-hashing\n" + options)


async def test_consistent_hashing_on_a_header_is_stable_per_value() -> None:
    async with upstreams(3) as ups:
        targets = [f"127.0.0.1:{u.port}" for u in ups]
        config = _hashing(targets, "    hash_on: header\n    hash_on_header: X-User\n")
        async with balanced_gateway(config) as gw:
            mapping = {}
            for user in range(30):
                seen = await bodies(gw.port, 3, headers=f"X-User: user-{user}\r\n")
                assert len(set(seen)) == 1, f"user-{user} moved between targets: {seen}"
                mapping[user] = seen[0]
    assert set(mapping.values()) == {"u0", "u1", "u2"}  # all targets share the values


async def test_consistent_hashing_on_the_client_ip_is_stable_per_client() -> None:
    async with upstreams(3) as ups:
        targets = [f"127.0.0.1:{u.port}" for u in ups]
        config = _hashing(targets, "    hash_on: ip\n")
        async with balanced_gateway(config) as gw:
            mapping = {}
            for last in range(2, 22):
                seen = await bodies(gw.port, 3, source=f"127.0.0.{last}")
                assert len(set(seen)) == 1
                mapping[last] = seen[0]
    assert len(set(mapping.values())) >= 2


async def test_hash_fallback_is_used_when_the_header_is_missing() -> None:
    async with upstreams(3) as ups:
        targets = [f"127.0.0.1:{u.port}" for u in ups]
        config = _hashing(
            targets, "    hash_on: header\n    hash_on_header: X-User\n    hash_fallback: ip\n"
        )
        async with balanced_gateway(config) as gw:
            for last in (2, 3, 4, 5):
                seen = await bodies(gw.port, 4, source=f"127.0.0.{last}")
                assert len(set(seen)) == 1


async def test_connect_refused_target_is_skipped_on_retry() -> None:
    dead_port = await refused_port()
    async with upstreams(1) as [alive]:
        targets = [f"127.0.0.1:{dead_port}", f"127.0.0.1:{alive.port}"]
        async with balanced_gateway(balanced_config(targets)) as gw:
            responses = [await get(gw.port) for _ in range(4)]
    assert [r.status for r in responses] == [200] * 4
    assert [r.body for r in responses] == [b"u0"] * 4


async def test_without_retries_a_refused_target_answers_502() -> None:
    dead_port = await refused_port()
    async with upstreams(1) as [alive]:
        targets = [f"127.0.0.1:{dead_port}", f"127.0.0.1:{alive.port}"]
        config = balanced_config(targets, service="    retries: 0\n")
        async with balanced_gateway(config) as gw:
            statuses = [(await get(gw.port)).status for _ in range(4)]
    assert sorted(statuses) == [200, 200, 502, 502]


async def test_no_usable_target_answers_kongs_503() -> None:
    async with upstreams(1) as [up]:
        config = balanced_config([f"127.0.0.1:{up.port}\n        weight: 0"])
        async with balanced_gateway(config) as gw:
            response = await get(gw.port)
            record = gw.records[-1]
    assert response.status == 503
    body = orjson.loads(response.body)
    assert body == {
        "message": "failure to get a peer from the ring-balancer",
        "request_id": response.header("x-request-id"),
    }
    assert record.upstream_error == "no_peer"


async def test_upstream_without_targets_answers_503() -> None:
    config = balanced_config([]).replace("    targets:\n", "")
    async with balanced_gateway(config) as gw:
        response = await get(gw.port)
    assert response.status == 503
    assert orjson.loads(response.body)["message"] == "failure to get a peer from the ring-balancer"


async def test_reload_replaces_the_balancer_without_dropping_requests() -> None:
    async with upstreams(2) as ups:
        first = balanced_config([f"127.0.0.1:{ups[0].port}"])
        second = balanced_config([f"127.0.0.1:{ups[1].port}"])
        async with balanced_gateway(first) as gw:
            assert await bodies(gw.port, 2) == ["u0", "u0"]

            async def load_loop() -> list[int]:
                return [(await get(gw.port)).status for _ in range(40)]

            running = asyncio.create_task(load_loop())
            await asyncio.sleep(0)
            gw.load(second)
            statuses = await running
            assert await bodies(gw.port, 2) == ["u1", "u1"]
    assert set(statuses) == {200}


async def test_a_plain_service_next_to_an_upstream_is_not_balanced() -> None:
    async with upstreams(2) as ups:
        config = balanced_config([f"127.0.0.1:{ups[0].port}"]).replace(
            "upstreams:",
            f"  - name: plain\n    url: http://127.0.0.1:{ups[1].port}\n"
            "    routes: [{paths: [/plain]}]\nupstreams:",
        )
        async with balanced_gateway(config) as gw:
            assert (await get(gw.port, "/plain")).body == b"u1"
            assert (await get(gw.port, "/")).body == b"u0"


def test_answer_script_is_a_valid_response() -> None:
    assert answer("x")(SeenRequest("GET", "/", [])).data.endswith(b"\r\n\r\nx")
