"""A plugin can't split the upstream request head: CR/LF in a rewritten path, query or
preserved Host is refused with a 500 before anything reaches the upstream."""

from __future__ import annotations

from typing import ClassVar

import pytest
from pydantic import BaseModel, ConfigDict

from authgate.plugins.base import Plugin, PluginResponse, RequestContext
from authgate.plugins.registry import register
from authgate.testing.in_process import running_gateway
from authgate.testing.raw_client import send_raw


class _RewriteConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    part: str


@register
class _Rewriter(Plugin):
    name: ClassVar[str] = "test-rewrite-head"
    priority: ClassVar[int] = 100
    Config: ClassVar[type[BaseModel]] = _RewriteConfig

    async def access(self, ctx: RequestContext) -> PluginResponse | None:
        assert isinstance(self.config, _RewriteConfig)
        evil = "x\r\nx-injected: 1"
        if self.config.part == "path":
            ctx.upstream_path = "/" + evil
        elif self.config.part == "query":
            ctx.query = evil
        elif self.config.part == "host":
            items = ctx.headers.items()  # the live list: bypasses Headers.set's checks
            items[:] = [kv for kv in items if kv[0] != "host"] + [("host", evil)]
        else:
            ctx.upstream_path = "/fine"
        return None


@pytest.mark.parametrize(
    ("part", "status"), [("path", 500), ("query", 500), ("host", 500), ("none", 200)]
)
async def test_cr_lf_from_a_plugin_never_reaches_the_upstream(
    echo_port: int, part: str, status: int
) -> None:
    async with running_gateway(
        '_format_version: "3.0"\n'
        "services:\n  - name: echo\n"
        f"    url: http://127.0.0.1:{echo_port}\n"
        "    routes:\n      - name: r\n        paths: [/]\n        preserve_host: true\n"
        f"plugins:\n  - name: test-rewrite-head\n    config: {{part: {part}}}\n"
    ) as gw:
        request = b"GET /a?q=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        [response] = await send_raw(gw.port, request)
    assert response.status == status
    assert b"x-injected" not in response.body
