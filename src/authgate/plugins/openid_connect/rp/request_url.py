"""The URLs of a request as the browser sees them: origin, the route's own URL, return URLs.

RFC 6454 origins. The scheme, host and port come from the ``X-Forwarded-*`` headers the proxy
has just set (its own values, or a trusted proxy's: rp.md §3.11), so a callback URL built
behind a TLS-terminating load balancer says https. Every URL this module returns is absolute
and on the gateway's own origin: a path such as ``//evil.example`` or ``/\\evil.example``
can never become a redirect off-site (rp.md §4.D).
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from authgate.plugins.base import RequestContext

__all__ = [
    "is_https",
    "origin",
    "restore_url",
    "return_url",
    "route_path",
    "route_url",
    "safe_path",
    "same_origin",
]

_DEFAULT_PORTS = {"http": "80", "https": "443"}
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]_")
# A query goes back as sent (the request line is read as latin-1, one char per byte): every
# printable ASCII character stays, "%" escapes included; "#" (it would start a fragment),
# space, controls and bytes above 0x7E are percent-encoded (RFC 3986 §2.1).
_QUERY_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) != "#")


def is_https(ctx: RequestContext) -> bool:
    """Whether the browser talks https to us (directly or through a trusted proxy)."""
    return (ctx.headers.get("x-forwarded-proto") or ctx.scheme) == "https"


def origin(ctx: RequestContext) -> str:
    """``scheme://host[:port]`` of the request as the browser sent it."""
    headers = ctx.headers
    proto = headers.get("x-forwarded-proto") or ctx.scheme
    host = headers.get("x-forwarded-host") or ctx.host
    port = headers.get("x-forwarded-port") or str(ctx.port)
    given = headers.get("host") or ""
    untouched = proto == ctx.scheme and host == ctx.host and port == str(ctx.port)
    if untouched and given and set(given) <= _HOST_CHARS:
        return f"{proto}://{given.lower()}"
    if not set(host) <= _HOST_CHARS or not port.isdigit():
        host, port = ctx.host, str(ctx.port)
    suffix = "" if _DEFAULT_PORTS.get(proto) == port else f":{port}"
    return f"{proto}://{host}{suffix}"


def safe_path(path: str) -> str | None:
    """``path`` if it is a plain absolute path (no ``//``, ``\\``, whitespace or controls)."""
    if not path.startswith("/") or path.startswith("//"):
        return None
    if any(c == "\\" or ord(c) <= 0x20 or ord(c) == 0x7F for c in path):
        return None
    return path


def route_path(ctx: RequestContext) -> str:
    """The route path this request matched (its longest prefix path), else the request path."""
    route = ctx.route
    best = ""
    for candidate in getattr(route, "paths", None) or ():
        if (
            candidate.startswith("/")
            and ctx.path.startswith(candidate)
            and len(candidate) > len(best)
        ):
            best = candidate
    return best or ctx.path


def route_url(ctx: RequestContext) -> str:
    """The route's own URL (the longest matching prefix path), Kong's default redirect_uri."""
    return origin(ctx) + (safe_path(route_path(ctx)) or "/")


def return_url(ctx: RequestContext, keep_query: bool) -> str:
    """Where to bring the browser back after login: this request's URL, made safe.

    The query is kept byte for byte (escapes, repeated and empty arguments, their order);
    only characters a URL cannot carry raw are percent-encoded.
    """
    path = safe_path(ctx.path)
    if path is None:
        return route_url(ctx)
    query = quote(ctx.query, safe=_QUERY_SAFE, encoding="latin-1")
    return origin(ctx) + path + (f"?{query}" if keep_query and query else "")


def restore_url(ctx: RequestContext, return_to: str) -> str:
    """The URL to restore after the callback: ``return_to`` on this request's origin.

    ``return_to`` was built by :func:`return_url` when the login started; should its origin
    differ from the callback's (a forged ``Host`` at the start), only its path and query are
    kept, so the browser can only be sent to a path on this gateway.
    """
    here = origin(ctx)
    if same_origin(return_to, here):
        return return_to
    parts = urlsplit(return_to)
    path = safe_path(parts.path) or "/"
    return here + path + (f"?{parts.query}" if parts.query else "")


def same_origin(url: str, other: str) -> bool:
    """Exact RFC 6454 origin equality (scheme, host and port; no suffix matching)."""
    a, b = urlsplit(url), urlsplit(other)
    try:
        ports = (a.port or _DEFAULT_PORTS.get(a.scheme), b.port or _DEFAULT_PORTS.get(b.scheme))
    except ValueError:
        return False
    return (a.scheme, (a.hostname or ""), str(ports[0])) == (
        b.scheme,
        (b.hostname or ""),
        str(ports[1]),
    ) and bool(a.hostname)
