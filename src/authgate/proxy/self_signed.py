"""Self-signed certificates: the https port's default certificate, and test certificates.

When the configuration has ``certificates`` but no ``--tls-cert`` is given, the supervisor
writes one of these (CN=localhost, SAN localhost and 127.0.0.1) into its private runtime
directory, as Kong does at start, so a handshake whose name matches no SNI still completes.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

__all__ = [
    "DEFAULT_NAMES",
    "KeyKind",
    "self_signed_pem",
    "write_default_certificate",
    "write_private",
]

DEFAULT_NAMES = ("localhost", "127.0.0.1")
KeyKind = Literal["ecdsa", "rsa"]


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def self_signed_pem(
    common_name: str,
    names: Sequence[str] = DEFAULT_NAMES,
    key_kind: KeyKind = "ecdsa",
    hours: float = 24 * 365,
) -> tuple[bytes, bytes]:
    """(certificate, unencrypted PKCS#8 key) in PEM: its own CA, valid ``hours`` from now.

    ``names`` become the subjectAltName: IP addresses as such, anything else as DNS names.
    """
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    if key_kind == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=hours))
        .add_extension(
            x509.SubjectAlternativeName([_general_name(n) for n in names]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file only its owner can read (0600 from the start)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # the file may have existed with a wider mode
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def write_default_certificate(folder: Path) -> tuple[Path, Path]:
    """Write the https port's default certificate (CN=localhost) into ``folder``.

    Returns the paths of the certificate and of its key, both 0600.
    """
    cert, key = self_signed_pem("localhost")
    cert_path, key_path = folder / "default-cert.pem", folder / "default-cert.key"
    write_private(cert_path, cert)
    write_private(key_path, key)
    return cert_path, key_path
