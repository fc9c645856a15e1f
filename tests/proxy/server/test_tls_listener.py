"""The https listener: TLS 1.2+ with ALPN http/1.1, the same proxy as the http port,
certificate reload without dropping connections, clear errors for unusable files."""

from __future__ import annotations

import asyncio
import hashlib
import ssl
import textwrap
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
import pytest

from authgate.config import load_config_text
from authgate.plugins.registry import plugin_schemas
from authgate.plugins.services import PluginServices
from authgate.proxy.runtime import Runtime, RuntimeHolder
from authgate.proxy.server.limits import ServerLimits
from authgate.proxy.server.listener import HttpServer
from authgate.proxy.start import start_server
from authgate.proxy.tls import ServerTls, TlsFiles, TlsSetupError, server_context
from authgate.testing.certs import self_signed


@dataclass
class TlsGateway:
    server: HttpServer
    tls: ServerTls
    files: TlsFiles

    @property
    def http_port(self) -> int:
        port: int = self.server.sockets[0].getsockname()[1]
        return port

    @property
    def https_port(self) -> int:
        port: int = self.server.tls_sockets[0].getsockname()[1]
        return port

    def client(self, cafile: Path | None = None) -> httpx.AsyncClient:
        verify = ssl.create_default_context(cafile=str(cafile or self.files.cert))
        return httpx.AsyncClient(base_url=f"https://127.0.0.1:{self.https_port}", verify=verify)


def _config(echo_port: int) -> str:
    return textwrap.dedent(
        f"""\
        _format_version: "3.0"
        services:
          - name: echo
            url: http://127.0.0.1:{echo_port}
            routes:
              - {{name: open, paths: [/open], strip_path: true}}
              - name: secure
                paths: [/secure]
                strip_path: false
                protocols: [https]
        """
    )


@pytest.fixture
async def gateway(echo_port: int, tmp_path: Path) -> AsyncIterator[TlsGateway]:
    files = self_signed(tmp_path)
    tls = ServerTls(files)
    config = load_config_text(_config(echo_port), plugin_schemas())
    holder = RuntimeHolder(Runtime.build(config, PluginServices()))
    limits = ServerLimits(client_header_timeout=1.0)
    server = await start_server(holder, "127.0.0.1", 0, limits=limits, tls=tls)
    try:
        yield TlsGateway(server, tls, files)
    finally:
        await server.drain(1.0)


async def _handshake(port: int, context: ssl.SSLContext) -> ssl.SSLObject:
    _, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context)
    ssl_object = writer.get_extra_info("ssl_object")
    writer.close()
    assert isinstance(ssl_object, ssl.SSLObject)
    return ssl_object


def _fingerprint(ssl_object: ssl.SSLObject) -> str:
    der = ssl_object.getpeercert(binary_form=True)
    assert der is not None
    return hashlib.sha256(der).hexdigest()


def _trusting(*files: TlsFiles) -> ssl.SSLContext:
    context = ssl.create_default_context()
    for item in files:
        context.load_verify_locations(cafile=str(item.cert))
    return context


async def test_https_requests_are_proxied_with_the_https_forwarded_headers(
    gateway: TlsGateway,
) -> None:
    async with gateway.client() as client:
        responses = [await client.get("/open/x", params={"n": str(n)}) for n in range(5)]
    assert [r.status_code for r in responses] == [200] * 5
    seen = dict(orjson.loads(responses[0].content)["headers"])
    assert seen["x-forwarded-proto"] == "https"
    assert seen["x-forwarded-port"] == str(gateway.https_port)
    assert responses[0].http_version == "HTTP/1.1"


async def test_an_https_only_route_refuses_http_and_serves_https(gateway: TlsGateway) -> None:
    async with httpx.AsyncClient() as plain:
        refused = await plain.get(f"http://127.0.0.1:{gateway.http_port}/secure")
    assert refused.status_code == 426
    async with gateway.client() as client:
        served = await client.get("/secure")
    assert served.status_code == 200


