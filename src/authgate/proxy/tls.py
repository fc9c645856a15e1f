"""TLS on the client listener (the optional https port, 8443 in DESIGN §1).

The default certificate and key are PEM files named on the command line (or, when only
the configuration has ``certificates``, a self-signed pair the supervisor writes at start).
``ServerTls`` owns the listening socket's :class:`ssl.SSLContext`; its SNI callback (RFC 6066
§3) hands every *new* handshake the context of the certificate whose SNI matches the
client's server name, as Kong does: exact name, then ``*.example.com``, then ``example.*``,
then ``*``, else the default certificate. Reloads swap those contexts for new handshakes
only, so a renewed certificate is served without dropping a connection. Only TLS 1.2 and 1.3
are offered, ALPN names ``http/1.1`` (RFC 7301; there is no HTTP/2 yet), and TLS
compression stays off.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import ssl
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from authgate.config import Certificate, GatewayConfig

__all__ = [
    "ServerTls",
    "TlsFiles",
    "TlsSetupError",
    "certificate_context",
    "find_context",
    "server_context",
    "unusable_certificates",
]


class TlsSetupError(Exception):
    """The certificate or key cannot be used; the message says which file and why."""


@dataclass(frozen=True)
class TlsFiles:
    """Where the listener's certificate chain and private key are (PEM)."""

    cert: Path
    key: Path


def _base_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.options |= ssl.OP_NO_COMPRESSION
    context.set_alpn_protocols(["http/1.1"])
    return context


def _reason(exc: ssl.SSLError) -> str:
    return str(exc.reason or exc.strerror or exc)


def server_context(files: TlsFiles) -> ssl.SSLContext:
    """A server context with ``files`` loaded; :class:`TlsSetupError` when they do not load."""
    for label, path in (("certificate", files.cert), ("key", files.key)):
        if not path.is_file():
            reason = "is a directory, not a file" if path.is_dir() else "does not exist"
            raise TlsSetupError(f"TLS {label} file {path} {reason}")
    context = _base_context()
    try:
        context.load_cert_chain(files.cert, files.key)
    except ssl.SSLError as exc:
        raise TlsSetupError(
            f"TLS certificate {files.cert} and key {files.key} cannot be used: {_reason(exc)}"
        ) from None
    except OSError as exc:
        raise TlsSetupError(f"TLS certificate or key cannot be read: {exc}") from None
    return context


def _load_pem(context: ssl.SSLContext, folder: str, cert: str, key: str) -> None:
    """Load a chain and key held in memory: :mod:`ssl` reads them only from a file.

    The file lives in a private directory (0700), is 0600 from its creation and is removed
    as soon as OpenSSL has read it.
    """
    path = os.path.join(folder, "chain.pem")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(f"{key.strip()}\n{cert.strip()}\n")
        context.load_cert_chain(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def certificate_context(certificate: Certificate) -> ssl.SSLContext:
    """A server context serving ``certificate`` (and its alternative chain, if any)."""
    context = _base_context()
    pairs = [(certificate.cert, certificate.key)]
    if certificate.cert_alt is not None and certificate.key_alt is not None:
        pairs.append((certificate.cert_alt, certificate.key_alt))
    with tempfile.TemporaryDirectory(prefix="authgate-cert-") as folder:
        for cert, key in pairs:
            try:
                _load_pem(context, folder, cert, key)
            except (ssl.SSLError, ValueError) as exc:
                reason = _reason(exc) if isinstance(exc, ssl.SSLError) else str(exc)
                raise TlsSetupError(
                    f"certificate {certificate.id} cannot be used: {reason}"
                ) from None
    return context


def unusable_certificates(config: GatewayConfig) -> list[tuple[str, str]]:
    """(path, reason) of each certificate OpenSSL refuses although it parses (a key too small
    for OpenSSL's security level, say), so the supervisor refuses the config with the reason."""
    problems = []
    for index, certificate in enumerate(config.certificates):
        try:
            certificate_context(certificate)
        except TlsSetupError as exc:
            problems.append((f"certificates[{index}]", str(exc)))
    return problems


def _digest(certificate: Certificate) -> str:
    """What makes two certificates serve the same handshakes (their id does not)."""
    parts = (certificate.cert, certificate.key, certificate.cert_alt, certificate.key_alt)
    return hashlib.sha256("\0".join(p or "" for p in parts).encode()).hexdigest()


def find_context(names: Mapping[str, ssl.SSLContext], server_name: str) -> ssl.SSLContext | None:
    """Kong's order: the exact name, ``*.rest``, ``first.*`` (one label each), then ``*``."""
    name = server_name.lower().rstrip(".")
    found = names.get(name)
    if found is None and (dot := name.find(".")) > 0:
        found = names.get("*" + name[dot:])
    if found is None and (dot := name.rfind(".")) > 0:
        found = names.get(name[: dot + 1] + "*")
    return names.get("*") if found is None else found


class ServerTls:
    """The listener's TLS: one context for the socket, the matching one for each handshake."""

    def __init__(self, files: TlsFiles) -> None:
        self.files = files
        self.listener = server_context(files)
        self.listener.sni_callback = self._pick
        self.current = self.listener
        self.names: dict[str, ssl.SSLContext] = {}
        """SNI name (exact or wildcard) -> context of the configuration's certificate."""
        self._built: dict[str, ssl.SSLContext] = {}

    def _pick(self, connection: ssl.SSLObject, server_name: str | None, _: object) -> None:
        context = self.current
        if server_name is not None and self.names:
            context = find_context(self.names, server_name) or context
        if context is not self.listener:
            connection.context = context

    def reload(self) -> None:
        """Re-read the files for new handshakes; on failure the served certificate stays."""
        self.current = server_context(self.files)

    def use_certificates(self, config: GatewayConfig) -> None:
        """Serve ``config``'s certificates to new handshakes; an unchanged one is not rebuilt.

        On :class:`TlsSetupError` nothing changes.
        """
        built: dict[str, ssl.SSLContext] = {}
        by_id: dict[str, ssl.SSLContext] = {}
        for certificate in config.certificates:
            digest = _digest(certificate)
            context = built.get(digest) or self._built.get(digest)
            if context is None:
                context = certificate_context(certificate)
            built[digest] = by_id[certificate.id] = context
        names = {s.name: by_id[s.certificate] for s in config.snis if s.certificate in by_id}
        self._built, self.names = built, names
