"""Certificates from the config on the https port: Kong's SNI order (exact, `*.x`, `x.*`,
`*`, default), RSA + ECDSA from one certificate, and reloads for new handshakes only."""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import json
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from authgate.config import ConfigError, GatewayConfig, load_config_text
from authgate.plugins.registry import plugin_schemas
from authgate.plugins.services import PluginServices
from authgate.proxy.runtime import Runtime, RuntimeHolder
from authgate.proxy.server.limits import ServerLimits
from authgate.proxy.server.listener import HttpServer
from authgate.proxy.start import start_server
from authgate.proxy.tls import ServerTls, TlsFiles
from authgate.proxy.workers.loaded_config import parse_config_text
from authgate.testing.certs import self_signed


@dataclass
class Pem:
    cert: str
    key: str

    @classmethod
    def of(cls, files: TlsFiles) -> Pem:
        return cls(files.cert.read_text(), files.key.read_text())

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(ssl.PEM_cert_to_DER_cert(self.cert)).hexdigest()


@dataclass
class Certs:
    default: Pem
    exact: Pem
    prefix: Pem
    suffix: Pem
    rsa: Pem
    ecdsa: Pem
    folder: Path


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    folder = tmp_path_factory.mktemp("certs")

    def make(name: str, names: tuple[str, ...], key_kind: Any = "ecdsa") -> Pem:
        return Pem.of(self_signed(folder, name, names=names, key_kind=key_kind))

    return Certs(
        default=Pem.of(self_signed(folder, "default")),
        exact=make("exact", ("api.example.com",)),
        prefix=make("prefix", ("*.example.com",)),
        suffix=make("suffix", ("example.org",)),
        rsa=make("rsa", ("dual.example.net",), "rsa"),
        ecdsa=make("ecdsa", ("dual.example.net",)),
        folder=folder,
    )


def config_text(echo_port: int, certificates: list[dict[str, Any]]) -> str:
    service = {"name": "echo", "url": f"http://127.0.0.1:{echo_port}", "routes": [
        {"name": "open", "paths": ["/open"]}
    ]}  # fmt: skip
    return json.dumps(
        {"_format_version": "3.0", "services": [service], "certificates": certificates}
    )


def entries(certs: Certs) -> list[dict[str, Any]]:
    return [
        {"cert": certs.exact.cert, "key": certs.exact.key, "snis": ["api.example.com"]},
        {"cert": certs.prefix.cert, "key": certs.prefix.key, "snis": ["*.example.com"]},
        {"cert": certs.suffix.cert, "key": certs.suffix.key, "snis": ["example.*"]},
        {"cert": certs.rsa.cert, "key": certs.rsa.key, "cert_alt": certs.ecdsa.cert,
         "key_alt": certs.ecdsa.key, "snis": ["dual.example.net"]},
    ]  # fmt: skip


@dataclass
class TlsGateway:
    server: HttpServer
    tls: ServerTls
    holder: RuntimeHolder
    echo_port: int

    @property
    def port(self) -> int:
        port: int = self.server.tls_sockets[0].getsockname()[1]
        return port

    def load(self, certificates: list[dict[str, Any]]) -> GatewayConfig:
        """What a worker does on reload: build the runtime and the certificates, then swap."""
        config = load_config_text(config_text(self.echo_port, certificates), plugin_schemas())
        runtime = Runtime.build(config, self.holder.current.services)
        self.tls.use_certificates(config)
        self.holder.swap(runtime)
        return config


@pytest.fixture
async def gateway(echo_port: int, certs: Certs) -> AsyncIterator[TlsGateway]:
    tls = ServerTls(TlsFiles(certs.folder / "default.pem", certs.folder / "default.key"))
    config = load_config_text(config_text(echo_port, entries(certs)), plugin_schemas())
    tls.use_certificates(config)
    holder = RuntimeHolder(Runtime.build(config, PluginServices()))
    server = await start_server(
        holder, "127.0.0.1", 0, limits=ServerLimits(client_header_timeout=2.0), tls=tls
    )
    try:
        yield TlsGateway(server, tls, holder, echo_port)
    finally:
        await server.drain(1.0)


