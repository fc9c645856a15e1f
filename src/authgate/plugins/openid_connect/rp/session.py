"""The plugin's browser sessions: what a session holds, reading it, refreshing its tokens.

A session holds the tokens of one sign-in (``at``, ``it``, ``rt``) and when the access token
expires (``exp``); it is kept by a :class:`~authgate.sessions.SessionStore` (``session_storage:
cookie``). Tokens read back from a session are trusted without re-verification (Kong's
``reverify: false``): the session is sealed with AES-GCM, so nobody but the gateway wrote it.
An access token that expires within ``REFRESH_MARGIN`` seconds is refreshed first
(:mod:`..idp_client.refresh`); a refresh the IdP refuses ends the session.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from authgate.plugins.base import RequestContext, Slot
from authgate.plugins.openid_connect.idp_client.grants import TokenResponse
from authgate.plugins.openid_connect.rp.request_url import is_https
from authgate.plugins.openid_connect.rs.access_token import unverified_claims
from authgate.sessions import CookieJar, Session, parse_cookie_header

__all__ = [
    "JAR",
    "REFRESH_MARGIN",
    "SessionClaims",
    "SessionTokens",
    "expires_at",
    "jar_for",
    "session_data",
]

JAR: Slot[CookieJar] = Slot("openid_connect.cookie_jar")
REFRESH_MARGIN = 30.0


def jar_for(ctx: RequestContext) -> CookieJar:
    """The request's cookie jar (created once per request, shared by every step)."""
    jar = ctx.get(JAR)
    if jar is None:
        jar = CookieJar(parse_cookie_header(ctx.headers.get_all("cookie")), is_https(ctx))
        ctx.put(JAR, jar)
    return jar


@dataclass
class SessionTokens:
    """The tokens of a session (hidden from repr)."""

    access_token: str = field(repr=False)
    id_token: str | None = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: float | None

    @classmethod
    def of(cls, session: Session) -> SessionTokens | None:
        """The tokens in ``session``; None if it holds none."""
        data = session.data
        access, id_token, refresh, exp = (data.get(k) for k in ("at", "it", "rt", "exp"))
        if not isinstance(access, str) or not access:
            return None
        return cls(
            access,
            id_token if isinstance(id_token, str) else None,
            refresh if isinstance(refresh, str) else None,
            float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None,
        )

    @property
    def claims(self) -> dict[str, Any]:
        """ID token claims, overlaid with the access token's (scope, client_id, aud …)."""
        return {**unverified_claims(self.id_token), **unverified_claims(self.access_token)}

    def expiring(self, now: float) -> bool:
        """Whether the access token expires within :data:`REFRESH_MARGIN`."""
        return self.expires_at is not None and now >= self.expires_at - REFRESH_MARGIN

    def expired(self, now: float) -> bool:
        """Whether the access token has expired."""
        return self.expires_at is not None and now >= self.expires_at


class SessionClaims:
    """:attr:`SessionTokens.claims`, remembered per token pair (at most ``max_entries``).

    The claims are a pure function of the two tokens, and a browser sends the same session
    on every request; whether the session is still valid is decided by the store, not here.
    """

    def __init__(self, max_entries: int = 1024) -> None:
        self._max = max_entries
        self._memo: OrderedDict[tuple[str, str | None], dict[str, Any]] = OrderedDict()

    def of(self, tokens: SessionTokens) -> dict[str, Any]:
        """The claims of ``tokens`` (shared between requests: never change them)."""
        key = (tokens.access_token, tokens.id_token)
        claims = self._memo.get(key)
        if claims is None:
            claims = self._memo[key] = tokens.claims
            while len(self._memo) > self._max:
                self._memo.popitem(last=False)
        return claims


def expires_at(tokens: TokenResponse, now: float) -> float | None:
    """When the access token of ``tokens`` expires (its ``exp``, else ``expires_in``)."""
    exp = unverified_claims(tokens.access_token).get("exp")
    if isinstance(exp, int | float) and not isinstance(exp, bool):
        return float(exp)
    return now + tokens.expires_in if tokens.expires_in is not None else None


def session_data(
    tokens: TokenResponse, now: float, previous: SessionTokens | None = None
) -> dict[str, Any]:
    """What a session stores for ``tokens`` (a refresh may omit the ID or refresh token)."""
    id_token = tokens.id_token or (previous.id_token if previous else None)
    refresh = tokens.refresh_token or (previous.refresh_token if previous else None)
    data: dict[str, Any] = {"at": tokens.access_token, "exp": expires_at(tokens, now)}
    if id_token is not None:
        data["it"] = id_token
    if refresh is not None:
        data["rt"] = refresh
    return data