async def test_large_bodies_stream_both_ways_over_tls(gateway: TlsGateway) -> None:
    size = 8 * 1024 * 1024
    async with gateway.client() as client:
        down = await client.get(f"/open/bytes/{size}")
        up = await client.post("/open/upload", content=b"u" * size)
    assert down.status_code == 200
    assert len(down.content) == size
    assert up.status_code == 200
    echoed = orjson.loads(up.content)
    assert echoed["body_length"] == size
    assert echoed["body_sha256"] == hashlib.sha256(b"u" * size).hexdigest()


async def test_only_tls_1_2_and_up_and_alpn_http_1_1_are_offered(gateway: TlsGateway) -> None:
    tls12 = _trusting(gateway.files)
    tls12.maximum_version = ssl.TLSVersion.TLSv1_2
    tls12.set_alpn_protocols(["h2", "http/1.1"])
    negotiated = await _handshake(gateway.https_port, tls12)
    assert negotiated.version() == "TLSv1.2"
    assert negotiated.selected_alpn_protocol() == "http/1.1"
    old = _trusting(gateway.files)
    old.minimum_version = ssl.TLSVersion.TLSv1
    old.maximum_version = ssl.TLSVersion.TLSv1_1
    old.set_ciphers("ALL:@SECLEVEL=0")
    with pytest.raises((ssl.SSLError, ConnectionError)):
        await _handshake(gateway.https_port, old)


async def test_plain_http_and_silence_on_the_https_port_are_dropped_and_serving_goes_on(
    gateway: TlsGateway,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", gateway.https_port)
    writer.write(b"GET /open HTTP/1.1\r\nHost: x\r\n\r\n")
    answer = await asyncio.wait_for(reader.read(), 5)
    assert not answer.startswith(b"HTTP/1.1 200")
    writer.close()
    # A client that never starts the handshake is cut off at the header timeout (1 s here).
    reader, writer = await asyncio.open_connection("127.0.0.1", gateway.https_port)
    assert await asyncio.wait_for(reader.read(), 10) == b""
    writer.close()
    async with gateway.client() as client:
        assert (await client.get("/open")).status_code == 200


async def test_a_reload_serves_the_new_certificate_to_new_handshakes_only(
    gateway: TlsGateway, tmp_path: Path
) -> None:
    first = _fingerprint(await _handshake(gateway.https_port, _trusting(gateway.files)))
    async with gateway.client() as kept:
        assert (await kept.get("/open")).status_code == 200
        renewed = self_signed(tmp_path, "renewed")
        gateway.files.cert.write_bytes(renewed.cert.read_bytes())
        gateway.files.key.write_bytes(renewed.key.read_bytes())
        gateway.tls.reload()
        # The open keep-alive connection goes on with the certificate it was given.
        assert (await kept.get("/open")).status_code == 200
    second = _fingerprint(await _handshake(gateway.https_port, _trusting(renewed)))
    assert second != first
    assert second == hashlib.sha256(ssl.PEM_cert_to_DER_cert(renewed.cert.read_text())).hexdigest()


async def test_a_failed_reload_keeps_the_served_certificate(gateway: TlsGateway) -> None:
    before = _fingerprint(await _handshake(gateway.https_port, _trusting(gateway.files)))
    gateway.files.key.write_text("not a key\n")
    with pytest.raises(TlsSetupError, match="cannot be used"):
        gateway.tls.reload()
    after = _fingerprint(await _handshake(gateway.https_port, _trusting(gateway.files)))
    assert after == before


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("no-cert", r"TLS certificate file .*server\.pem does not exist"),
        ("no-key", r"TLS key file .*server\.key does not exist"),
        ("garbage-cert", r"TLS certificate .* cannot be used"),
        ("other-key", r"cannot be used: KEY_VALUES_MISMATCH"),
    ],
)
def test_unusable_certificate_files_are_refused_with_the_reason(
    tmp_path: Path, damage: str, message: str
) -> None:
    files = self_signed(tmp_path)
    if damage == "no-cert":
        files.cert.unlink()
    elif damage == "no-key":
        files.key.unlink()
    elif damage == "garbage-cert":
        files.cert.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    else:
        files.key.write_bytes(self_signed(tmp_path, "other").key.read_bytes())
    with pytest.raises(TlsSetupError, match=message):
        server_context(files)
