"""Several real upstreams on loopback behind one balanced service, for the balancer tests."""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager

from authgate.config import load_config_text
from authgate.plugins.access_record import AccessRecord
from authgate.plugins.registry import plugin_schemas
from authgate.plugins.services import PluginServices
from authgate.proxy.runtime import Runtime, RuntimeHolder
from authgate.proxy.start import start_server
from authgate.testing.in_process import Gateway
from authgate.testing.raw_client import RawResponse, parse_responses
from authgate.testing.raw_upstream import RawUpstream, Reply, SeenRequest

HEAD = '_format_version: "3.0"\n'


def answer(name: str, status: int = 200) -> Callable[[SeenRequest], Reply]:
    """A script answering ``status`` with the upstream's ``name`` as the body."""
    body = name.encode()
    data = b"HTTP/1.1 %d X\r\nContent-Length: %d\r\n\r\n%s" % (status, len(body), body)
    return lambda request: Reply(data)


@asynccontextmanager
async def upstreams(count: int) -> AsyncIterator[list[RawUpstream]]:
    """``count`` upstreams answering 200 with their index ("u0", "u1", …)."""
    async with AsyncExitStack() as stack:
        started = [
            await stack.enter_async_context(RawUpstream(answer(f"u{i}"))) for i in range(count)
        ]
        yield started


async def refused_port() -> int:
    """A loopback port that refuses connections (a server was there a moment ago)."""
    dead = RawUpstream()
    await dead.start()
    port = dead.port
    dead.close()
    return port


def balanced_config(
    targets: list[str], upstream: str = "", service: str = "", route: str = ""
) -> str:
    """Service ``s`` (host ``backend``) with a catch-all route, balanced over ``targets``.

    ``upstream``, ``service`` and ``route`` are extra YAML lines (already indented) for the
    upstream, the service and the route.
    """
    lines = "".join(f"      - target: {t}\n" for t in targets)
    return (
        HEAD
        + "services:\n  - name: s\n    host: backend\n    port: 1\n"
        + service
        + "    routes:\n      - name: r\n        paths: [/]\n"
        + route
        + "upstreams:\n  - name: backend\n"
        + upstream
        + "    targets:\n"
        + lines
    )


@asynccontextmanager
async def balanced_gateway(
    config_text: str, services: PluginServices | None = None
) -> AsyncIterator[Gateway]:
    """An in-process gateway (built with ``services``, by default on the real clocks); its
    health checks stop and it drains on the way out."""
    config = load_config_text(textwrap.dedent(config_text), plugin_schemas())
    records: list[AccessRecord] = []
    services = services if services is not None else PluginServices()
    holder = RuntimeHolder(Runtime.build(config, services, observers=[records.append]))
    gateway = Gateway(await start_server(holder, "127.0.0.1", 0), holder, records)
    try:
        yield gateway
    finally:
        holder.close()
        await gateway.server.drain(1.0)


async def get(
    port: int, path: str = "/", headers: str = "", source: str = "127.0.0.1"
) -> RawResponse:
    """One GET on its own connection from ``source`` (any 127.0.0.0/8 address)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    try:
        request = f"GET {path} HTTP/1.1\r\nHost: x\r\n{headers}Connection: close\r\n\r\n"
        writer.write(request.encode())
        data = await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()
    [response] = parse_responses(data)
    return response


async def bodies(port: int, count: int, **options: str) -> list[str]:
    """The bodies of ``count`` sequential GETs."""
    return [(await get(port, **options)).body.decode() for _ in range(count)]


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll ``condition`` every 10 ms (for timers of a few tens of ms)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)
