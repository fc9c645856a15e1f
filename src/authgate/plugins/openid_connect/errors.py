"""RFC 6750 §3 errors of a protected resource, rendered as Kong's JSON error responses.

Each error class is named after its RFC error code and carries its status. The response body
is Kong's ``{"message": …, "request_id": …}`` with the configured ``unauthorized_error_message``
or ``forbidden_error_message``; the reason goes in ``WWW-Authenticate`` (``error_description``)
and, only with ``display_errors``, in the message too.
"""

from __future__ import annotations

from typing import ClassVar

from authgate.plugins.base import PluginResponse

__all__ = [
    "REALM",
    "ConsumerNotFoundError",
    "IdpUnavailableError",
    "InsufficientScopeError",
    "InvalidRequestError",
    "InvalidTokenError",
    "MissingCredentialsError",
    "OidcError",
    "render",
]

REALM = "authgate"


class OidcError(Exception):
    """A reason to refuse the request; ``description`` never contains a token or secret."""

    status_code: ClassVar[int] = 401
    error_code: ClassVar[str | None] = None

    def __init__(self, description: str = "") -> None:
        super().__init__(description)
        self.description = description


class MissingCredentialsError(OidcError):
    """No credential at all: RFC 6750 §3.1 says to send no error code then."""


class InvalidRequestError(OidcError):
    """``invalid_request``: a malformed credential (for example two bearer tokens)."""

    status_code = 400
    error_code = "invalid_request"


class InvalidTokenError(OidcError):
    """``invalid_token``: expired, revoked, malformed or otherwise not acceptable."""

    error_code = "invalid_token"


class InsufficientScopeError(OidcError):
    """``insufficient_scope``: a valid token that the authorization rules refuse."""

    status_code = 403
    error_code = "insufficient_scope"


class ConsumerNotFoundError(OidcError):
    """Authenticated, but no consumer matches ``consumer_claim`` (and it is not optional)."""

    status_code = 403


class IdpUnavailableError(OidcError):
    """The IdP could not be reached or answered nonsense: 502 (bad answer) or 503 (down)."""

    def __init__(self, description: str, status: int = 503) -> None:
        super().__init__(description)
        self.status = status


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def render(
    error: OidcError,
    request_id: str,
    unauthorized_message: str,
    forbidden_message: str,
    *,
    display_errors: bool = False,
    expose_error_code: bool = True,
) -> PluginResponse:
    """The response a client sees for ``error``."""
    if isinstance(error, IdpUnavailableError):
        message = "Bad Gateway" if error.status == 502 else "Service Unavailable"
        return PluginResponse.json(error.status, message, request_id)
    status = error.status_code
    message = forbidden_message if status == 403 else unauthorized_message
    if status == 400:
        message = "Bad Request"
    if display_errors and error.description:
        message = f"{message} ({error.description})"
    challenge = f'Bearer realm="{REALM}"'
    if expose_error_code and error.error_code is not None:
        challenge += f', error="{error.error_code}"'
        if error.description:
            challenge += f', error_description="{_quote(error.description)}"'
    return PluginResponse.json(status, message, request_id, [("www-authenticate", challenge)])
