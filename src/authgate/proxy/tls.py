"""TLS on the client listener (the optional https port, 8443 in DESIGN §1).

The certificate and key are PEM files named on the command line. ``ServerTls`` owns the
listening socket's :class:`ssl.SSLContext` and swaps the context of every *new* handshake
(through the SNI callback, RFC 6066 §3) when the files are re-read on a reload, so a renewed
certificate is served without dropping a connection. Only TLS 1.2 and 1.3 are offered, ALPN
names ``http/1.1`` (RFC 7301; there is no HTTP/2 yet), and TLS compression stays off.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ServerTls", "TlsFiles", "TlsSetupError", "server_context"]


class TlsSetupError(Exception):
    """The certificate or key cannot be used; the message says which file and why."""


@dataclass(frozen=True)
class TlsFiles:
    """Where the listener's certificate chain and private key are (PEM)."""

    cert: Path
    key: Path


def server_context(files: TlsFiles) -> ssl.SSLContext:
    """A server context with ``files`` loaded; :class:`TlsSetupError` when they do not load."""
    for label, path in (("certificate", files.cert), ("key", files.key)):
        if not path.is_file():
            raise TlsSetupError(f"TLS {label} file {path} does not exist")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.options |= ssl.OP_NO_COMPRESSION
    context.set_alpn_protocols(["http/1.1"])
    try:
        context.load_cert_chain(files.cert, files.key)
    except ssl.SSLError as exc:
        reason = exc.reason or exc.strerror or str(exc)
        raise TlsSetupError(
            f"TLS certificate {files.cert} and key {files.key} cannot be used: {reason}"
        ) from None
    except OSError as exc:
        raise TlsSetupError(f"TLS certificate or key cannot be read: {exc}") from None
    return context


class ServerTls:
    """The listener's TLS: one context for the socket, the current one for each handshake."""

    def __init__(self, files: TlsFiles) -> None:
        self.files = files
        self.listener = server_context(files)
        self.listener.sni_callback = self._pick
        self.current = self.listener

    def _pick(self, connection: ssl.SSLObject, server_name: str | None, _: object) -> None:
        if self.current is not self.listener:
            connection.context = self.current

    def reload(self) -> None:
        """Re-read the files for new handshakes; on failure the served certificate stays."""
        self.current = server_context(self.files)
