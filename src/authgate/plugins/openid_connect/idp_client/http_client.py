"""RFC 9112 client for the plugin's calls to the IdP: pooled keep-alive, timeouts, TLS verified.

Discovery, JWKS, token, introspection and userinfo requests are small and bounded, so the
whole response is read (at most ``MAX_RESPONSE_BYTES``). Responses are parsed with httptools
(llhttp), as the data plane does; httpx stays off the data plane (DESIGN §4). A connection that
was idle in the pool and fails before any response byte is retried once on a fresh one.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httptools
import orjson

__all__ = ["MAX_RESPONSE_BYTES", "HttpResponse", "IdpHttpClient", "OutboundError"]

MAX_RESPONSE_BYTES = 1024 * 1024
MAX_IDLE_PER_HOST = 16
_USER_AGENT = "authgate-openid-connect"


class OutboundError(Exception):
    """The request failed: connect error, timeout, TLS failure or a malformed response.

    ``unreachable`` tells "the IdP is down" (503 for the client) from "it answered badly" (502).
    """

    def __init__(self, message: str, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable

    @property
    def status(self) -> int:
        """The status a client sees for this failure."""
        return 503 if self.unreachable else 502


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A complete response."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON; OutboundError if it is not JSON."""
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError:
            raise OutboundError(f"response is not JSON (status {self.status})") from None


class _Parser:
    """httptools callbacks collecting one response."""

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.body = bytearray()
        self.complete = False
        self.parser = httptools.HttpResponseParser(self)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_body(self, data: bytes) -> None:
        self.body += data
        if len(self.body) > MAX_RESPONSE_BYTES:
            raise OutboundError("response too large")

    def on_message_complete(self) -> None:
        self.complete = True


_Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class IdpHttpClient:
    """One pool of keep-alive connections per (scheme, host, port, verification)."""

    def __init__(self, ca_file: str | None = None) -> None:
        self._idle: dict[tuple[str, str, int, bool], list[_Connection]] = {}
        self._verified = ssl.create_default_context(cafile=ca_file)
        self._unverified = ssl.create_default_context()
        self._unverified.check_hostname = False
        self._unverified.verify_mode = ssl.CERT_NONE

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        timeout: float = 10.0,
        verify: bool = True,
    ) -> HttpResponse:
        """Send one request and read the whole response within ``timeout`` seconds."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OutboundError("not an http(s) URL")
        tls = parts.scheme == "https"
        port = parts.port or (443 if tls else 80)
        key = (parts.scheme, parts.hostname, port, verify)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        head = _encode_head(method, target, parts.netloc, headers or {}, body)
        try:
            async with asyncio.timeout(timeout):
                return await self._send(key, head + body, tls, verify)
        except TimeoutError:
            raise OutboundError(f"timed out after {timeout:g}s", unreachable=True) from None
        except ssl.SSLError as exc:
            raise OutboundError(f"TLS error: {exc.reason or exc}", unreachable=True) from None
        except OSError as exc:
            raise OutboundError(f"{type(exc).__name__}: {exc}", unreachable=True) from None
        except httptools.HttpParserError as exc:
            raise OutboundError(f"malformed response: {exc}") from None

    async def _send(
        self, key: tuple[str, str, int, bool], data: bytes, tls: bool, verify: bool
    ) -> HttpResponse:
        idle = self._idle.get(key)
        while idle:
            conn = idle.pop()
            if conn[0].at_eof() or conn[1].is_closing():
                conn[1].close()
                continue
            try:
                return await self._exchange(key, conn, data)
            except _StaleConnection:
                continue
        context = (self._verified if verify else self._unverified) if tls else None
        reader, writer = await asyncio.open_connection(
            key[1], key[2], ssl=context, server_hostname=key[1] if tls else None
        )
        try:
            return await self._exchange(key, (reader, writer), data, fresh=True)
        except _StaleConnection:
            raise OutboundError("connection closed before a response") from None

    async def _exchange(
        self, key: tuple[str, str, int, bool], conn: _Connection, data: bytes, fresh: bool = False
    ) -> HttpResponse:
        reader, writer = conn
        state = _Parser()
        received = False
        try:
            writer.write(data)
            await writer.drain()
            while not state.complete:
                chunk = await reader.read(65536)
                if not chunk:
                    if not received and not fresh:
                        raise _StaleConnection
                    state.parser.feed_data(b"")  # let close-delimited bodies finish
                    if not state.complete:
                        raise OutboundError("connection closed mid-response")
                    break
                received = True
                state.parser.feed_data(chunk)
        except BaseException:
            writer.close()
            raise
        response = HttpResponse(state.parser.get_status_code(), state.headers, bytes(state.body))
        if state.parser.should_keep_alive() and not reader.at_eof():
            idle = self._idle.setdefault(key, [])
            if len(idle) < MAX_IDLE_PER_HOST:
                idle.append(conn)
                return response
        writer.close()
        return response

    async def close(self) -> None:
        """Close every idle connection."""
        for idle in self._idle.values():
            for _, writer in idle:
                writer.close()
                with contextlib.suppress(Exception):
                    await writer.wait_closed()
        self._idle.clear()


class _StaleConnection(Exception):
    """A pooled connection the server had already closed."""


def _encode_head(
    method: str, target: str, host: str, headers: Mapping[str, str], body: bytes
) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", f"User-Agent: {_USER_AGENT}"]
    lines.extend(f"{name}: {value}" for name, value in headers.items())
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
