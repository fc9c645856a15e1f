"""Headers to the upstream: tokens, claims and Kong's consumer headers, with spoof-proofing.

Before the plugin sets anything, every client-supplied copy of every header it may set is
removed, matching names case-insensitively and with ``_`` and ``-`` as the same character
(oauth2-proxy CVE-2025-64484, APISIX CVE-2026-44087): an upstream that normalizes
``X_Consumer_ID`` to ``X-Consumer-ID`` must never see a client's value.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from authgate.config.entities import Consumer
from authgate.plugins.base import Headers

__all__ = [
    "ALWAYS_STRIPPED",
    "CONSUMER_HEADERS",
    "STRIPPED_PREFIXES",
    "HeaderTarget",
    "SpoofableHeaders",
    "claim_header_value",
    "header_value",
    "json_header_value",
    "normalized",
    "set_consumer_headers",
    "strip_spoofable",
]

CONSUMER_HEADERS = (
    "x-consumer-id",
    "x-consumer-custom-id",
    "x-consumer-username",
    "x-credential-identifier",
    "x-anonymous-consumer",
    "x-consumer-groups",
    "x-authenticated-groups",
)

# Identity headers this plugin, Kong's plugins or the community kong-oidc plugin set in some
# configuration: an upstream behind any openid-connect route may trust them, so a client's
# copy never passes, whatever this route's config sets.
ALWAYS_STRIPPED = (
    *CONSUMER_HEADERS,
    "x-userinfo",
    "x-id-token",
    "x-access-token",
)
STRIPPED_PREFIXES = ("x-authenticated-", "x-consumer-")


def normalized(name: str) -> str:
    """The name as a WSGI/CGI-style upstream would see it: lower case, ``_`` as ``-``."""
    return name.lower().replace("_", "-")


class HeaderTarget:
    """A parsed ``header[:scheme]`` setting such as Kong's ``authorization:bearer``."""

    __slots__ = ("name", "prefix")

    def __init__(self, spec: str) -> None:
        name, _, scheme = spec.partition(":")
        self.name = name.strip().lower()
        scheme = scheme.strip()
        self.prefix = f"{scheme[:1].upper()}{scheme[1:].lower()} " if scheme else ""

    def set(self, headers: Headers, value: str) -> None:
        """Set the header to ``value`` (with the scheme prefix)."""
        headers.set(self.name, self.prefix + value)


def strip_spoofable(headers: Headers, names: Iterable[str]) -> None:
    """Remove every header whose normalized name is one of ``names`` (normalized too)."""
    SpoofableHeaders(names).strip(headers)


class SpoofableHeaders:
    """:func:`strip_spoofable` with the target names normalized once, at config load.

    ``prefixes`` (normalized too) strip whole families such as ``X-Consumer-*``.
    """

    __slots__ = ("names", "prefixes")

    def __init__(self, names: Iterable[str], prefixes: Iterable[str] = ()) -> None:
        self.names = frozenset(normalized(name) for name in names)
        self.prefixes = tuple(normalized(prefix) for prefix in prefixes)

    def matches(self, key: str) -> bool:
        """Whether the (lower-case) header name ``key`` is one to strip."""
        name = key.replace("_", "-") if "_" in key else key
        return name in self.names or (bool(self.prefixes) and name.startswith(self.prefixes))

    def strip(self, headers: Headers, keep: str | None = None) -> None:
        """One pass over the request headers; the list is rebuilt only when one matches.

        :class:`Headers` names are already lower case, so only ``_`` needs normalizing.
        ``keep``: a header name (exactly as received) that stays, e.g. the credential the
        request was authenticated with when ``hide_credentials`` is off.
        """
        matches = self.matches
        items = headers.items()
        for key, _ in items:
            if key != keep and matches(key):
                break
        else:
            return
        items[:] = [(key, value) for key, value in items if key == keep or not matches(key)]


def header_value(value: str) -> str | None:
    """A value safe to put on the wire: no CR/LF/NUL; non-latin-1 text sent as UTF-8 bytes."""
    if "\r" in value or "\n" in value or "\x00" in value:
        return None
    return value.encode("utf-8").decode("latin-1")


def claim_header_value(value: object) -> str | None:
    """A claim as a header value: strings as they are, arrays comma-joined, objects as JSON."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = str(value)
    elif isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        text = ",".join(str(v) for v in value)
    else:
        text = orjson.dumps(value).decode()
    return header_value(text)


def json_header_value(document: Mapping[str, Any]) -> str:
    """Kong's encoding of userinfo/introspection documents in a header: base64 of the JSON."""
    return base64.b64encode(orjson.dumps(document)).decode("ascii")


def set_consumer_headers(
    headers: Headers,
    consumer: Consumer | None,
    credential: str | None,
    anonymous: bool,
    *,
    cleared: bool = False,
) -> None:
    """Kong's identity headers: set what is known, clear the rest (never leave stale ones).

    ``cleared``: the caller already removed every :data:`CONSUMER_HEADERS` (with
    :class:`SpoofableHeaders`) and nothing set one since, so values are appended directly.
    """
    put = headers.add if cleared else headers.set
    if not cleared:
        for name in CONSUMER_HEADERS:
            headers.remove(name)
    if consumer is not None:
        put("x-consumer-id", str(consumer.id))
        if consumer.custom_id is not None:
            safe = header_value(consumer.custom_id)
            if safe is not None:
                put("x-consumer-custom-id", safe)
        if consumer.username is not None:
            safe = header_value(consumer.username)
            if safe is not None:
                put("x-consumer-username", safe)
    if credential is not None:
        safe = header_value(credential)
        if safe is not None:
            put("x-credential-identifier", safe)
    if anonymous:
        put("x-anonymous-consumer", "true")
