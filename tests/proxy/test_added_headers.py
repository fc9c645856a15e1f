"""``--headers`` (Kong's ``headers``): exactly which Server/Via/latency/request-id headers a
client gets, on proxied responses and on responses the gateway made (a request-termination
answer, a 404), through a real gateway in front of the real echo upstream."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from authgate import __version__
from authgate.proxy.added_headers import DEFAULT_HEADERS, KONG_DEFAULT_HEADERS
from authgate.proxy.start import ProxySettings
from authgate.testing.in_process import running_gateway, upstream_config
from authgate.testing.raw_client import RawResponse, send_get
from authgate.testing.raw_upstream import RawUpstream, Reply
from plugins import sample_plugins

assert sample_plugins.HighTagger.name == "test-high"  # registered: a plugin with a response phase

SERVER = f"authgate/{__version__}"
VIA = f"1.1 {SERVER}"
# Every name the setting can add; a response is checked for exactly the expected subset.
ADDED = frozenset(
    {
        "server",
        "via",
        "x-request-id",
        "x-kong-request-id",
        "x-kong-proxy-latency",
        "x-kong-upstream-latency",
        "x-kong-response-latency",
        "x-kong-upstream-status",
        "x-authgate-proxy-latency",
        "x-authgate-upstream-latency",
        "x-authgate-response-latency",
    }
)
KONG_PROXIED = {"via", "x-kong-request-id", "x-kong-upstream-latency", "x-kong-proxy-latency"}
KONG_GATEWAY = {"server", "x-kong-request-id", "x-kong-response-latency"}


@dataclass(frozen=True)
class Case:
    setting: str
    proxied: frozenset[str]
    gateway: frozenset[str]


CASES = {
    "default: authgate's names": Case(
        DEFAULT_HEADERS,
        frozenset(
            {"via", "x-request-id", "x-authgate-upstream-latency", "x-authgate-proxy-latency"}
        ),
        frozenset({"server", "x-request-id", "x-authgate-response-latency"}),
    ),
    "Kong's default": Case(KONG_DEFAULT_HEADERS, frozenset(KONG_PROXIED), frozenset(KONG_GATEWAY)),
    "off": Case("off", frozenset(), frozenset()),
    "latency_tokens alone, any case": Case(
        " LATENCY_TOKENS ",
        frozenset({"x-kong-upstream-latency", "x-kong-proxy-latency"}),
        frozenset({"x-kong-response-latency"}),
    ),
    "both names, Via without Server, upstream status": Case(
        "via, x-request-id, X-Kong-Request-Id, authgate_latency_tokens, latency_tokens, "
        "X-Kong-Upstream-Status",
        ADDED - {"server", "x-kong-response-latency", "x-authgate-response-latency"},
        frozenset(
            {
                "x-request-id",
                "x-kong-request-id",
                "x-kong-response-latency",
                "x-authgate-response-latency",
            }
        ),
    ),
}


def _config(echo_port: int) -> str:
    return (
        '_format_version: "3.0"\n'
        "services:\n"
        "  - name: echo\n"
        f"    url: http://127.0.0.1:{echo_port}\n"
        "    routes:\n"
        "      - {name: plain, paths: [/h]}\n"
        "      - name: traced\n"
        "        paths: [/traced]\n"
        "        plugins: [{name: test-high}]\n"
        "      - name: stop\n"
        "        paths: [/stop]\n"
        "        plugins:\n"
        "          - name: request-termination\n"
        "            config: {status_code: 403, message: stopped}\n"
    )


def _added(response: RawResponse) -> set[str]:
    names = {name for name, _ in response.headers if name in ADDED}
    if response.header("server") != SERVER:
        names.discard("server")  # the echo upstream's own Server passes through
    return names


def _echoed(response: RawResponse, name: str) -> list[str]:
    echoed = response.json()
    assert isinstance(echoed, dict)
    return [value for key, value in echoed["headers"] if key == name]


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
@pytest.mark.parametrize("path", ["/h", "/traced"], ids=["no plugins", "response phase"])
async def test_proxied_responses_carry_exactly_the_chosen_headers(
    echo_port: int, case: Case, path: str
) -> None:
    async with running_gateway(_config(echo_port), ProxySettings(headers=case.setting)) as gw:
        response = await send_get(gw.port, path)
        assert response.status == 200
        if path == "/traced":  # the response phase ran: the header-list path, not the fast one
            assert response.header("x-response-trace") == "test-high"
        assert _added(response) == case.proxied
        for name in case.proxied - {"via", "x-request-id", "x-kong-request-id"}:
            assert (response.header(name) or "").isdigit(), name
        if "via" in case.proxied:
            assert response.header_all("via") == [VIA]
        if "x-kong-upstream-status" in case.proxied:
            assert response.header("x-kong-upstream-status") == "200"
        # The upstream always gets the request id as X-Request-Id (authgate's correlation id),
        # and as X-Kong-Request-Id too when that is chosen, the same value the client sees.
        request_id = gw.records[-1].request_id
        assert _echoed(response, "x-request-id") == [request_id]
        kong_id = "x-kong-request-id" in case.proxied
        assert _echoed(response, "x-kong-request-id") == ([request_id] if kong_id else [])
        for name in ("x-request-id", "x-kong-request-id"):
            if name in case.proxied:
                assert response.header_all(name) == [request_id]


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
@pytest.mark.parametrize("path", ["/stop", "/nowhere"], ids=["request-termination", "404"])
async def test_gateway_made_responses_carry_server_and_response_latency(
    echo_port: int, case: Case, path: str
) -> None:
    async with running_gateway(_config(echo_port), ProxySettings(headers=case.setting)) as gw:
        response = await send_get(gw.port, path)
        assert response.status == (403 if path == "/stop" else 404)
        assert _added(response) == case.gateway
        if "server" in case.gateway:
            assert response.header("server") == SERVER
        for name in case.gateway & {"x-kong-response-latency", "x-authgate-response-latency"}:
            assert (response.header(name) or "").isdigit(), name
        body = response.json()
        assert isinstance(body, dict)
        for name in case.gateway & {"x-request-id", "x-kong-request-id"}:
            assert response.header_all(name) == [body["request_id"]]


async def test_upstream_copies_of_the_chosen_names_are_replaced_the_rest_pass() -> None:
    reply = Reply(
        b"HTTP/1.1 200 OK\r\nX-Kong-Proxy-Latency: 999\r\nX-Kong-Request-Id: upstream\r\n"
        b"X-Request-Id: app-id\r\nX-Authgate-Proxy-Latency: 7\r\nVia: 1.1 inner\r\n"
        b"Content-Length: 2\r\n\r\nok"
    )
    async with (
        RawUpstream(lambda r: reply) as upstream,
        running_gateway(
            upstream_config(upstream.port),
            ProxySettings(headers="latency_tokens, x-kong-request-id"),
        ) as gw,
    ):
        response = await send_get(gw.port, "/")
        request_id = gw.records[-1].request_id
        assert response.header_all("x-kong-proxy-latency") != ["999"]
        assert len(response.header_all("x-kong-proxy-latency")) == 1
        assert response.header_all("x-kong-request-id") == [request_id]
        # Not chosen: the upstream's own fields reach the client unchanged, Via unappended.
        assert response.header_all("x-request-id") == ["app-id"]
        assert response.header_all("x-authgate-proxy-latency") == ["7"]
        assert response.header_all("via") == ["1.1 inner"]


@pytest.mark.parametrize(
    ("setting", "forwarded"),
    [(KONG_DEFAULT_HEADERS, "ours"), (DEFAULT_HEADERS, "client's")],
)
async def test_a_client_sent_x_kong_request_id_is_replaced_only_when_chosen(
    echo_port: int, setting: str, forwarded: str
) -> None:
    async with running_gateway(_config(echo_port), ProxySettings(headers=setting)) as gw:
        for path in ("/h", "/traced"):
            response = await send_get(gw.port, path, "X-Kong-Request-Id: spoofed\r\n")
            ours = gw.records[-1].request_id
            expected = [ours] if forwarded == "ours" else ["spoofed"]
            assert _echoed(response, "x-kong-request-id") == expected, path
