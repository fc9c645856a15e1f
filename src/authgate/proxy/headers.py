"""RFC 9110 §7.6 (hop-by-hop fields, Via) and the de-facto X-Forwarded-* / X-Request-Id rules.

Pure functions over header lists (names lower-case); what a proxied request and response
carry is decided here, nowhere else. Each direction is one pass over the fields: this is the
hot path of every proxied request.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable

from authgate import __version__

__all__ = [
    "HOP_BY_HOP",
    "SERVER",
    "TrustedNetworks",
    "client_response_headers",
    "connection_tokens",
    "first_value",
    "request_id_from",
    "upstream_request_headers",
    "via_value",
]

SERVER = f"authgate/{__version__}"
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:+=/@-]{1,128}")
_FORWARDED = ("x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-forwarded-path")
# Request fields the gateway drops or rewrites (everything else passes unless named in
# Connection or starting with "proxy-").
_REQUEST_SPECIAL = HOP_BY_HOP | {
    "via",
    "x-request-id",
    "expect",
    "x-forwarded-for",
    "x-forwarded-prefix",
    "x-real-ip",
    *_FORWARDED,
}
_RESPONSE_SPECIAL = HOP_BY_HOP | {"via", "x-request-id", "content-length"}
# Connection tokens that name no end-to-end field worth a second pass.
_PLAIN_TOKENS = frozenset({"close", "keep-alive"})
_VIA_10 = f"1.0 {SERVER}"
_VIA_11 = f"1.1 {SERVER}"


class TrustedNetworks:
    """The peers whose X-Forwarded-* and X-Real-IP values are believed."""

    __slots__ = ("_cache", "_networks")

    def __init__(self, cidrs: Iterable[str]) -> None:
        self._networks = [ipaddress.ip_network(cidr, strict=False) for cidr in cidrs]
        self._cache: dict[str, bool] = {}

    def __contains__(self, ip: object) -> bool:
        if not self._networks or not isinstance(ip, str):
            return False
        known = self._cache.get(ip)
        if known is None:
            try:
                address = ipaddress.ip_address(ip)
            except ValueError:
                known = False
            else:
                known = any(address in network for network in self._networks)
            if len(self._cache) < 4096:
                self._cache[ip] = known
        return known


def connection_tokens(value: str | None) -> frozenset[str]:
    """The lower-case field names listed in a Connection value (minus close/keep-alive)."""
    if not value:
        return frozenset()
    tokens = {token.strip(" \t").lower() for token in value.split(",")}
    return frozenset(tokens - _PLAIN_TOKENS - {""})


def first_value(headers: list[tuple[str, str]], name: str) -> str | None:
    """The first value of ``name`` (lower-case) in ``headers``."""
    for key, value in headers:
        if key == name:
            return value
    return None


def via_value(http_version: str, existing: str | None) -> str:
    """Our Via entry appended to any value already present."""
    ours = _VIA_11 if http_version == "1.1" else _VIA_10 if http_version == "1.0" else None
    if ours is None:
        ours = f"{http_version} {SERVER}"
    return f"{existing}, {ours}" if existing else ours


def request_id_from(headers: list[tuple[str, str]]) -> str:
    """The client's X-Request-Id when it is sane, otherwise 32 random hex digits."""
    return _request_id(first_value(headers, "x-request-id"))


def _request_id(supplied: str | None) -> str:
    if supplied is not None and _SANE_REQUEST_ID.fullmatch(supplied):
        return supplied
    return os.urandom(16).hex()


def upstream_request_headers(
    client: list[tuple[str, str]],
    connection: str | None,
    upgrade: bool,
    trusted: bool,
    forwarded: tuple[str, str, str, str],
    peer_ip: str,
    prefix: str | None,
    http_version: str,
) -> tuple[list[tuple[str, str]], str]:
    """The fields sent upstream and the request id, from the client's fields in one pass.

    Hop-by-hop fields (and those named in ``connection``) are removed, except Upgrade when
    tunnelling; X-Forwarded-For gets ``peer_ip`` appended; X-Forwarded-Proto/Host/Port/Path,
    X-Forwarded-Prefix and X-Real-IP keep the client's values only when ``trusted``,
    otherwise ``forwarded`` (proto, host, port, path), ``prefix`` and ``peer_ip`` replace
    them; Via gets our entry; X-Request-Id is the client's when sane, else a new one.
    """
    named = connection_tokens(connection) if connection else None
    if named:
        if upgrade:
            named = named - {"upgrade"}
        client = [kv for kv in client if kv[0] not in named]
    kept: list[tuple[str, str]] = []
    via = forwarded_for = supplied_id = None
    incoming: dict[str, str] | None = {} if trusted else None
    for item in client:
        name = item[0]
        if name in _REQUEST_SPECIAL:
            if name == "x-forwarded-for":
                forwarded_for = item[1] if forwarded_for is None else f"{forwarded_for}, {item[1]}"
            elif name == "via":
                via = item[1] if via is None else f"{via}, {item[1]}"
            elif name == "x-request-id":
                if supplied_id is None:
                    supplied_id = item[1]
            elif name == "upgrade":
                if upgrade:
                    kept.append(item)
            elif incoming is not None and name not in HOP_BY_HOP and name != "expect":
                incoming.setdefault(name, item[1])
        elif not name.startswith("proxy-"):
            kept.append(item)
    request_id = _request_id(supplied_id)
    kept.append(("x-forwarded-for", f"{forwarded_for}, {peer_ip}" if forwarded_for else peer_ip))
    if incoming:
        proto, host, port, path = forwarded
        get = incoming.get
        kept.append(("x-forwarded-proto", get("x-forwarded-proto", proto)))
        kept.append(("x-forwarded-host", get("x-forwarded-host", host)))
        kept.append(("x-forwarded-port", get("x-forwarded-port", port)))
        kept.append(("x-forwarded-path", get("x-forwarded-path", path)))
        prefix = get("x-forwarded-prefix", prefix)
        peer_ip = get("x-real-ip") or peer_ip
    else:
        kept.append(("x-forwarded-proto", forwarded[0]))
        kept.append(("x-forwarded-host", forwarded[1]))
        kept.append(("x-forwarded-port", forwarded[2]))
        kept.append(("x-forwarded-path", forwarded[3]))
    if prefix:
        kept.append(("x-forwarded-prefix", prefix))
    kept.append(("x-real-ip", peer_ip))
    kept.append(("via", via_value(http_version, via)))
    kept.append(("x-request-id", request_id))
    if upgrade:
        kept.append(("connection", "upgrade"))
    return kept, request_id


def client_response_headers(
    upstream: list[tuple[str, str]], has_body: bool, http_version: str
) -> list[tuple[str, str]]:
    """The upstream's response fields as the client gets them, in one pass.

    Hop-by-hop fields (and those named in Connection) and any X-Request-Id are removed;
    Content-Length too when the gateway frames the body itself (``has_body``); our Via entry
    is appended last. The caller appends X-Request-Id and the latency fields.
    """
    kept: list[tuple[str, str]] = []
    via = connection = None
    for item in upstream:
        name = item[0]
        if name in _RESPONSE_SPECIAL:
            if name == "via":
                via = item[1] if via is None else f"{via}, {item[1]}"
            elif name == "connection":
                connection = item[1] if connection is None else f"{connection}, {item[1]}"
            elif name == "content-length" and not has_body:
                kept.append(item)
        elif not name.startswith("proxy-"):
            kept.append(item)
    if connection is not None:
        named = connection_tokens(connection)
        if named:
            kept = [kv for kv in kept if kv[0] not in named]
    kept.append(("via", via_value(http_version, via)))
    return kept
