"""RFC 6750 §2 bearer tokens and the other client credentials, found where Kong looks.

Kong's ``*_param_type`` lists say where to look: ``header`` (``Authorization`` and, for
bearer tokens, the ``access-token``/``x-access-token`` headers), ``query``, ``body``
(form-urlencoded or JSON; only when the data plane hands plugins the request body) and
``cookie``. No I/O: functions take the request pieces and return what they found and where,
so ``hide_credentials`` can remove exactly that.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qsl

from authgate.plugins.base import Headers
from authgate.plugins.openid_connect.errors import InvalidRequestError

__all__ = [
    "BEARER_HEADERS",
    "Found",
    "basic_credentials",
    "check_token",
    "find_bearer",
    "find_pair",
    "find_param",
    "is_b64token",
    "locate_bearer",
    "query_params",
]

BEARER_HEADERS = ("access-token", "x-access-token")
MAX_PARAM_BYTES = 64 * 1024
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


@dataclass(frozen=True, slots=True)
class Found:
    """A credential value and where it came from (``header:<name>``, ``query:<name>``…)."""

    value: str
    source: str


def query_params(query: str) -> dict[str, list[str]]:
    """The query string's arguments (every value, in order)."""
    params: dict[str, list[str]] = {}
    if not query:
        return params
    for name, value in parse_qsl(query, keep_blank_values=True):
        params.setdefault(name, []).append(value)
    return params


def _one(values: Sequence[str] | None, name: str) -> str | None:
    if not values:
        return None
    if len(values) > 1:
        raise InvalidRequestError(f"more than one {name}")
    if len(values[0]) > MAX_PARAM_BYTES:
        raise InvalidRequestError(f"{name} too large")
    return values[0] or None


def _authorization(headers: Headers, scheme: str) -> str | None:
    values = headers.get_all("authorization")
    matching = [v for v in values if v[: len(scheme) + 1].lower() == scheme + " "]
    value = _one(matching, "authorization header")
    if value is None:
        return None
    credential = value[len(scheme) + 1 :].strip()
    return credential or None


def _cookie(headers: Headers, name: str) -> str | None:
    cookie: SimpleCookie = SimpleCookie()
    for header in headers.get_all("cookie"):
        try:
            cookie.load(header)
        except CookieError:
            continue
    morsel = cookie.get(name)
    return morsel.value if morsel is not None and morsel.value else None


def is_b64token(value: str) -> bool:
    """Whether ``value`` is made of RFC 6750 §2.1 b64token characters only."""
    return _B64TOKEN.fullmatch(value) is not None


def check_token(found: Found) -> Found:
    """RFC 6750 §2.1 b64token characters only: a token is never allowed to smuggle CR/LF."""
    if _B64TOKEN.fullmatch(found.value) is None:
        raise InvalidRequestError("malformed bearer token")
    return found


def _token(found: Found | None) -> Found | None:
    return check_token(found) if found is not None else None


def find_bearer(
    headers: Headers,
    query: Mapping[str, list[str]],
    body: Mapping[str, list[str]] | None,
    param_types: Sequence[str],
    cookie_name: str | None,
) -> Found | None:
    """The bearer token, searching ``param_types`` in Kong's order (header, query, body, cookie)."""
    return _token(locate_bearer(headers, query, body, param_types, cookie_name))


def locate_bearer(
    headers: Headers,
    query: Mapping[str, list[str]],
    body: Mapping[str, list[str]] | None,
    param_types: Sequence[str],
    cookie_name: str | None,
) -> Found | None:
    """:func:`find_bearer` without the b64token check: the caller runs :func:`check_token`.

    For a token already in the verified-token cache, which only ever holds tokens that
    passed that check, the check can be skipped.
    """
    if "header" in param_types:
        token = _authorization(headers, "bearer")
        if token is not None:
            return Found(token, "header:authorization")
    # The access-token/x-access-token headers (BEARER_HEADERS), then query, then body.
    found = _find_param(headers, query, body, param_types, "access_token")
    if found is not None:
        return found
    if "cookie" in param_types and cookie_name:
        token = _cookie(headers, cookie_name)
        if token is not None:
            return Found(token, f"cookie:{cookie_name}")
    return None


def basic_credentials(headers: Headers) -> tuple[str, str] | None:
    """``Authorization: Basic`` decoded into (user, password), or None."""
    encoded = _authorization(headers, "basic")
    if encoded is None:
        return None
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidRequestError("malformed basic credentials") from None
    user, sep, password = decoded.partition(":")
    if not sep or not user or not password:
        raise InvalidRequestError("malformed basic credentials")
    return user, password


def find_pair(
    headers: Headers,
    query: Mapping[str, list[str]],
    body: Mapping[str, list[str]] | None,
    param_types: Sequence[str],
    names: tuple[str, str],
) -> tuple[str, str, str] | None:
    """A (user, secret, source) pair: Basic header, or two arguments named ``names``."""
    if "header" in param_types:
        pair = basic_credentials(headers)
        if pair is not None:
            return pair[0], pair[1], "header:authorization"
    sources: list[tuple[str, Mapping[str, list[str]] | None]] = [
        ("query", query),
        ("body", body),
    ]
    for kind, params in sources:
        if kind not in param_types or params is None:
            continue
        user, secret = _one(params.get(names[0]), names[0]), _one(params.get(names[1]), names[1])
        if user is not None and secret is not None:
            return user, secret, f"{kind}:{names[0]},{names[1]}"
    return None


def find_param(
    headers: Headers,
    query: Mapping[str, list[str]],
    body: Mapping[str, list[str]] | None,
    param_types: Sequence[str],
    name: str,
) -> Found | None:
    """A single named credential (a refresh token): header ``name``/``x-name``, query, body."""
    return _token(_find_param(headers, query, body, param_types, name))


def _find_param(
    headers: Headers,
    query: Mapping[str, list[str]],
    body: Mapping[str, list[str]] | None,
    param_types: Sequence[str],
    name: str,
) -> Found | None:
    if "header" in param_types:
        for header in (name, "x-" + name):
            header = header.replace("_", "-")
            value = _one(headers.get_all(header), header)
            if value is not None:
                return Found(value, f"header:{header}")
    for kind, params in (("query", query), ("body", body)):
        if kind in param_types and params is not None:
            value = _one(params.get(name), name)
            if value is not None:
                return Found(value, f"{kind}:{name}")
    return None
