"""RFC 6749 §2.3.1 client authentication: ``client_secret_basic`` and ``client_secret_post``.

Parsing is pure; checking the secret is the store's job (constant time, hashed at rest).
Using two methods at once is an error (§2.3). A client that sends no secret at all is a
public client (``token_endpoint_auth_method=none``).
"""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import unquote_plus

from authgate.idp.domain.records import AppClient
from authgate.idp.protocol.oauth_errors import InvalidClientError, InvalidRequestError
from authgate.idp.protocol.params import Params
from authgate.idp.storage.store import IdpStore

__all__ = [
    "AUTH_METHODS",
    "AuthMethod",
    "ClientCredentials",
    "authenticate_client",
    "parse_client_credentials",
]

AuthMethod = Literal["client_secret_basic", "client_secret_post", "none"]
AUTH_METHODS: tuple[AuthMethod, ...] = ("client_secret_basic", "client_secret_post")
MAX_CLIENT_ID_CHARS = 128


@dataclass(frozen=True)
class ClientCredentials:
    """Who the caller says it is; ``secret`` is hidden from ``repr``."""

    client_id: str
    secret: str | None = field(repr=False)
    method: AuthMethod

    @property
    def basic(self) -> bool:
        """True when the credentials came in the Authorization header."""
        return self.method == "client_secret_basic"


def _parse_basic(value: str) -> tuple[str, str]:
    try:
        raw = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidClientError("malformed Basic credentials", basic=True) from None
    client_id, sep, secret = raw.partition(":")
    if not sep:
        raise InvalidClientError("malformed Basic credentials", basic=True)
    # §2.3.1: both parts are form-urlencoded before being joined.
    return unquote_plus(client_id), unquote_plus(secret)


def parse_client_credentials(authorization: str | None, form: Params) -> ClientCredentials:
    """Read the client's identity from the Authorization header and/or the form body."""
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "basic":
            raise InvalidClientError("only Basic client authentication is supported", basic=True)
        client_id, secret = _parse_basic(value)
        if "client_secret" in form:
            raise InvalidRequestError("use one client authentication method, not two")
        if form.get("client_id", client_id) != client_id:
            raise InvalidClientError("client_id does not match the Basic credentials", basic=True)
        if not client_id or len(client_id) > MAX_CLIENT_ID_CHARS:
            raise InvalidClientError("invalid client", basic=True)
        return ClientCredentials(client_id, secret, "client_secret_basic")
    form_client_id = form.get("client_id")
    if not form_client_id or len(form_client_id) > MAX_CLIENT_ID_CHARS:
        raise InvalidClientError("client authentication is required")
    form_secret = form.get("client_secret")
    method: AuthMethod = "client_secret_post" if form_secret else "none"
    return ClientCredentials(form_client_id, form_secret, method)


async def authenticate_client(
    store: IdpStore, credentials: ClientCredentials, pool_id: str | None
) -> AppClient:
    """The client, if it exists (in ``pool_id`` when given) and proved its secret.

    Confidential clients must send their secret; public clients must not send one. Every
    failure is the same ``invalid_client`` so callers learn nothing about which part failed.
    """
    failure = InvalidClientError("client authentication failed", basic=credentials.basic)
    client = await store.clients.find(credentials.client_id)
    if client is None or (pool_id is not None and client.pool_id != pool_id):
        # Spend the same constant-time comparison as for a real client.
        hmac.compare_digest(b"x" * 51, (credentials.secret or "").encode())
        raise failure
    if client.has_secret:
        if not store.clients.verify_secret(client, credentials.secret):
            raise failure
    elif credentials.secret is not None:
        raise failure
    return client
