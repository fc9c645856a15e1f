"""Real pieces for the browser tests, wired on loopback:

- ``CountingIdp``: the embedded IdP (uvicorn in a thread, fake clock) that also records every
  request path it serves, so a test can say "no IdP round trip".
- ``GatewayThread``: the real data plane (``start_server`` on uvloop) in a background thread,
  with the openid-connect plugin sharing the IdP's fake clock (session idle/absolute expiry
  without sleeping).
- ``workshop_config``: the workshop route ``/bar`` protected by browser login.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn
import uvloop

from authgate.config import load_config_text
from authgate.idp.storage.store import IdpStore
from authgate.idp.web.app import create_app
from authgate.plugins.registry import plugin_schemas
from authgate.plugins.services import PluginServices
from authgate.proxy.runtime import Runtime, RuntimeHolder
from authgate.proxy.server.listener import HttpServer
from authgate.proxy.start import start_server
from authgate.testing import free_port
from authgate.testing.clock import FakeClock
from authgate.testing.third_party_op import ThirdPartyOp
from idp.oidc_harness import IdpServer

__all__ = [
    "OP_EMAIL",
    "OP_PASSWORD",
    "CountingIdp",
    "GatewayThread",
    "OffsetClock",
    "StartOp",
    "route_config",
]

OP_EMAIL = "grace@example.org"
OP_PASSWORD = "Third-Party-Pass-7"
StartOp = Callable[..., ThirdPartyOp]
"""``start_op(client_id, client_secret, redirect_uris, post_logout_redirect_uris=(), ...)``."""


class CountingIdp(IdpServer):
    """The embedded IdP that records ``(method, path)`` of every HTTP request it serves."""

    def __init__(self, db_url: str, **settings: Any) -> None:
        super().__init__(db_url, **settings)
        self.requests: list[tuple[str, str]] = []

    async def _serve(self) -> None:
        self.store = await IdpStore.open(self.db_url, clock=self.clock)
        app = create_app(self.store, self.settings)

        async def counting(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                self.requests.append((scope["method"], scope["path"]))
            await app(scope, receive, send)

        config = uvicorn.Config(counting, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._ready.set()
        try:
            await self._server.serve()
        finally:
            await self.store.close()

    def paths(self, suffix: str = "") -> list[str]:
        """Paths served so far that end with ``suffix``."""
        return [path for _, path in self.requests if path.endswith(suffix)]


class OffsetClock:
    """Real time plus an offset a test can move forward (for a gateway facing a real-time OP)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


class GatewayThread:
    """The gateway's data plane on a uvloop event loop in a daemon thread, on a fixed port."""

    def __init__(
        self, clock: FakeClock | OffsetClock | Callable[[], float], host: str = "127.0.0.1"
    ) -> None:
        self.clock = clock
        self.port = free_port()
        self.base = f"http://{host}:{self.port}"
        """The URL a browser uses (``host`` may be ``localhost``: cookies apart from the IdP's)."""
        self.loop = uvloop.new_event_loop()
        self.services = PluginServices(clock=clock)
        """What every runtime of this gateway is built with (a reload keeps them)."""
        self.server: HttpServer | None = None
        self.holder: RuntimeHolder
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self, config_text: str) -> GatewayThread:
        """Start the loop, load ``config_text`` and listen; raises what start-up raised."""
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(config_text), self.loop).result(30)
        return self

    async def _start(self, config_text: str) -> None:
        self.holder = RuntimeHolder(self._runtime(config_text))
        self.server = await start_server(self.holder, "127.0.0.1", self.port)

    def _runtime(self, config_text: str) -> Runtime:
        config = load_config_text(config_text, plugin_schemas())
        return Runtime.build(config, self.services)

    def reload(self, config_text: str) -> None:
        """Serve new requests with ``config_text`` (what a config reload does in a worker)."""

        async def swap() -> None:
            self.holder.swap(self._runtime(config_text))

        asyncio.run_coroutine_threadsafe(swap(), self.loop).result(30)

    def stop(self) -> None:
        """Drain the listener, then stop the loop and the thread."""
        if self.server is not None:
            asyncio.run_coroutine_threadsafe(self.server.drain(1.0), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


def route_config(echo_port: int, routes: dict[str, dict[str, Any] | None]) -> str:
    """A declarative config: one echo service, ``routes`` path -> openid-connect config.

    A route with config None is open. Values are dumped as JSON (YAML's flow subset).
    """
    lines = ['_format_version: "3.0"', "services:", "  - name: echo",
             f"    url: http://127.0.0.1:{echo_port}", "    routes:"]  # fmt: skip
    for number, (path, config) in enumerate(routes.items()):
        lines += [f"      - name: route{number}", f"        paths: [{json.dumps(path)}]"]
        if config is not None:
            lines += ["        plugins:", "          - name: openid-connect",
                      "            config:"]  # fmt: skip
            lines += [f"              {key}: {json.dumps(value)}" for key, value in config.items()]
    return "\n".join(lines) + "\n"
