"""One request scope: plugins get the proxy's own request object, typed slots keep their state.

What a plugin changes (path, query, consumer) is what the proxy forwards and logs, with no copy
in between; a :class:`~authgate.plugins.base.Slot` lives exactly as long as its request.
"""

from __future__ import annotations

from typing import ClassVar

import orjson
from pydantic import BaseModel

from authgate.plugins.access_record import AccessRecord
from authgate.plugins.base import Headers, Plugin, PluginResponse, RequestContext, Slot
from authgate.plugins.registry import register
from authgate.testing.in_process import running_gateway
from authgate.testing.raw_client import send_get
from plugins import sample_plugins

SEEN: Slot[str] = Slot("test-scope.seen")
OTHER: Slot[int] = Slot("test-scope.other")
SCOPES: list[tuple[str, int, str | None, str | None]] = []


@register
class ScopeWatcher(Plugin):
    """Rewrites the upstream target, keeps a slot value, reports what each phase saw."""

    name: ClassVar[str] = "test-scope"
    priority: ClassVar[int] = 1000
    Config: ClassVar[type[BaseModel]] = sample_plugins.NoConfig

    async def access(self, ctx: RequestContext) -> PluginResponse | None:
        SCOPES.append(("access", id(ctx), ctx.get(SEEN), None))
        ctx.put(SEEN, ctx.headers.get("x-tag") or "none")
        ctx.upstream_path = "/rewritten"
        ctx.query = "from=plugin"
        return None

    def response(self, ctx: RequestContext, status: int, headers: Headers) -> None:
        SCOPES.append(("response", id(ctx), ctx.get(SEEN), None))
        headers.set("x-seen", ctx.get(SEEN) or "")

    def log(self, ctx: RequestContext, record: AccessRecord) -> None:
        SCOPES.append(("log", id(ctx), ctx.get(SEEN), record.consumer))


def _doc(echo_port: int) -> str:
    return (
        '_format_version: "3.0"\n'
        "consumers:\n  - username: alice\n"
        f"services:\n  - name: s\n    url: http://127.0.0.1:{echo_port}\n"
        "    routes: [{name: a, paths: [/a]}]\n"
        "plugins:\n  - name: test-scope\n  - name: test-login\n"
    )


async def test_the_plugin_context_is_the_request_the_proxy_forwards(echo_port: int) -> None:
    async with running_gateway(_doc(echo_port)) as gw:
        SCOPES.clear()
        response = await send_get(gw.port, "/a?x=1", "x-tag: first\r\nx-user: alice\r\n")
        assert response.status == 200
        echoed = orjson.loads(response.body)
        assert (echoed["path"], echoed["query"]) == ("/rewritten", "from=plugin")
        assert response.header("x-seen") == "first"
        phases = [(phase, seen, consumer) for phase, _, seen, consumer in SCOPES]
        assert phases == [
            ("access", None, None),
            ("response", "first", None),
            ("log", "first", "alice"),
        ]
        assert len({scope_id for _, scope_id, _, _ in SCOPES}) == 1

        SCOPES.clear()
        second = await send_get(gw.port, "/a", "x-tag: second\r\n")
        assert second.header("x-seen") == "second"
        assert SCOPES[0][2] is None, "a slot value leaked from the previous request"
        assert SCOPES[-1][3] is None


def _context() -> RequestContext:
    return RequestContext(
        request_id="r",
        method="GET",
        path="/",
        query="",
        headers=Headers(),
        client_ip="127.0.0.1",
        scheme="http",
        host="h",
        port=80,
        http_version="1.1",
    )


def test_slots_are_separate_keys_even_with_the_same_name() -> None:
    ctx = _context()
    twin: Slot[str] = Slot("test-scope.seen")
    assert ctx.get(SEEN) is None
    ctx.put(SEEN, "a")
    ctx.put(OTHER, 2)
    assert (ctx.get(SEEN), ctx.get(OTHER), ctx.get(twin)) == ("a", 2, None)
    assert _context().get(SEEN) is None
