"""`authgate gateway` with certificates in its config and no --tls-cert: the https port opens
with a generated default certificate, SNIs pick the config's, reloads reach new handshakes."""

from __future__ import annotations

import hashlib
import json
import socket
import ssl
import stat
import tempfile
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from lifecycle_configs import GatewayFactory, bar_config

from authgate.proxy.tls import TlsFiles
from authgate.testing import free_port
from authgate.testing.certs import self_signed
from authgate.testing.gateway import eventually

NO_PORT_WARNING = (
    "authgate: WARNING: the configuration has certificates but the gateway has no https port"
)


def _served(port: int, server_name: str) -> x509.Certificate:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=server_name or None) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der)


def _sha(files: TlsFiles) -> str:
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(files.cert.read_text())).hexdigest()


def _served_sha(port: int, server_name: str) -> str:
    der = _served(port, server_name).public_bytes(serialization.Encoding.DER)
    return hashlib.sha256(der).hexdigest()


def _config(echo_port: int, files: TlsFiles) -> str:
    base = bar_config(echo_port)
    certificate = {
        "cert": files.cert.read_text(),
        "key": files.key.read_text(),
        "snis": ["api.example.com"],
    }
    return base + "certificates: " + json.dumps([certificate]) + "\n"


def test_config_certificates_open_the_https_port_with_a_generated_default(
    gateways: GatewayFactory, tmp_path: Path, echo_port: int
) -> None:
    files = self_signed(tmp_path, "api", names=("api.example.com",))
    port = free_port()
    gateway = gateways(
        workers=2, config_text=_config(echo_port, files), args=("--tls-listen", f"127.0.0.1:{port}")
    )
    for _ in range(8):  # fresh handshakes reach both workers
        assert _served_sha(port, "api.example.com") == _sha(files)
    default = _served(port, "unknown.test")
    assert default.subject.rfc4514_string() == "CN=localhost"
    names = default.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(n) for n in names.get_values_for_type(x509.DNSName)] == ["localhost"]
    assert [str(n) for n in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    assert _served_sha(port, "") == _served_sha(port, "unknown.test")
    # The generated key is private to the supervisor's runtime directory.
    (key,) = Path(tempfile.gettempdir()).glob(f"authgate-gateway-{gateway.pid}-*/default-cert.key")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700

    verify = ssl.create_default_context(cafile=str(files.cert))
    with httpx.Client(verify=verify) as client:
        response = client.get(
            f"https://127.0.0.1:{port}/bar", extensions={"sni_hostname": "api.example.com"}
        )
    assert response.status_code == 200

    # POST /config with a renewed certificate: new handshakes get it, in every worker.
    renewed = self_signed(tmp_path, "renewed", names=("api.example.com",))
    posted = httpx.post(gateway.admin + "/config", content=_config(echo_port, renewed))
    assert posted.status_code == 201, posted.text
    eventually(lambda: all(_served_sha(port, "api.example.com") == _sha(renewed) for _ in range(8)))
    assert NO_PORT_WARNING not in gateway.process.log()


def test_a_reload_bringing_certificates_to_a_gateway_without_https_warns_once(
    gateways: GatewayFactory, tmp_path: Path, echo_port: int
) -> None:
    gateway = gateways(workers=1)
    files = self_signed(tmp_path, "api", names=("api.example.com",))
    posted = httpx.post(gateway.admin + "/config", content=_config(echo_port, files))
    assert posted.status_code == 201, posted.text
    assert httpx.get(gateway.proxy + "/bar").status_code == 200
    eventually(lambda: NO_PORT_WARNING in gateway.process.log())
    assert gateway.process.log().count(NO_PORT_WARNING) == 1
