"""An in-process gateway on a real socket for tests: ``running_gateway(config_text)``."""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from authgate.config import load_config_text
from authgate.plugins.access_record import AccessRecord
from authgate.plugins.registry import plugin_schemas
from authgate.plugins.services import PluginServices
from authgate.proxy.runtime import Runtime, RuntimeHolder
from authgate.proxy.server.limits import ServerLimits
from authgate.proxy.server.listener import HttpServer
from authgate.proxy.start import ProxySettings, start_server


@dataclass
class Gateway:
    """A running gateway; ``load`` swaps in a new config (YAML text), as a reload does: with
    the same services."""

    server: HttpServer
    holder: RuntimeHolder
    records: list[AccessRecord] = field(default_factory=list)

    @property
    def services(self) -> PluginServices:
        """The services every runtime of this gateway is built with."""
        return self.holder.current.services

    @property
    def port(self) -> int:
        port: int = self.server.sockets[0].getsockname()[1]
        return port

    def load(self, yaml_text: str) -> None:
        config = load_config_text(textwrap.dedent(yaml_text), plugin_schemas())
        runtime = Runtime.build(config, self.services, observers=[self.records.append])
        self.holder.swap(runtime)


def echo_config(echo_port: int, extra_route: str = "", **service: object) -> str:
    """A config with one service on the echo upstream and a catch-all route ``/``."""
    options = "".join(f"    {k}: {v}\n" for k, v in service.items())
    return (
        '_format_version: "3.0"\n'
        "services:\n"
        "  - name: echo\n"
        f"    url: http://127.0.0.1:{echo_port}\n"
        f"{options}"
        "    routes:\n"
        "      - name: root\n"
        "        paths: [/]\n"
        "        strip_path: false\n"
        f"{extra_route}"
    )


def upstream_config(port: int, route: str = "{name: r, paths: [/]}", options: str = "") -> str:
    """A config with one service ``s`` on ``127.0.0.1:port`` and one ``route`` (a YAML flow
    mapping; by default the catch-all ``/``). ``options`` are extra service lines."""
    return (
        '_format_version: "3.0"\n'
        "services:\n"
        "  - name: s\n"
        f"    url: http://127.0.0.1:{port}\n"
        f"{options}"
        f"    routes: [{route}]\n"
    )


@asynccontextmanager
async def running_gateway(
    config_text: str,
    settings: ProxySettings | None = None,
    *,
    limits: ServerLimits | None = None,
    services: PluginServices | None = None,
) -> AsyncIterator[Gateway]:
    """A gateway for config ``config_text`` on a free port (plugins built with ``services``,
    by default new ones on the real clocks), drained on the way out (also when the body
    fails)."""
    records: list[AccessRecord] = []
    config = load_config_text(textwrap.dedent(config_text), plugin_schemas())
    services = services if services is not None else PluginServices()
    holder = RuntimeHolder(Runtime.build(config, services, observers=[records.append]))
    server = await start_server(holder, "127.0.0.1", 0, settings=settings, limits=limits)
    gateway = Gateway(server, holder, records)
    try:
        yield gateway
    finally:
        await gateway.server.drain(1.0)
