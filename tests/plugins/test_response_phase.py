"""The response phase runs on every response after routing, the gateway's own errors included
(as Kong's header_filter does); global plugins also see the 404 for unmatched requests."""

from __future__ import annotations

from typing import ClassVar

import pytest
from pydantic import BaseModel

from authgate.plugins.base import Headers, Plugin, RequestContext
from authgate.plugins.registry import register
from authgate.testing.in_process import running_gateway
from authgate.testing.raw_client import send_get
from plugins import sample_plugins


@register
class BrokenResponse(Plugin):
    """Fails in the response phase."""

    name: ClassVar[str] = "test-broken-response"
    priority: ClassVar[int] = 100
    Config: ClassVar[type[BaseModel]] = sample_plugins.NoConfig

    def response(self, ctx: RequestContext, status: int, headers: Headers) -> None:
        raise RuntimeError("boom in the response phase")


def _doc(service: str, plugins: str) -> str:
    return (
        '_format_version: "3.0"\n'
        f"services:\n  - name: s\n    {service}\n"
        "    routes: [{name: a, paths: [/a]}]\n"
        f"plugins:\n{plugins}"
    )


@pytest.mark.parametrize(
    ("service", "path", "status"),
    [
        ("url: http://127.0.0.1:1", "/a", 502),
        ("url: ECHO\n    read_timeout: 200", "/a/delay/3", 504),
        ("url: ECHO", "/nowhere", 404),
    ],
    ids=["502 connect refused", "504 read timeout", "404 no route"],
)
async def test_response_and_log_phases_run_on_gateway_errors(
    echo_port: int, service: str, path: str, status: int
) -> None:
    service = service.replace("ECHO", f"http://127.0.0.1:{echo_port}")
    async with running_gateway(_doc(service, "  - name: test-high\n")) as gw:
        sample_plugins.LOGGED.clear()
        response = await send_get(gw.port, path)
        assert response.status == status
        assert response.header_all("x-response-trace") == ["test-high"]
        logged = sample_plugins.LOGGED
        assert logged == [("test-high", status)]


async def test_route_plugins_see_the_503_of_a_route_without_service(echo_port: int) -> None:
    doc = (
        '_format_version: "3.0"\nroutes: [{name: lonely, paths: [/]}]\n'
        "plugins: [{name: test-low, route: lonely}]\n"
    )
    async with running_gateway(doc) as gw:
        response = await send_get(gw.port, "/")
        assert response.status == 503
        assert response.header_all("x-response-trace") == ["test-low"]


async def test_route_scoped_plugins_do_not_run_for_unmatched_requests(echo_port: int) -> None:
    doc = _doc(f"url: http://127.0.0.1:{echo_port}", "  - {name: test-high, route: a}\n")
    async with running_gateway(doc) as gw:
        response = await send_get(gw.port, "/elsewhere")
        assert response.status == 404
        assert response.header_all("x-response-trace") == []


async def test_failing_response_plugin_turns_into_a_plain_500(echo_port: int) -> None:
    doc = _doc(
        f"url: http://127.0.0.1:{echo_port}",
        "  - name: test-broken-response\n  - name: test-high\n",
    )
    async with running_gateway(doc) as gw:
        response = await send_get(gw.port, "/a")
        assert response.status == 500
        assert response.json() == {
            "message": "An unexpected error occurred",
            "request_id": response.header("x-request-id"),
        }
        assert b"boom" not in response.body
