"""RFC 6749 §4.1.1 / OIDC Core §3.1.2.1-2 authorization request validation.

Errors about the client or the redirect URI are shown to the user (``ErrorPageResponse``,
never a redirect: §4.1.2.1, RFC 9700 §4.11); everything else is sent back to the client's
now-trusted redirect URI with ``state`` (``ClientRedirectError``). The redirect URI is
compared byte for byte with the registered ones (RFC 9700 §4.1.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from authgate.idp.domain.records import AppClient
from authgate.idp.protocol import pkce
from authgate.idp.protocol.oauth_errors import (
    InvalidRequestError,
    OAuthError,
    RequestNotSupportedError,
    RequestUriNotSupportedError,
    UnauthorizedClientError,
    UnsupportedResponseTypeError,
)
from authgate.idp.protocol.params import Params
from authgate.idp.protocol.scopes import authorize_scopes

__all__ = [
    "AuthorizationRequest",
    "ClientRedirectError",
    "InvalidClientPageError",
    "add_query",
    "validate_authorization_request",
]

PROMPTS = frozenset({"none", "login", "consent", "select_account"})


class InvalidClientPageError(Exception):
    """The client or redirect URI cannot be trusted: show the message, do not redirect."""


class ClientRedirectError(Exception):
    """An error to deliver to the client at its (validated) redirect URI."""

    def __init__(self, error: OAuthError, redirect_uri: str, state: str | None) -> None:
        super().__init__(error.error)
        self.error = error
        self.redirect_uri = redirect_uri
        self.state = state


@dataclass(frozen=True)
class AuthorizationRequest:
    """A validated authorization request."""

    client: AppClient
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    nonce: str | None
    code_challenge: str | None
    prompt: frozenset[str]
    max_age: int | None
    params: Params


def add_query(uri: str, params: dict[str, str]) -> str:
    """``uri`` with ``params`` appended to its query (keeping any registered query)."""
    parts = urlsplit(uri)
    extra = urlencode(params)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def trusted_redirect_uri(client: AppClient | None, params: Params) -> tuple[AppClient, str]:
    """The client and its redirect URI, or InvalidClientPageError."""
    if client is None:
        raise InvalidClientPageError("The client_id is missing or not a client of this user pool.")
    redirect_uri = params.get("redirect_uri")
    if redirect_uri is None:
        raise InvalidClientPageError("The redirect_uri parameter is missing.")
    # Byte-for-byte: no normalisation of case, encoding, ports, paths or trailing slashes.
    if redirect_uri not in client.callback_urls:
        raise InvalidClientPageError("The redirect_uri is not registered for this client.")
    return client, redirect_uri


def _prompt(params: Params) -> frozenset[str]:
    values = frozenset(params.get("prompt", "").split())
    if not values <= PROMPTS:
        raise InvalidRequestError("unsupported prompt value")
    if "none" in values and len(values) > 1:
        raise InvalidRequestError("prompt=none cannot be combined with other values")
    return values


def _max_age(params: Params) -> int | None:
    raw = params.get("max_age")
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 10:
        raise InvalidRequestError("max_age must be a non-negative integer")
    return int(raw)


def _check_protocol(client: AppClient, params: Params) -> None:
    if "request" in params:
        raise RequestNotSupportedError("request objects are not supported")
    if "request_uri" in params:
        raise RequestUriNotSupportedError("request_uri is not supported")
    response_type = params.get("response_type")
    if response_type is None:
        raise InvalidRequestError("response_type is required")
    if response_type != "code":
        raise UnsupportedResponseTypeError("only response_type=code is supported")
    if params.get("response_mode", "query") != "query":
        raise InvalidRequestError("only response_mode=query is supported")
    if "code" not in client.allowed_oauth_flows:
        raise UnauthorizedClientError("the client may not use the authorization code flow")


def validate_authorization_request(
    client: AppClient | None, params: Params
) -> AuthorizationRequest:
    """Check an authorization request for ``client`` (None if unknown)."""
    client, redirect_uri = trusted_redirect_uri(client, params)
    state = params.get("state")
    try:
        _check_protocol(client, params)
        scopes = authorize_scopes(params.get("scope"), client)
        try:
            challenge = pkce.validate_challenge(
                params.get("code_challenge"), params.get("code_challenge_method")
            )
        except pkce.PkceError as exc:
            raise InvalidRequestError(str(exc)) from None
        if challenge is None and not client.has_secret:
            raise InvalidRequestError("public clients must use PKCE (code_challenge with S256)")
        return AuthorizationRequest(
            client=client,
            redirect_uri=redirect_uri,
            scopes=scopes,
            state=state,
            nonce=params.get("nonce"),
            code_challenge=challenge,
            prompt=_prompt(params),
            max_age=_max_age(params),
            params=params,
        )
    except OAuthError as exc:
        raise ClientRedirectError(exc, redirect_uri, state) from None