def _client_context() -> ssl.SSLContext:
    """A client that takes any certificate: the tests compare what was served."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def served(port: int, name: str, context: ssl.SSLContext | None = None) -> str:
    """The fingerprint of the certificate served to a handshake with SNI ``name`` ('' none)."""
    _, writer = await asyncio.open_connection(
        "127.0.0.1", port, ssl=context or _client_context(), server_hostname=name
    )
    der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    writer.close()
    return hashlib.sha256(der).hexdigest()


@pytest.mark.parametrize(
    ("server_name", "expected"),
    [
        ("api.example.com", "exact"),
        ("API.Example.COM", "exact"),
        ("x.example.com", "prefix"),
        ("a.b.example.com", "default"),  # a wildcard stands for one label, as in Kong
        ("example.org", "suffix"),
        ("example.net", "suffix"),
        ("unknown.test", "default"),
        ("", "default"),  # no SNI at all
    ],
)
async def test_the_certificate_whose_sni_matches_is_served_in_kongs_order(
    gateway: TlsGateway, certs: Certs, server_name: str, expected: str
) -> None:
    pem: Pem = getattr(certs, expected)
    assert await served(gateway.port, server_name) == pem.fingerprint


async def test_a_catch_all_sni_replaces_the_default_certificate(
    gateway: TlsGateway, certs: Certs
) -> None:
    catch_all = {"cert": certs.suffix.cert, "key": certs.suffix.key, "snis": ["*"]}
    gateway.load([entries(certs)[0], catch_all])
    assert await served(gateway.port, "unknown.test") == certs.suffix.fingerprint
    assert await served(gateway.port, "api.example.com") == certs.exact.fingerprint
    assert await served(gateway.port, "") == certs.default.fingerprint


@pytest.mark.parametrize(
    ("cipher", "expected"),
    [("ECDHE-RSA-AES128-GCM-SHA256", "rsa"), ("ECDHE-ECDSA-AES128-GCM-SHA256", "ecdsa")],
)
async def test_a_dual_certificate_serves_the_chain_the_client_can_use(
    gateway: TlsGateway, certs: Certs, cipher: str, expected: str
) -> None:
    context = _client_context()
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(cipher)
    pem: Pem = getattr(certs, expected)
    assert await served(gateway.port, "dual.example.net", context) == pem.fingerprint


async def test_requests_are_proxied_under_the_sni_certificate(
    gateway: TlsGateway, certs: Certs
) -> None:
    verify = ssl.create_default_context(cadata=certs.exact.cert)
    async with httpx.AsyncClient(verify=verify) as client:
        response = await client.get(
            f"https://127.0.0.1:{gateway.port}/open",
            headers={"host": "api.example.com"},
            extensions={"sni_hostname": "api.example.com"},
        )
    assert response.status_code == 200
    assert dict(response.json()["headers"])["x-forwarded-proto"] == "https"


async def test_a_reload_serves_a_changed_certificate_to_new_handshakes_only(
    gateway: TlsGateway, certs: Certs
) -> None:
    before = dict(gateway.tls.names)
    verify = ssl.create_default_context(cadata=certs.exact.cert)
    async with httpx.AsyncClient(verify=verify) as kept:
        first = await kept.get(
            f"https://127.0.0.1:{gateway.port}/open", extensions={"sni_hostname": "api.example.com"}
        )
        assert first.status_code == 200
        renewed = Pem.of(self_signed(certs.folder, "renewed", names=("api.example.com",)))
        changed = entries(certs)
        changed[0] = {**changed[0], "cert": renewed.cert, "key": renewed.key}
        gateway.load(changed)
        # The open connection keeps the certificate it was handshaken with.
        again = await kept.get(
            f"https://127.0.0.1:{gateway.port}/open", extensions={"sni_hostname": "api.example.com"}
        )
        assert again.status_code == 200
    assert await served(gateway.port, "api.example.com") == renewed.fingerprint
    # An unchanged certificate is not rebuilt.
    assert gateway.tls.names["*.example.com"] is before["*.example.com"]
    assert gateway.tls.names["api.example.com"] is not before["api.example.com"]


async def test_a_reload_without_certificates_leaves_only_the_default(
    gateway: TlsGateway, certs: Certs
) -> None:
    gateway.load([])
    assert await served(gateway.port, "api.example.com") == certs.default.fingerprint


def test_a_certificate_openssl_refuses_is_a_config_error_with_its_path(echo_port: int) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "weak")])
    now = datetime.datetime.now(datetime.UTC)
    weak = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(hours=1))
        .sign(key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    entry = {
        "cert": weak.public_bytes(pem).decode(),
        "key": key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode(),
    }
    with pytest.raises(ConfigError) as info:
        parse_config_text(config_text(echo_port, [entry]), version=1)
    ((path, message),) = info.value.issues
    assert path == "certificates[0]"
    assert message.endswith("cannot be used: EE_KEY_TOO_SMALL")
    assert "PRIVATE KEY" not in message
