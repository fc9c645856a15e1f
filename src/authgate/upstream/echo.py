"""The echo upstream: answers with what it received, plus a few behaviours proxies must survive.

Routes:
- ``/status/<code>``: an empty response with that status.
- ``/delay/<seconds>``: waits, then echoes (at most 60 s).
- ``/stream/<n>``: ``n`` JSON lines sent as separate chunks (chunked encoding).
- ``/bytes/<n>``: ``n`` bytes of a repeating pattern, streamed with a Content-Length.
- ``/ws``: a WebSocket that sends every message back.
- anything else: JSON with method, path, query, headers and body. Bodies over
  ``ECHO_BODY_LIMIT`` are not returned: their length and SHA-256 are, so a 1 GiB upload
  passes through in constant memory. A browser (an ``Accept`` that ranks ``text/html`` above
  JSON, :mod:`.negotiation`) gets a page instead (:mod:`.echo_page`): who is signed in, the
  ID token's claims, the identity headers, a Sign out button. The JSON is the same as ever
  for everyone else, ``*/*`` included.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Mapping

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from authgate.pages import PAGE_CSP
from authgate.upstream.echo_page import EchoRequest, render_echo_page
from authgate.upstream.negotiation import prefers_html

__all__ = ["DEFAULT_LOGOUT_SUFFIX", "ECHO_BODY_LIMIT", "ECHO_PAGE_CSP", "create_app"]

ECHO_BODY_LIMIT = 1 << 20
MAX_DELAY_SECONDS = 60.0
_PATTERN = bytes(range(256)) * 256  # 64 KiB
DEFAULT_LOGOUT_SUFFIX = "/logout"  # the workshop's logout_uri_suffix (examples/workshop)
# The page shows (shortened) tokens: no caching, no framing, no sniffing, no referrer. Its
# CSP is the shared one plus same-origin fetch, so `fetch("/bar")` typed in the browser
# console of this page (or run by a test) can try the API next to it; scripts stay off.
ECHO_PAGE_CSP = f"{PAGE_CSP}; connect-src 'self'"
_PAGE_HEADERS = {
    "cache-control": "no-store",
    "content-security-policy": ECHO_PAGE_CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "vary": "Accept",
}
_VARY = {"vary": "Accept"}  # RFC 9110 §12.5.5: the answer depends on Accept


def _json(data: object, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(data), status_code=status, media_type="application/json", headers=headers
    )


async def _drain(request: Request) -> tuple[str | None, int, str]:
    """The body (None over ``ECHO_BODY_LIMIT``), its length and its SHA-256, in one pass."""
    digest = hashlib.sha256()
    kept = bytearray()
    length = 0
    async for chunk in request.stream():
        length += len(chunk)
        digest.update(chunk)
        if length <= ECHO_BODY_LIMIT:
            kept += chunk
    body = kept.decode("utf-8", "replace") if length <= ECHO_BODY_LIMIT else None
    return body, length, digest.hexdigest()


def _text(value: bytes) -> str:
    """A header value as sent: UTF-8 when it is (the gateway sends claims so), else latin-1."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def _page(request: Request) -> Response:
    scope = request.scope
    seen = EchoRequest(
        method=request.method,
        path=scope["path"],
        query=scope["query_string"].decode("latin-1"),
        headers=[(k.decode("latin-1").lower(), _text(v)) for k, v in scope["headers"]],
    )
    settings = request.app.state
    document = render_echo_page(seen, settings.logout_url, settings.logout_suffix)
    return HTMLResponse(document, headers=_PAGE_HEADERS)


async def echo(request: Request) -> Response:
    """Return the request as JSON (large bodies as length and digest); a browser gets a page."""
    body, length, digest = await _drain(request)
    if prefers_html(request.headers.get("accept")):
        return _page(request)
    scope = request.scope
    raw_path = scope.get("raw_path") or scope["path"].encode()
    return _json(
        {
            "method": request.method,
            "path": scope["path"],
            "raw_path": raw_path.decode("latin-1"),
            "query": scope["query_string"].decode("latin-1"),
            "http_version": scope["http_version"],
            "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in scope["headers"]],
            "body": body,
            "body_length": length,
            "body_sha256": digest,
        },
        headers=_VARY,
    )


async def status(request: Request) -> Response:
    """An empty response with the status code from the path."""
    code = request.path_params["code"]
    if not 100 <= code <= 599:
        return _json({"message": "status must be 100-599"}, 400)
    # Consume the body so keep-alive stays in sync.
    async for _ in request.stream():
        pass
    return Response(status_code=code)


async def delay(request: Request) -> Response:
    """Sleep, then echo; lets timeout tests exercise the proxy's read timeout."""
    seconds = float(request.path_params["seconds"])
    await asyncio.sleep(min(max(seconds, 0.0), MAX_DELAY_SECONDS))
    return await echo(request)


async def stream(request: Request) -> Response:
    """``n`` JSON lines, each flushed as its own chunk."""
    count = request.path_params["n"]

    async def lines() -> AsyncIterator[bytes]:
        for i in range(count):
            yield orjson.dumps({"line": i}) + b"\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson")


async def byte_range(request: Request) -> Response:
    """``n`` bytes of a repeating pattern, streamed in 64 KiB chunks."""
    total = request.path_params["n"]

    async def chunks() -> AsyncIterator[bytes]:
        left = total
        while left > 0:
            piece = _PATTERN[: min(left, len(_PATTERN))]
            left -= len(piece)
            yield piece

    return StreamingResponse(
        chunks(),
        media_type="application/octet-stream",
        headers={"content-length": str(total)},
    )


async def websocket_echo(websocket: WebSocket) -> None:
    """Send every text or binary message back."""
    await websocket.accept()
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("text") is not None:
                await websocket.send_text(message["text"])
            elif message.get("bytes") is not None:
                await websocket.send_bytes(message["bytes"])
    except WebSocketDisconnect:
        return


_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def create_app(
    *, logout_url: str | None = None, logout_suffix: str = DEFAULT_LOGOUT_SUFFIX
) -> Starlette:
    """Build the echo ASGI app.

    ``logout_url``: where the page's Sign out button posts (the gateway's logout URL); by
    default the route prefix the gateway forwards (``X-Forwarded-Prefix``) plus
    ``logout_suffix`` (see :mod:`.echo_page`).
    """
    app = Starlette(
        routes=[
            Route("/status/{code:int}", status, methods=_ALL_METHODS),
            Route("/delay/{seconds:float}", delay, methods=_ALL_METHODS),
            Route("/delay/{seconds:int}", delay, methods=_ALL_METHODS),
            Route("/stream/{n:int}", stream, methods=["GET"]),
            Route("/bytes/{n:int}", byte_range, methods=["GET", "HEAD"]),
            WebSocketRoute("/ws", websocket_echo),
            Route("/{path:path}", echo, methods=_ALL_METHODS),
        ]
    )
    app.state.logout_url = logout_url
    app.state.logout_suffix = logout_suffix
    return app
