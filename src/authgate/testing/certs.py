"""Throwaway self-signed certificates for TLS tests on loopback (127.0.0.1 and localhost)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from authgate.proxy.self_signed import DEFAULT_NAMES, KeyKind, self_signed_pem, write_private
from authgate.proxy.tls import TlsFiles

__all__ = ["self_signed"]


def self_signed(
    folder: Path,
    name: str = "server",
    hours: float = 1.0,
    *,
    names: Sequence[str] = DEFAULT_NAMES,
    key_kind: KeyKind = "ecdsa",
) -> TlsFiles:
    """Write ``{name}.pem`` and ``{name}.key`` (P-256 or RSA 2048, valid ``hours``) into ``folder``.

    The certificate is its own CA, so a client trusts it by loading the ``.pem`` file;
    ``names`` (default 127.0.0.1 and localhost) are its subjectAltName.
    """
    cert, key = self_signed_pem(f"authgate test {name}", names, key_kind, hours)
    files = TlsFiles(cert=folder / f"{name}.pem", key=folder / f"{name}.key")
    files.cert.write_bytes(cert)
    write_private(files.key, key)
    return files
