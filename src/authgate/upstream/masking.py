"""Tokens shortened for display: a page shows which token arrived, never the token itself.

A token becomes its first 12 and last 6 characters around an ellipsis (enough to tell two
tokens apart, far too little to use one); one under 36 characters keeps its first quarter. Values of
headers that carry credentials are always shortened; in any other header, every run of 40 or
more token characters (base64url, base64, dots: JWTs, opaque tokens, session cookies,
Kong's base64 ``X-Userinfo``) is, so a token under a custom header name is hidden too.
"""

from __future__ import annotations

import re

__all__ = ["CREDENTIAL_HEADERS", "LONG_TOKEN", "masked_header", "shorten"]

CREDENTIAL_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-id-token",
        "x-access-token",
        "x-refresh-token",
        "x-userinfo",
        "x-introspection",
    }
)
"""Headers whose whole value (after an auth scheme) is a credential or a token document."""

LONG_TOKEN = 40
_TOKEN_RUN = re.compile(rf"[A-Za-z0-9._~+/-]{{{LONG_TOKEN},}}={{0,2}}")
_HEAD, _TAIL = 12, 6
# Below this length, 12 + 6 characters would be half the token or more.
_SHORT_TOKEN = 36
_ELLIPSIS = "…"


def shorten(token: str) -> str:
    """``token`` as ``first12…last6``; under 36 characters, its first quarter and ``…``."""
    if len(token) >= _SHORT_TOKEN:
        return token[:_HEAD] + _ELLIPSIS + token[-_TAIL:]
    return token[: len(token) // 4] + _ELLIPSIS


def _scheme_and_credential(value: str) -> tuple[str, str]:
    """``Bearer abc`` -> (``Bearer ``, ``abc``); a bare value has no scheme."""
    scheme, space, credential = value.strip().partition(" ")
    if space and scheme.isalpha() and credential.strip():
        return scheme + " ", credential.strip()
    return "", value.strip()


def _mask_cookies(value: str) -> str:
    parts = []
    for pair in value.split(";"):
        name, eq, cookie = pair.strip().partition("=")
        parts.append(f"{name}={shorten(cookie)}" if eq and cookie else pair.strip())
    return "; ".join(parts)


def masked_header(name: str, value: str) -> str:
    """``value`` of header ``name`` (lower case) with every token in it shortened."""
    if name in CREDENTIAL_HEADERS:
        scheme, credential = _scheme_and_credential(value)
        return scheme + shorten(credential) if credential else value
    if name == "cookie":
        return _mask_cookies(value)
    return _TOKEN_RUN.sub(lambda match: shorten(match.group()), value)
