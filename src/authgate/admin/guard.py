"""Browser defences for the admin API: DNS rebinding (``Host``) and cross-site writes (``Origin``).

The admin API has no authentication and trusts the loopback interface, so a web page open
in a browser on the same machine must not be able to use it: a rebound DNS name would reach
127.0.0.1 with a foreign ``Host`` header, and a cross-site form could ``POST /config``
without a CORS preflight. On loopback, only loopback host names are accepted; everywhere, a
state-changing request carrying a foreign ``Origin`` is refused.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import orjson
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["BrowserGuard", "is_loopback_name"]

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _hostname(authority: str) -> str | None:
    try:
        return urlsplit("//" + authority).hostname
    except ValueError:
        return None


def is_loopback_name(hostname: str | None) -> bool:
    """Whether ``hostname`` is `localhost` or a loopback IP address."""
    if hostname is None:
        return False
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


class BrowserGuard:
    """ASGI middleware answering 403 to rebinding and cross-origin writes."""

    def __init__(self, app: ASGIApp, loopback_only: bool) -> None:
        self.app = app
        self.loopback_only = loopback_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            problem = self._problem(scope)
            if problem is not None:
                await _refuse(send, problem)
                return
        await self.app(scope, receive, send)

    def _problem(self, scope: Scope) -> str | None:
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if self.loopback_only and not is_loopback_name(_hostname(host)):
            return "the admin API answers only to loopback host names"
        origin = headers.get("origin")
        if origin is None or scope["method"] in _SAFE_METHODS:
            return None
        if urlsplit(origin).netloc.lower() != host.lower():
            return "cross-origin requests are refused"
        return None


async def _refuse(send: Send, message: str) -> None:
    body = orjson.dumps({"message": message})
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
