"""RFC 6749 §4.1.2.1, §5.2 and RFC 6750 §3 errors: one class per error code.

Each class carries its HTTP status and renders itself as a token-endpoint JSON body, as
an authorization redirect's query parameters, or as an RFC 6750 ``WWW-Authenticate``
challenge. ``error_description`` is kept to printable ASCII without quotes or backslashes
(RFC 6749 §5.2). The store's Cognito-worded errors live in ``errors.py``.
"""

from __future__ import annotations

import re
from typing import ClassVar

from starlette.responses import JSONResponse, Response

__all__ = [
    "InsufficientScopeError",
    "InvalidClientError",
    "InvalidGrantError",
    "InvalidRequestError",
    "InvalidScopeError",
    "InvalidTokenError",
    "LoginRequiredError",
    "OAuthError",
    "RequestNotSupportedError",
    "RequestUriNotSupportedError",
    "UnauthorizedClientError",
    "UnsupportedGrantTypeError",
    "UnsupportedResponseTypeError",
    "UnsupportedTokenTypeError",
    "no_store_headers",
]

_UNSAFE = re.compile(r"[^\x20-\x21\x23-\x5b\x5d-\x7e]")


def no_store_headers() -> dict[str, str]:
    """Headers every token-bearing or credential-bearing response carries (RFC 6749 §5.1)."""
    return {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthError(Exception):
    """Base of the protocol errors; subclasses set ``error`` and ``status_code``."""

    error: ClassVar[str] = "invalid_request"
    status_code: ClassVar[int] = 400

    def __init__(self, description: str = "") -> None:
        super().__init__(description or self.error)
        self.description = _UNSAFE.sub(" ", description)

    def body(self) -> dict[str, str]:
        """The JSON object of RFC 6749 §5.2."""
        body = {"error": self.error}
        if self.description:
            body["error_description"] = self.description
        return body

    def headers(self) -> dict[str, str]:
        """Extra response headers (``WWW-Authenticate`` for the 401 errors)."""
        return {}

    def response(self) -> Response:
        """A JSON error response as the token, revocation and introspection endpoints send."""
        return JSONResponse(
            self.body(),
            status_code=self.status_code,
            headers={**no_store_headers(), **self.headers()},
        )

    def redirect_params(self, state: str | None) -> dict[str, str]:
        """Query parameters for an error sent back to the client's redirect_uri (§4.1.2.1)."""
        params = self.body()
        if state is not None:
            params["state"] = state
        return params

    def bearer_response(self) -> Response:
        """An RFC 6750 §3 response: the error is also in ``WWW-Authenticate: Bearer``."""
        challenge = f'Bearer error="{self.error}"'
        if self.description:
            challenge += f', error_description="{self.description}"'
        return JSONResponse(
            self.body(),
            status_code=self.status_code,
            headers={**no_store_headers(), "WWW-Authenticate": challenge},
        )


class InvalidRequestError(OAuthError):
    """A required parameter is missing, repeated, or malformed."""

    error = "invalid_request"


class InvalidClientError(OAuthError):
    """Client authentication failed (RFC 6749 §5.2): always 401.

    With ``basic=True`` (the client tried the Authorization header) the answer carries a
    ``WWW-Authenticate: Basic`` challenge, as §5.2 requires.
    """

    error = "invalid_client"
    status_code = 401

    def __init__(self, description: str = "", *, basic: bool = False) -> None:
        super().__init__(description)
        self.basic = basic

    def headers(self) -> dict[str, str]:
        if self.basic:
            return {"WWW-Authenticate": 'Basic realm="authgate", charset="UTF-8"'}
        return {}


class InvalidGrantError(OAuthError):
    """The code or refresh token is invalid, expired, revoked, or bound to someone else."""

    error = "invalid_grant"


class UnauthorizedClientError(OAuthError):
    """The client may not use this grant or response type."""

    error = "unauthorized_client"


class UnsupportedGrantTypeError(OAuthError):
    """The grant type is not one this server knows."""

    error = "unsupported_grant_type"


class UnsupportedResponseTypeError(OAuthError):
    """Only ``response_type=code`` is supported."""

    error = "unsupported_response_type"


class InvalidScopeError(OAuthError):
    """A requested scope is unknown or not allowed for the client."""

    error = "invalid_scope"


class LoginRequiredError(OAuthError):
    """``prompt=none`` but nobody is signed in (OIDC Core §3.1.2.6)."""

    error = "login_required"


class RequestNotSupportedError(OAuthError):
    """Request objects are not supported (OIDC Core §6, §3.1.2.6)."""

    error = "request_not_supported"


class RequestUriNotSupportedError(OAuthError):
    """``request_uri`` is not supported (OIDC Core §6, §3.1.2.6)."""

    error = "request_uri_not_supported"


class UnsupportedTokenTypeError(OAuthError):
    """RFC 7009 §2.2.1: the server does not revoke this type of token (access tokens)."""

    error = "unsupported_token_type"


class InvalidTokenError(OAuthError):
    """RFC 6750 §3.1: the bearer token is expired, revoked, malformed or not ours."""

    error = "invalid_token"
    status_code = 401


class InsufficientScopeError(OAuthError):
    """RFC 6750 §3.1: the token lacks a scope the resource needs."""

    error = "insufficient_scope"
    status_code = 403
