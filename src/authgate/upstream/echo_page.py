"""The echo upstream's page for a browser: who is signed in, the ID token's claims, the
identity headers the gateway added, and a Sign out button. No I/O; every request-derived
string is HTML-escaped here, and every token is shortened (:mod:`.masking`).

The Sign out button POSTs to the gateway's logout URL (Kong's ``logout_methods`` default is
``POST, DELETE``; a form can send only the first). That URL is the ``logout_url`` the app was
built with, else ``X-Forwarded-Prefix`` (the route path the gateway stripped: Kong sets it,
Kong/kong#5602, and so does authgate) or ``X-Forwarded-Path`` followed by ``logout_suffix``
(the plugin's ``logout_uri_suffix``; ``/logout`` in the workshop). Only a same-origin path is
used: a header cannot point the button at another site.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from authgate.pages import page_document
from authgate.upstream.identity import Identity, gateway_headers, identity_of
from authgate.upstream.masking import masked_header

__all__ = ["EchoRequest", "logout_action", "render_echo_page"]

# Claims that are NumericDate values (RFC 7519 §2): shown with the UTC time they stand for.
_TIME_CLAIMS = frozenset({"exp", "iat", "nbf", "auth_time", "updated_at"})


@dataclass(frozen=True)
class EchoRequest:
    """What the page shows of a request: ``headers`` with lower-case names, in order."""

    method: str
    path: str
    query: str
    headers: Sequence[tuple[str, str]]


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _header(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in headers if key == name), None)


def _same_origin_path(path: str) -> bool:
    return path.startswith("/") and not path.startswith("//") and "\\" not in path


def logout_action(
    headers: Sequence[tuple[str, str]], logout_url: str | None, logout_suffix: str
) -> str | None:
    """Where the Sign out form posts (see module docstring); None when nothing says."""
    if logout_url is not None:
        return logout_url
    for name in ("x-forwarded-prefix", "x-forwarded-path"):
        base = (_header(headers, name) or "").strip()
        if base and _same_origin_path(base):
            return base.rstrip("/") + logout_suffix
    return None


def _claim_value(name: str, value: Any) -> str:
    if isinstance(value, str):
        return _e(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if name in _TIME_CLAIMS and isinstance(value, int | float) and not isinstance(value, bool):
        try:
            when = datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        except (OverflowError, OSError, ValueError):
            return _e(value)
        return f'{_e(value)} <span class="note">({when})</span>'
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return _e(", ".join(value))
    return f"<code>{_e(orjson.dumps(value).decode())}</code>"


def _table(label: str, rows: Sequence[tuple[str, str]]) -> str:
    """A two-column table; ``rows`` are (escaped name, escaped-or-safe HTML value)."""
    body = "\n".join(
        f'<tr><th scope="row"><code>{name}</code></th><td>{value}</td></tr>' for name, value in rows
    )
    return f'<table aria-label="{_e(label)}">\n<tbody>\n{body}\n</tbody>\n</table>'


def _claims_section(identity: Identity) -> str:
    if identity.claims is None:
        return ""
    rows = [(_e(name), _claim_value(name, value)) for name, value in identity.claims.items()]
    return (
        f"<h2>{_e(identity.claims_kind)} claims</h2>\n"
        f'<p class="note">Decoded from the <code>{_e(identity.claims_header)}</code> header and '
        "<strong>not verified</strong>: this demo upstream shows what arrived and trusts the "
        "gateway, which checked the token.</p>\n" + _table(f"{identity.claims_kind} claims", rows)
    )


def _headers_rows(headers: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(_e(name), _e(masked_header(name, value))) for name, value in headers]


def _who(identity: Identity) -> str:
    if identity.name is None:
        why = (
            "The gateway let this request through as its anonymous consumer."
            if identity.anonymous
            else "No ID token, access token or identity header reached this upstream. "
            "Open it through a gateway route that signs people in (in the workshop: /bar)."
        )
        return f'<p class="identity">Not signed in.</p>\n<p class="note">{_e(why)}</p>'
    email = f" ({_e(identity.email)})" if identity.email else ""
    return f'<p class="identity">Signed in as {_e(identity.name)}{email}</p>'


def _sign_out(identity: Identity, logout: str | None) -> str:
    if identity.name is None or logout is None:
        return ""
    return (
        f'<form method="post" action="{_e(logout)}"><button type="submit">Sign out</button></form>'
    )


def _request_line(request: EchoRequest) -> str:
    target = request.path + (f"?{request.query}" if request.query else "")
    asked = _header(request.headers, "x-forwarded-path")
    via = f", which the browser asked for as <code>{_e(asked)}</code>" if asked else ""
    return (
        f'<p class="note">This upstream received <code>{_e(request.method)} {_e(target)}</code>'
        f"{via}. API clients get it as JSON (send <code>Accept: application/json</code>).</p>"
    )


def render_echo_page(request: EchoRequest, logout_url: str | None, logout_suffix: str) -> str:
    """The whole HTML document for ``request``."""
    identity = identity_of(request.headers)
    logout = logout_action(request.headers, logout_url, logout_suffix)
    added = gateway_headers(request.headers)
    added_html = (
        '<h2>Identity headers from the gateway</h2>\n<p class="note">Every request header a '
        "browser does not send itself (on an openid-connect route the gateway drops a "
        "client's copy of each); tokens shortened.</p>\n"
        + _table("Identity headers from the gateway", _headers_rows(added))
        if added
        else ""
    )
    every = (
        f"<details>\n<summary>All {len(request.headers)} request headers</summary>\n"
        + _table("All request headers", _headers_rows(request.headers))
        + "\n</details>"
    )
    body = "\n".join(
        part
        for part in (
            "<h1>Echo upstream</h1>",
            _who(identity),
            _request_line(request),
            _sign_out(identity, logout),
            _claims_section(identity),
            added_html,
            every,
        )
        if part
    )
    return page_document("Echo upstream", body, wide=True)
