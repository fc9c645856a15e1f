"""Runtime swaps, draining, and TLS to upstreams (verification on)."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from authgate.proxy.server import ServerSettings
from proxy.gateway import Gateway, start_gateway
from proxy.raw_upstream import RawUpstream
from proxy.wire import RawClient, send_raw


async def test_swap_serves_new_requests_while_in_flight_ones_finish(
    gateway: Gateway, echo_port: int
) -> None:
    client = await RawClient.connect(gateway.port)
    await client.send(b"GET /delay/0.3 HTTP/1.1\r\nHost: x\r\n\r\n")
    await asyncio.sleep(0.1)
    gateway.load(
        f'_format_version: "3.0"\nservices:\n  - name: s\n    url: http://127.0.0.1:{echo_port}\n'
        "    routes: [{name: r, paths: [/new]}]\n"
    )
    [in_flight] = await client.read_responses(1)
    client.close()
    assert in_flight.status == 200
    [old_path] = await send_raw(
        gateway.port, b"GET /delay/0 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert old_path.status == 404
    [new_path] = await send_raw(
        gateway.port, b"GET /new HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert new_path.status == 200


async def test_drain_finishes_in_flight_requests_and_closes_idle_connections(
    gateway: Gateway,
) -> None:
    port = gateway.port
    idle = await RawClient.connect(port)
    await idle.send(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
    await idle.read_responses(1)
    busy = await RawClient.connect(gateway.port)
    await busy.send(b"GET /delay/0.3 HTTP/1.1\r\nHost: x\r\n\r\n")
    await asyncio.sleep(0.1)
    await gateway.server.drain(5)
    [response] = await busy.read_responses(1)
    assert response.status == 200
    assert response.header("connection") == "close"
    assert await idle.closed(1)
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
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


async def test_https_upstream_is_verified(tmp_path: Path) -> None:
    server_ctx, trusting = _self_signed(tmp_path)
    upstream = RawUpstream()
    port = await upstream.start(tls=server_ctx)
    config = (
        f'_format_version: "3.0"\nservices:\n  - name: s\n    url: https://127.0.0.1:{port}\n'
        "    retries: 0\n    routes: [{name: r, paths: [/]}]\n"
    )
    request = b"GET /tls HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    trusted = await start_gateway(config, ServerSettings(upstream_ssl_context=trusting))
    untrusted = await start_gateway(config)
    try:
        [ok] = await send_raw(trusted.port, request)
        assert ok.status == 200
        assert upstream.requests[-1].header("host") == f"127.0.0.1:{port}"
        [refused] = await send_raw(untrusted.port, request)
        assert refused.status == 502
        assert untrusted.records[-1].upstream_error == "tls"
        assert len(upstream.requests) == 1
    finally:
        await trusted.server.drain(1)
        await untrusted.server.drain(1)
        upstream.close()
