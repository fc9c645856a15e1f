"""A plain GET goes through the gateway to the echo upstream and back."""

from __future__ import annotations

from authgate.testing.in_process import Gateway
from authgate.testing.raw_client import send_raw


async def test_plain_get_is_proxied_to_the_echo_upstream(gateway: Gateway) -> None:
    request = b"GET /hello?x=1 HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n"
    [response] = await send_raw(gateway.port, request)
    assert response.status == 200
    echoed = response.json()
    assert isinstance(echoed, dict)
    assert echoed["path"] == "/hello"
    assert echoed["query"] == "x=1"
    assert len(gateway.records) == 1
    assert gateway.records[0].status == 200
