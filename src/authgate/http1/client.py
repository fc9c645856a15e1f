"""A one-shot HTTP/1.1 client over the same pooled connections the proxy uses.

:class:`HttpClient` sends one request and reads the whole response, capped at ``max_body``
bytes (the head is capped by :class:`~authgate.http1.connection.UpstreamConnection`), within
one deadline that covers connect, TLS, send and receive. Connections are kept alive per
(host, port, TLS) and per verification mode; a pooled connection the server had closed
before it sent any response byte is retried once on a fresh one. No redirects are followed
and no forward proxy is used: the callers (the openid-connect plugin's IdP calls) need
neither.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from authgate.http1.body_queue import BodyQueue
from authgate.http1.connection import UpstreamConnection
from authgate.http1.errors import UpstreamError
from authgate.http1.fields import Fields, first_value
from authgate.http1.framing import encode_head
from authgate.http1.pool import UpstreamPool

__all__ = ["MAX_BODY", "HttpClient", "Response"]

MAX_BODY = 1024 * 1024
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


@dataclass(frozen=True, slots=True)
class Response:
    """A complete response: status, header fields as received (duplicates kept), body."""

    status: int
    headers: Fields
    body: bytes

    def header(self, name: str) -> str | None:
        """The first value of the field ``name`` (any case)."""
        return first_value(self.headers, name.lower())

    def header_values(self, name: str) -> list[str]:
        """Every value of the field ``name`` (any case), in order."""
        lower = name.lower()
        return [value for key, value in self.headers if key == lower]


class HttpClient:
    """Pooled keep-alive requests; TLS verified against the system store or ``ca_file``."""

    def __init__(
        self,
        *,
        ca_file: str | None = None,
        user_agent: str | None = None,
        max_body: int = MAX_BODY,
        idle_timeout: float = 60.0,
    ) -> None:
        unverified = ssl.create_default_context()
        unverified.check_hostname = False
        unverified.verify_mode = ssl.CERT_NONE
        self._pools = {
            True: UpstreamPool(ssl.create_default_context(cafile=ca_file), idle_timeout),
            False: UpstreamPool(unverified, idle_timeout),
        }
        self._user_agent = user_agent
        self._max_body = max_body

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Iterable[tuple[str, str]] = (),
        body: bytes = b"",
        timeout: float = 10.0,
        verify: bool = True,
    ) -> Response:
        """Send one request to ``url`` and read the whole response within ``timeout`` s.

        ``headers`` are sent as given after Host (and User-Agent when the client has one);
        Content-Length is added for a body or a POST/PUT/PATCH. Failures raise
        :class:`~authgate.http1.errors.UpstreamError` (``unreachable`` tells a server that is
        down or timing out from one that answered badly).
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UpstreamError("invalid_request", 502, f"not an http(s) URL: {url!r}")
        tls = parts.scheme == "https"
        key = (parts.hostname, parts.port or (443 if tls else 80), tls)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        fields = [("host", parts.netloc)]
        if self._user_agent:
            fields.append(("user-agent", self._user_agent))
        fields.extend(headers)
        framing = f"content-length: {len(body)}\r\n" if body or method in _BODY_METHODS else ""
        try:
            head = encode_head(f"{method} {target} HTTP/1.1\r\n", fields, framing)
        except ValueError as exc:
            raise UpstreamError("invalid_request", 502, str(exc)) from None
        try:
            async with asyncio.timeout(timeout):
                return await self._send(self._pools[verify], key, head + body, method, timeout)
        except TimeoutError:
            raise UpstreamError("timeout", 504, f"timed out after {timeout:g}s") from None

    async def _send(
        self,
        pool: UpstreamPool,
        key: tuple[str, int, bool],
        data: bytes,
        method: str,
        timeout: float,
    ) -> Response:
        conn = pool.take_idle(key)
        while conn is not None:
            try:
                return await self._exchange(pool, conn, data, method, timeout)
            except UpstreamError as error:
                if error.kind != "reset" or conn.started:
                    raise
            conn = pool.take_idle(key)
        conn = await pool.connect(key, timeout, 0)
        return await self._exchange(pool, conn, data, method, timeout)

    async def _exchange(
        self, pool: UpstreamPool, conn: UpstreamConnection, data: bytes, method: str, timeout: float
    ) -> Response:
        try:
            conn.begin(method == "HEAD", timeout, _ignore_informational)
            conn.write(data)
            response = await conn.response_head()
            body = response.whole
            if body is None:
                body = await self._read_body(response.body, response.length)
            elif len(body) > self._max_body:
                raise UpstreamError("too_large", 502, f"response body over {self._max_body} bytes")
        except BaseException:
            conn.abort()
            raise
        pool.release(conn)
        return Response(response.status, response.headers, body)

    async def _read_body(self, queue: BodyQueue | None, length: int) -> bytes:
        assert queue is not None  # a body not read with the head streams through a queue
        limit = self._max_body
        if length > limit:
            raise UpstreamError("too_large", 502, f"response body over {limit} bytes")
        parts = bytearray()
        while data := await queue.read():
            parts += data
            if len(parts) > limit:
                raise UpstreamError("too_large", 502, f"response body over {limit} bytes")
        return bytes(parts)

    def close(self) -> None:
        """Close every idle connection."""
        for pool in self._pools.values():
            pool.close()


def _ignore_informational(status: int, headers: Fields) -> None:
    """1xx responses carry nothing a one-shot caller needs."""
