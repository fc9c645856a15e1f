"""The plugin framework through the proxy: priorities, phases, scopes and precedence."""

from __future__ import annotations

from collections.abc import AsyncIterator

import orjson
import pytest

from authgate.testing.in_process import Gateway, running_gateway
from authgate.testing.raw_client import RawResponse, send_get
from plugins import sample_plugins


def _doc(echo_port: int, plugins: str, route_plugins: str = "", service_plugins: str = "") -> str:
    return (
        '_format_version: "3.0"\n'
        "consumers:\n  - username: alice\n  - username: bob\n"
        "services:\n  - name: echo\n"
        f"    url: http://127.0.0.1:{echo_port}\n"
        f"{service_plugins}"
        "    routes:\n"
        "      - name: a\n        paths: [/a]\n"
        f"{route_plugins}"
        "      - name: b\n        paths: [/b]\n"
        f"plugins:\n{plugins}"
    )


@pytest.fixture
async def gateway(echo_port: int) -> AsyncIterator[Gateway]:
    async with running_gateway(_doc(echo_port, "  []\n")) as gw:
        yield gw


def _upstream_traces(response: RawResponse) -> list[str]:
    echoed = orjson.loads(response.body)
    return [v for k, v in echoed["headers"] if k == "x-trace"]


async def test_higher_priority_runs_first_in_access_and_response(
    gateway: Gateway, echo_port: int
) -> None:
    gateway.load(_doc(echo_port, "  - name: test-low\n  - name: test-high\n"))
    sample_plugins.LOGGED.clear()
    response = await send_get(gateway.port, "/a")
    assert _upstream_traces(response) == ["test-high:", "test-low:"]
    assert response.header_all("x-response-trace") == ["test-high", "test-low"]
    assert sample_plugins.LOGGED == [("test-high", 200), ("test-low", 200)]


async def test_short_circuit_skips_lower_priority_plugins_and_the_upstream(
    gateway: Gateway, echo_port: int
) -> None:
    gateway.load(
        _doc(echo_port, "  - name: test-high\n  - name: request-termination\n  - name: test-low\n")
    )
    response = await send_get(gateway.port, "/a")
    assert response.status == 503
    # request-termination (priority 2) ran after test-high (2000); test-low (10) never ran
    # its access phase, but every plugin of the chain still sees the response headers.
    assert response.header_all("x-response-trace") == ["test-high", "test-low"]


@pytest.mark.parametrize(
    ("route_tag", "service_tag", "global_tag", "expected"),
    [
        ("route", "service", "global", "route"),
        (None, "service", "global", "service"),
        (None, None, "global", "global"),
    ],
)
async def test_most_specific_scope_wins_per_plugin_name(
    gateway: Gateway,
    echo_port: int,
    route_tag: str | None,
    service_tag: str | None,
    global_tag: str,
    expected: str,
) -> None:
    route = (
        f"        plugins: [{{name: test-high, config: {{tag: {route_tag}}}}}]\n"
        if route_tag
        else ""
    )
    service = (
        f"    plugins: [{{name: test-high, config: {{tag: {service_tag}}}}}]\n"
        if service_tag
        else ""
    )
    gateway.load(
        _doc(echo_port, f"  - {{name: test-high, config: {{tag: {global_tag}}}}}\n", route, service)
    )
    assert _upstream_traces(await send_get(gateway.port, "/a")) == [f"test-high:{expected}"]
    # Route b has no route-level plugin: it gets the service's (or the global) one.
    assert _upstream_traces(await send_get(gateway.port, "/b")) == [
        f"test-high:{service_tag or global_tag}"
    ]


async def test_consumer_scoped_plugin_applies_once_the_consumer_is_known(
    gateway: Gateway, echo_port: int
) -> None:
    gateway.load(
        _doc(
            echo_port,
            "  - name: test-login\n"
            "  - name: request-termination\n"
            "    consumer: bob\n"
            "    config: {status_code: 403, message: no bob}\n"
            "  - {name: test-low, config: {tag: everyone}}\n"
            "  - {name: test-low, consumer: alice, route: a, config: {tag: alice-on-a}}\n",
        )
    )
    bob = await send_get(gateway.port, "/a", "X-User: bob\r\n")
    assert bob.status == 403
    assert (await send_get(gateway.port, "/a")).status == 200
    assert _upstream_traces(await send_get(gateway.port, "/a", "X-User: alice\r\n")) == [
        "test-low:alice-on-a"
    ]
    assert _upstream_traces(await send_get(gateway.port, "/b", "X-User: alice\r\n")) == [
        "test-low:everyone"
    ]
    assert gateway.records[-1].consumer == "alice"


async def test_disabled_plugin_falls_back_to_no_plugin(gateway: Gateway, echo_port: int) -> None:
    gateway.load(_doc(echo_port, "  - {name: test-high, enabled: false}\n"))
    assert _upstream_traces(await send_get(gateway.port, "/a")) == []
