"""Which informational headers the gateway adds: Kong's ``headers`` setting (kong.conf).

``authgate gateway --headers`` takes a comma-separated list, as Kong's ``headers`` does
(Kong/kong ``kong.conf.default``, ``kong/conf_loader/constants.lua`` ``HEADER_KEY_TO_NAME``;
values are case-insensitive, and ``off`` adds none). What each value adds, mirroring
``kong/runloop/handler.lua`` ``header_filter``:

- proxied responses (the upstream answered): ``Via`` (authgate's own value, appended to the
  upstream's), the proxy and upstream latency headers, ``X-Kong-Upstream-Status``;
- responses the gateway made (errors, plugin answers such as request-termination or a 401,
  HTTPS redirects): ``Server`` and the response latency headers;
- both: the request id headers.

``server_tokens`` is ``Server`` + ``Via``; ``latency_tokens`` is Kong's
``X-Kong-{Proxy,Response,Upstream,Admin}-Latency``; ``authgate_latency_tokens`` is
authgate's ``X-Authgate-{Proxy,Response,Upstream}-Latency``. The default keeps authgate's
names; ``server_tokens, latency_tokens, X-Kong-Request-Id`` is Kong 3.x's default. With
``X-Kong-Request-Id`` the upstream request carries it too (Kong's ``headers_upstream``
default); ``X-Request-Id`` always goes upstream (authgate's correlation id). Upstream
response fields under a name the gateway sets are replaced, not repeated.

Everything is decided once, at start-up: per response the proxy calls one precomputed
function and reads precomputed names, never the setting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from authgate.proxy.forwarding_headers import RESPONSE_SPECIAL

__all__ = ["ALLOWED", "DEFAULT_HEADERS", "KONG_DEFAULT_HEADERS", "AddedHeaders", "parse_headers"]

SERVER = "server"
VIA = "via"
REQUEST_ID = "x-request-id"
KONG_REQUEST_ID = "x-kong-request-id"
KONG_PROXY_LATENCY = "x-kong-proxy-latency"
KONG_RESPONSE_LATENCY = "x-kong-response-latency"
KONG_UPSTREAM_LATENCY = "x-kong-upstream-latency"
KONG_ADMIN_LATENCY = "x-kong-admin-latency"
KONG_UPSTREAM_STATUS = "x-kong-upstream-status"
PROXY_LATENCY = "x-authgate-proxy-latency"
RESPONSE_LATENCY = "x-authgate-response-latency"
UPSTREAM_LATENCY = "x-authgate-upstream-latency"

# Lower-case value -> the header names it enables (as written in kong.conf.default).
_VALUES: dict[str, tuple[str, ...]] = {
    "server_tokens": (SERVER, VIA),
    "latency_tokens": (
        KONG_PROXY_LATENCY,
        KONG_RESPONSE_LATENCY,
        KONG_ADMIN_LATENCY,
        KONG_UPSTREAM_LATENCY,
    ),
    "authgate_latency_tokens": (PROXY_LATENCY, RESPONSE_LATENCY, UPSTREAM_LATENCY),
    **{
        name: (name,)
        for name in (
            SERVER,
            VIA,
            KONG_PROXY_LATENCY,
            KONG_RESPONSE_LATENCY,
            KONG_UPSTREAM_LATENCY,
            KONG_ADMIN_LATENCY,
            KONG_UPSTREAM_STATUS,
            KONG_REQUEST_ID,
            PROXY_LATENCY,
            RESPONSE_LATENCY,
            UPSTREAM_LATENCY,
            REQUEST_ID,
        )
    },
}
_SPELLING = {
    "server": "Server",
    "via": "Via",
    **{
        name: "-".join(part.capitalize() for part in name.split("-"))
        for name in _VALUES
        if name.startswith("x-")
    },
}
ALLOWED = ", ".join([_SPELLING.get(value, value) for value in _VALUES] + ["off"])
"""Every accepted value, as the error message and the docs list them."""
DEFAULT_HEADERS = "server_tokens, X-Request-Id, authgate_latency_tokens"
"""authgate's names: what the gateway sent before the setting existed."""
KONG_DEFAULT_HEADERS = "server_tokens, latency_tokens, X-Kong-Request-Id"
"""Kong 3.x's default ``headers`` value."""
# Kong values for a latency breakdown authgate does not measure (``advanced_latency_tokens``
# of newer Kong releases), named in the error so a kong.conf line gets a precise answer.
_UNSUPPORTED = frozenset(
    {
        "advanced_latency_tokens",
        "x-kong-total-latency",
        "x-kong-third-party-latency",
        "x-kong-client-latency",
    }
)


