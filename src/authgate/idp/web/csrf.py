"""CSRF protection of the hosted login forms: a signed double-submit token (OWASP).

The browser holds a random value in an HttpOnly cookie; the form carries HMAC(secret,
value). A forged cross-site POST has neither the cookie's value nor the secret, so it
cannot produce a matching field. Checked in constant time before any password check.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from authgate.idp.protocol.settings import IdpSettings
from authgate.idp.protocol.signed import mac
from authgate.idp.web.hosted_pages import render

__all__ = [
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "CsrfError",
    "CsrfPair",
    "issue_csrf",
    "render_form",
    "verify_csrf",
]

CSRF_COOKIE = "authgate-idp-csrf"
CSRF_FIELD = "_csrf"
_PURPOSE = "csrf"
_MAX_COOKIE_CHARS = 128


class CsrfError(ValueError):
    """The form's CSRF token is missing or does not match the cookie."""


@dataclass(frozen=True)
class CsrfPair:
    """The browser's cookie value and the matching form token."""

    cookie_value: str = field(repr=False)
    token: str = field(repr=False)
    is_new: bool

    def set_cookie(self, response: Response, settings: IdpSettings) -> None:
        """Send the cookie with ``response`` if the browser did not have one yet."""
        if self.is_new:
            response.set_cookie(
                CSRF_COOKIE,
                self.cookie_value,
                path="/",
                httponly=True,
                samesite="lax",
                secure=settings.secure_cookies,
            )


def issue_csrf(request: Request, settings: IdpSettings) -> CsrfPair:
    """The token to put in a form (and a new cookie value if the browser has none)."""
    value = request.cookies.get(CSRF_COOKIE, "")
    is_new = not value or len(value) > _MAX_COOKIE_CHARS
    if is_new:
        value = secrets.token_urlsafe(32)
    return CsrfPair(value, mac(settings.secret, _PURPOSE, value), is_new)


def render_form(
    request: Request, settings: IdpSettings, template: str, status_code: int, **context: Any
) -> HTMLResponse:
    """Render a hosted-UI form page carrying a CSRF token (and its cookie, if new)."""
    csrf = issue_csrf(request, settings)
    response = render(template, status_code, csrf=csrf.token, **context)
    csrf.set_cookie(response, settings)
    return response


def verify_csrf(request: Request, submitted: str | None, settings: IdpSettings) -> None:
    """Raise CsrfError unless ``submitted`` matches the browser's CSRF cookie."""
    value = request.cookies.get(CSRF_COOKIE, "")
    if not value or not submitted or len(value) > _MAX_COOKIE_CHARS:
        raise CsrfError("missing CSRF token")
    if not hmac.compare_digest(mac(settings.secret, _PURPOSE, value), submitted):
        raise CsrfError("CSRF token mismatch")
