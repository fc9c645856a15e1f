"""RFC 6749 §4.1 authorization code grant as a browser client, with RFC 7636 PKCE (S256).

No I/O here except :func:`redeem`. A login starts with fresh ``state``, ``nonce`` and PKCE
verifier kept in a sealed cookie named after the state (``authorization_<state prefix>``),
so logins in several tabs each keep their own and never clobber each other; at most
``MAX_PENDING_LOGINS`` are kept (mod_auth_openidc#108: no pile-up). The callback must carry
exactly one ``state`` equal to the cookie's (compared in constant time) and, when the IdP
sends RFC 9207 ``iss``, the expected issuer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import orjson

from authgate.plugins.openid_connect.errors import InvalidRequestError
from authgate.plugins.openid_connect.idp_client.client_auth import ClientCredentials
from authgate.plugins.openid_connect.idp_client.grants import TokenResponse, request_tokens
from authgate.plugins.openid_connect.idp_client.http_client import IdpHttpClient

__all__ = [
    "MAX_PENDING_LOGINS",
    "CallbackParams",
    "LoginState",
    "authorization_url",
    "callback_params",
    "redeem",
    "state_cookie_name",
]

MAX_PENDING_LOGINS = 5
STATE_PREFIX_CHARS = 12
_MAX_PARAM_CHARS = 4096


@dataclass(frozen=True, slots=True)
class LoginState:
    """One login in progress (sealed into its cookie)."""

    state: str
    nonce: str
    verifier: str | None
    redirect_uri: str
    return_to: str
    created_at: float

    @classmethod
    def new(cls, redirect_uri: str, return_to: str, now: float, pkce: bool) -> LoginState:
        """Fresh random state, nonce and (with ``pkce``) verifier."""
        verifier = secrets.token_urlsafe(48) if pkce else None
        return cls(
            secrets.token_urlsafe(32), secrets.token_urlsafe(24), verifier, redirect_uri,
            return_to, now,
        )  # fmt: skip

    def dumps(self) -> bytes:
        """JSON for sealing."""
        return orjson.dumps(
            [self.state, self.nonce, self.verifier, self.redirect_uri, self.return_to,
             self.created_at]
        )  # fmt: skip

    @classmethod
    def loads(cls, raw: bytes) -> LoginState | None:
        """The state sealed by :meth:`dumps`; None if it is not one."""
        try:
            items = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(items, list) or len(items) != 6:
            return None
        state, nonce, verifier, redirect_uri, return_to, created = items
        texts = (state, nonce, redirect_uri, return_to)
        if not all(isinstance(t, str) for t in texts) or not isinstance(created, int | float):
            return None
        if verifier is not None and not isinstance(verifier, str):
            return None
        return cls(state, nonce, verifier, redirect_uri, return_to, float(created))

    @property
    def challenge(self) -> str | None:
        """RFC 7636 §4.2 S256 code challenge."""
        if self.verifier is None:
            return None
        digest = hashlib.sha256(self.verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def matches(self, state: str) -> bool:
        """Constant-time comparison with the callback's ``state``."""
        return hmac.compare_digest(self.state.encode(), state.encode())


def state_cookie_name(base: str, state: str) -> str:
    """The cookie of the login with ``state`` (one per login, see module docstring)."""
    prefix = "".join(c for c in state[:STATE_PREFIX_CHARS] if c.isalnum() or c in "-_")
    return f"{base}_{prefix}"


def authorization_url(
    endpoint: str,
    client_id: str,
    login: LoginState,
    *,
    scopes: Sequence[str],
    response_mode: str,
    use_nonce: bool,
    max_age: int | None,
) -> str:
    """The §4.1.1 authorization request URL."""
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": login.redirect_uri,
        "scope": " ".join(scopes),
        "state": login.state,
    }
    if use_nonce:
        params["nonce"] = login.nonce
    if response_mode != "query":
        params["response_mode"] = response_mode
    challenge = login.challenge
    if challenge is not None:
        params["code_challenge"] = challenge
        params["code_challenge_method"] = "S256"
    if max_age is not None:
        params["max_age"] = str(max_age)
    separator = "&" if "?" in endpoint else "?"
    return endpoint + separator + urlencode(params)


@dataclass(frozen=True, slots=True)
class CallbackParams:
    """The §4.1.2 authorization response (or §4.1.2.1 error response)."""

    state: str
    code: str | None
    error: str | None
    error_description: str | None
    iss: str | None


def _single(params: Mapping[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise InvalidRequestError(f"more than one {name}")
    value = values[0]
    if len(value) > _MAX_PARAM_CHARS:
        raise InvalidRequestError(f"{name} too large")
    return value


def callback_params(params: Mapping[str, list[str]]) -> CallbackParams | None:
    """The callback's parameters; None if this is not a callback (no state, no code/error).

    A duplicated parameter is an :class:`InvalidRequestError` (mod_auth_openidc 2026).
    """
    if "state" not in params or not ("code" in params or "error" in params):
        return None
    state = _single(params, "state")
    if not state:
        raise InvalidRequestError("empty state")
    return CallbackParams(
        state, _single(params, "code"), _single(params, "error"),
        _single(params, "error_description"), _single(params, "iss"),
    )  # fmt: skip


async def redeem(
    client: IdpHttpClient,
    endpoint: str,
    code: str,
    login: LoginState,
    credentials: ClientCredentials,
    *,
    timeout: float,
    verify: bool,
) -> TokenResponse:
    """§4.1.3 token request for ``code`` (with the PKCE verifier when one was sent)."""
    grant = {"grant_type": "authorization_code", "code": code, "redirect_uri": login.redirect_uri}
    if login.verifier is not None:
        grant["code_verifier"] = login.verifier
    return await request_tokens(
        client, endpoint, grant, credentials, timeout=timeout, verify=verify
    )
