"""Browser or API client? And the small HTML pages a browser is shown (WHATWG Fetch §3.2).

The pages take their look from :mod:`authgate.pages`, the same as the IdP's hosted UI.

A request that is not a top-level navigation gets ``401`` with ``WWW-Authenticate`` instead
of a redirect to the login page (rp.md §0.5): an XHR or ``fetch`` cannot follow a redirect to
another origin's login form, and background calls must not pile up login state cookies
(mod_auth_openidc#108). The test mirrors mod_auth_openidc's default.
"""

from __future__ import annotations

import html

from authgate.pages import PAGE_CSP, page_document
from authgate.plugins.base import Headers, PluginResponse

__all__ = ["is_navigation", "page", "redirect"]

_HTML_TYPES = ("text/html", "application/xhtml+xml", "*/*")


def is_navigation(method: str, headers: Headers) -> bool:
    """Whether the request is a browser's top-level page load that may go to a login page."""
    if method not in ("GET", "HEAD"):
        return False
    if (headers.get("x-requested-with") or "").lower() == "xmlhttprequest":
        return False
    mode = headers.get("sec-fetch-mode")
    if mode is not None and mode.lower() != "navigate":
        return False
    dest = headers.get("sec-fetch-dest")
    if dest is not None and dest.lower() != "document":
        return False
    accept = headers.get("accept")
    if accept is None:
        return True
    accept = accept.lower()
    return any(kind in accept for kind in _HTML_TYPES)


def redirect(location: str) -> PluginResponse:
    """A 302 that caches nowhere."""
    return PluginResponse(
        302,
        Headers([("location", location), ("cache-control", "no-store"), ("content-length", "0")]),
    )


def page(
    status: int,
    title: str,
    message: str,
    link: str | None,
    request_id: str,
    link_text: str = "Try again",
) -> PluginResponse:
    """A small HTML page in authgate's shared look; every dynamic part is escaped."""
    action = (
        f'<a class="button" href="{html.escape(link, quote=True)}">{html.escape(link_text)}</a>'
        if link is not None
        else ""
    )
    body = (
        f"<h1>{html.escape(title)}</h1>\n<p>{html.escape(message)}</p>\n{action}\n"
        f'<p class="request-id">Request ID {html.escape(request_id)}</p>'
    )
    headers = Headers(
        [
            ("content-type", "text/html; charset=utf-8"),
            ("cache-control", "no-store"),
            ("content-security-policy", PAGE_CSP),
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
        ]
    )
    return PluginResponse(status, headers, page_document(title, body).encode())