@dataclass(frozen=True, slots=True)
class AddedHeaders:
    """The parsed setting, and what the proxy reads per response (all computed here once).

    ``proxied`` takes (request id, upstream status, upstream ms, proxy ms) and gives the
    ``name: value\\r\\n`` lines of a proxied response (see :func:`_proxied_writer`);
    ``proxied_pairs`` and ``gateway_pairs`` say the same as (name, argument index) for
    header lists (gateway: request id, response ms).
    """

    enabled: frozenset[str]
    server: bool
    via: bool
    upstream_request_id: bool
    request_ids: tuple[str, ...]
    proxied: Callable[..., str]
    proxied_pairs: tuple[tuple[str, int], ...]
    gateway_pairs: tuple[tuple[str, int], ...]
    response_special: frozenset[str]
    """Upstream response fields the one-pass filter handles: framing, Via, and every name
    the gateway sets on proxied responses (so the upstream's copy is replaced)."""

    @classmethod
    def of(cls, enabled: frozenset[str]) -> AddedHeaders:
        """The precomputed form of a set of enabled (lower-case) header names."""
        proxied = [
            (name, slot)
            for slot, names in enumerate(
                (
                    (REQUEST_ID, KONG_REQUEST_ID),
                    (KONG_UPSTREAM_STATUS,),
                    (UPSTREAM_LATENCY, KONG_UPSTREAM_LATENCY),
                    (PROXY_LATENCY, KONG_PROXY_LATENCY),
                )
            )
            for name in names
            if name in enabled
        ]
        gateway = [
            (name, slot)
            for slot, names in enumerate(
                ((REQUEST_ID, KONG_REQUEST_ID), (RESPONSE_LATENCY, KONG_RESPONSE_LATENCY))
            )
            for name in names
            if name in enabled
        ]
        set_names = frozenset(name for name, _ in proxied)
        special = (RESPONSE_SPECIAL - {REQUEST_ID}) | set_names
        return cls(
            enabled=enabled,
            server=SERVER in enabled,
            via=VIA in enabled,
            upstream_request_id=KONG_REQUEST_ID in enabled,
            request_ids=tuple(name for name in (REQUEST_ID, KONG_REQUEST_ID) if name in enabled),
            proxied=_proxied_writer(proxied),
            proxied_pairs=tuple(proxied),
            gateway_pairs=tuple(gateway),
            response_special=frozenset(special),
        )


def _proxied_writer(pairs: list[tuple[str, int]]) -> Callable[..., str]:
    """The function writing a proxied response's added lines, for (name, argument) pairs.

    The usual shape (one request id, one upstream and one proxy latency: both defaults) is
    an f-string over precomputed prefixes, as fast as a literal one; any other shape is a
    ``str.format`` template (~0.2 µs more per response).
    """
    if [slot for _, slot in pairs] == [0, 2, 3]:
        first, second, third = (f"{name}: " for name, _ in pairs)
        second, third = f"\r\n{second}", f"\r\n{third}"

        def three(request_id: str, status: int, upstream_ms: int, proxy_ms: int) -> str:
            return f"{first}{request_id}{second}{upstream_ms}{third}{proxy_ms}\r\n"

        return three
    return "".join(f"{name}: {{{slot}}}\r\n" for name, slot in pairs).format


def parse_headers(text: str) -> AddedHeaders:
    """The ``--headers`` value; ValueError names every bad entry and the allowed values.

    Empty (or only commas) is ``off``, as an empty list is in Kong; ``off`` must stand alone.
    """
    entries = [item.strip() for item in text.split(",") if item.strip()]
    lowered = [entry.lower() for entry in entries]
    problems = []
    for entry, value in zip(entries, lowered, strict=True):
        if value in _UNSUPPORTED:
            problems.append(f"{entry!r} is a Kong value authgate does not support")
        elif value not in _VALUES and value != "off":
            problems.append(f"invalid entry {entry!r}")
    if "off" in lowered and len(lowered) > 1:
        problems.append("'off' cannot be combined with other values")
    if problems:
        raise ValueError(f"{'; '.join(problems)} (allowed: {ALLOWED})")
    enabled = frozenset(name for value in lowered if value != "off" for name in _VALUES[value])
    return AddedHeaders.of(enabled)
