"""Upgrade (WebSocket) through the proxy: bytes flow both ways after the upstream's 101."""

from __future__ import annotations

import os

import websockets

from authgate.testing.in_process import Gateway
from authgate.testing.raw_client import send_raw


async def test_websocket_messages_are_echoed_through_the_tunnel(gateway: Gateway) -> None:
    async with websockets.connect(f"ws://127.0.0.1:{gateway.port}/ws") as ws:
        for message in ("hello", os.urandom(100_000).hex()):
            await ws.send(message)
            assert await ws.recv() == message
        await ws.send(b"\x00\x01binary")
        assert await ws.recv() == b"\x00\x01binary"
    await gateway.server.drain(2)
    record = gateway.records[-1]
    assert record.status == 101
    assert record.bytes_out > 100_000


async def test_websocket_handshake_response_carries_request_id_and_via(gateway: Gateway) -> None:
    async with websockets.connect(
        f"ws://127.0.0.1:{gateway.port}/ws", additional_headers={"X-Request-Id": "ws-1"}
    ) as ws:
        assert ws.response is not None
        assert ws.response.headers["x-request-id"] == "ws-1"
        assert "authgate/" in ws.response.headers["via"]


async def test_refused_upgrade_is_answered_and_the_connection_closed(gateway: Gateway) -> None:
    request = (
        b"GET /not-a-socket HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    )
    [response] = await send_raw(gateway.port, request)
    assert response.status != 101
    assert response.complete
