"""Who the gateway says the caller is, read from the request headers an upstream receives.

The openid-connect plugin (like Kong's) can send the access token (``Authorization: Bearer``
by default, ``upstream_access_token_header``), the ID token (``upstream_id_token_header``;
``x-id-token`` in the workshop), the userinfo document (``upstream_user_info_header``,
base64 JSON), claims as headers (``upstream_headers_claims``/``_names``; the workshop sends
``x-authenticated-user``, ``x-client-id`` and ``x-scope``) and Kong's consumer headers
(``X-Consumer-*``, ``X-Credential-Identifier``, ``X-Anonymous-Consumer``).

JWT payloads are decoded and **not verified** (RFC 7519 §7.2 steps 7-10 only): behind the
gateway, the gateway did the checking, and a demo upstream only shows what arrived.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

__all__ = [
    "MAX_JWT_LENGTH",
    "Identity",
    "gateway_headers",
    "identity_of",
    "jwt_claims",
]

MAX_JWT_LENGTH = 16 * 1024
"""Longer header values are not decoded (untrusted input; real ID tokens are a few KiB)."""

# Request headers a browser, curl or a proxy sends by itself: everything else that reaches
# the upstream through an openid-connect route was set by the gateway, which drops a
# client's copy of every identity header it can set.
_TRANSPORT = frozenset(
    {
        "host", "connection", "keep-alive", "accept", "accept-encoding", "accept-language",
        "accept-charset", "user-agent", "cookie", "cache-control", "pragma",
        "upgrade-insecure-requests", "dnt", "priority", "referer", "origin", "content-type",
        "content-length", "transfer-encoding", "te", "expect", "range", "upgrade",
        "forwarded", "x-real-ip", "via", "x-request-id", "traceparent", "tracestate",
        "x-requested-with",
    }
)  # fmt: skip
_TRANSPORT_PREFIXES = ("sec-", "x-forwarded-", "if-")
_ID_TOKEN_HEADERS = ("x-id-token", "x-id_token")
_ACCESS_TOKEN_HEADERS = ("authorization", "x-access-token")


@dataclass(frozen=True)
class Identity:
    """What a page says about the caller; ``name`` is None when nothing identifies one."""

    name: str | None
    email: str | None
    claims: Mapping[str, Any] | None
    claims_kind: str
    claims_header: str | None
    anonymous: bool


def jwt_claims(token: str) -> dict[str, Any] | None:
    """The payload of a compact JWS (RFC 7515 §7.1) as a JSON object, unverified; else None."""
    if len(token) > MAX_JWT_LENGTH or token.count(".") != 2:
        return None
    header, payload, _ = token.split(".")
    try:
        if not isinstance(orjson.loads(_b64url(header)), dict):
            return None
        claims = orjson.loads(_b64url(payload))
    except (ValueError, binascii.Error):
        return None
    return claims if isinstance(claims, dict) else None


def _b64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _userinfo(value: str) -> dict[str, Any] | None:
    """Kong's ``X-Userinfo``: base64 of the userinfo JSON (plain JSON is accepted too)."""
    if len(value) > MAX_JWT_LENGTH:
        return None
    try:
        text = value if value.lstrip().startswith("{") else base64.b64decode(value, validate=True)
        document = orjson.loads(text)
    except (ValueError, binascii.Error):
        return None
    return document if isinstance(document, dict) else None


def gateway_headers(headers: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers a browser or proxy does not send by itself (names are lower case)."""
    return [
        (name, value)
        for name, value in headers
        if name not in _TRANSPORT and not name.startswith(_TRANSPORT_PREFIXES)
    ]


def _first(headers: Sequence[tuple[str, str]], names: Sequence[str]) -> tuple[str, str] | None:
    for name, value in headers:
        if name in names:
            return name, value
    return None


def _bearer(value: str) -> str:
    scheme, _, token = value.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else value.strip()


def _id_token(headers: Sequence[tuple[str, str]]) -> tuple[str, dict[str, Any]] | None:
    """The ID token: in ``x-id-token``, else any header holding a JWT that looks like one."""
    named = _first(headers, _ID_TOKEN_HEADERS)
    if named is not None and (claims := jwt_claims(named[1].strip())) is not None:
        return named[0], claims
    for name, value in gateway_headers(headers):
        claims = jwt_claims(_bearer(value))
        if claims is not None and (
            claims.get("token_use") == "id" or "at_hash" in claims or "nonce" in claims
        ):
            return name, claims
    return None


def _access_token(headers: Sequence[tuple[str, str]]) -> tuple[str, dict[str, Any]] | None:
    for name, value in headers:
        if name in _ACCESS_TOKEN_HEADERS and (claims := jwt_claims(_bearer(value))) is not None:
            return name, claims
    return None


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _person(documents: Sequence[Mapping[str, Any]]) -> str | None:
    """A person's name from OpenID Connect Core §5.1 claims, most readable first."""
    for doc in documents:
        if name := _text(doc.get("name")):
            return name
        given, family = _text(doc.get("given_name")), _text(doc.get("family_name"))
        if given or family:
            return " ".join(part for part in (given, family) if part)
    for key in ("preferred_username", "email", "cognito:username", "username"):
        for doc in documents:
            if value := _text(doc.get(key)):
                return value
    return None


def _header_name(headers: Sequence[tuple[str, str]]) -> str | None:
    for header in ("x-consumer-username", "x-authenticated-user", "x-credential-identifier"):
        found = _first(headers, (header,))
        if found is not None and found[1].strip():
            return found[1].strip()
    return None


def identity_of(headers: Sequence[tuple[str, str]]) -> Identity:
    """The caller as the gateway forwarded it (``headers``: lower-case names, in order)."""
    id_token = _id_token(headers)
    access = _access_token(headers)
    userinfo_header = _first(headers, ("x-userinfo",))
    userinfo = _userinfo(userinfo_header[1]) if userinfo_header is not None else None
    documents = [doc for doc in (id_token and id_token[1], userinfo, access and access[1]) if doc]
    name = _person(documents) or _header_name(headers)
    if name is None and access is not None and (client := _text(access[1].get("client_id"))):
        name = f"client {client}"  # a machine: client credentials carry no user
    email = next((e for doc in documents if (e := _text(doc.get("email")))), None)
    shown, kind = (id_token, "ID token") if id_token is not None else (access, "Access token")
    anonymous = (_first(headers, ("x-anonymous-consumer",)) or ("", ""))[1].lower() == "true"
    return Identity(
        name=None if anonymous and id_token is None and access is None else name,
        email=email if email != name else None,
        claims=shown[1] if shown is not None else None,
        claims_kind=kind,
        claims_header=shown[0] if shown is not None else None,
        anonymous=anonymous,
    )
