"""Runtime swaps, draining, and TLS to upstreams (verification on)."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

from authgate.proxy.start import ProxySettings
from authgate.proxy.tls import server_context
from authgate.testing.certs import self_signed
from authgate.testing.in_process import running_gateway, upstream_config
from authgate.testing.raw_client import RawClient, send_raw
from authgate.testing.raw_upstream import RawUpstream, Reply


async def _until_received(upstream: RawUpstream, count: int) -> None:
    """Wait (bounded) until the upstream has seen ``count`` requests: routing is behind them."""
    async with asyncio.timeout(10):
        while len(upstream.requests) < count:
            await asyncio.sleep(0.005)


async def test_swap_serves_new_requests_while_in_flight_ones_finish() -> None:
    release = asyncio.Event()
    upstream = RawUpstream(lambda request: Reply(hold=release if request.target == "/a" else None))
    async with upstream, running_gateway(upstream_config(upstream.port)) as gateway:
        client = await RawClient.connect(gateway.port)
        await client.send(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        await _until_received(upstream, 1)
        gateway.load(upstream_config(upstream.port, "{name: r, paths: [/new]}"))
        release.set()
        [in_flight] = await client.read_responses(1)
        client.close()
        assert in_flight.status == 200
        [old_path] = await send_raw(
            gateway.port, b"GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        assert old_path.status == 404
        [new_path] = await send_raw(
            gateway.port, b"GET /new HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        assert new_path.status == 200


async def test_drain_finishes_in_flight_requests_and_closes_idle_connections() -> None:
    release = asyncio.Event()
    upstream = RawUpstream(
        lambda request: Reply(hold=release if request.target == "/busy" else None)
    )
    async with upstream, running_gateway(upstream_config(upstream.port)) as gateway:
        port = gateway.port
        idle = await RawClient.connect(port)
        await idle.send(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        await idle.read_responses(1)
        busy = await RawClient.connect(gateway.port)
        await busy.send(b"GET /busy HTTP/1.1\r\nHost: x\r\n\r\n")
        await _until_received(upstream, 2)
        drained = asyncio.get_running_loop().create_task(gateway.server.drain(5))
        assert await idle.closed(1)
        release.set()
        await drained
        [response] = await busy.read_responses(1)
        assert response.status == 200
        assert response.header("connection") == "close"
        assert await busy.closed(1)
        assert gateway.server.connections == 0
        idle.close()
        busy.close()
        try:
            await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            pass
        else:
            raise AssertionError("the listener still accepts after drain")


def _self_signed(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    files = self_signed(tmp_path)
    return server_context(files), ssl.create_default_context(cafile=str(files.cert))


async def test_https_upstream_is_verified(tmp_path: Path) -> None:
    server_ctx, trusting = _self_signed(tmp_path)
    upstream = RawUpstream()
    port = await upstream.start(tls=server_ctx)
    config = (
        f'_format_version: "3.0"\nservices:\n  - name: s\n    url: https://127.0.0.1:{port}\n'
        "    retries: 0\n    routes: [{name: r, paths: [/]}]\n"
    )
    request = b"GET /tls HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    try:
        async with (
            running_gateway(config, ProxySettings(upstream_ssl_context=trusting)) as trusted,
            running_gateway(config) as untrusted,
        ):
            [ok] = await send_raw(trusted.port, request)
            assert ok.status == 200
            assert upstream.requests[-1].header("host") == f"127.0.0.1:{port}"
            [refused] = await send_raw(untrusted.port, request)
            assert refused.status == 502
            assert untrusted.records[-1].upstream_error == "tls"
            assert len(upstream.requests) == 1
    finally:
        upstream.close()
