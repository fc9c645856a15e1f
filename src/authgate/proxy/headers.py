"""RFC 9110 §7.6 (hop-by-hop fields, Via) and the de-facto X-Forwarded-* / X-Request-Id rules.

Pure functions over header lists (names lower-case); what a proxied request and response
carry is decided here, nowhere else.
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
    "forwarded_headers",
    "request_id_from",
    "strip_hop_by_hop",
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


def strip_hop_by_hop(headers: list[tuple[str, str]], keep_upgrade: bool = False) -> list[str]:
    """Remove hop-by-hop fields in place (plus those named in Connection); return their names.

    Names listed in ``Connection`` are removed too. With ``keep_upgrade`` the Connection and
    Upgrade fields of an upgrade handshake survive (tunnelling needs them end to end).
    """
    named: set[str] = set()
    for name, value in headers:
        if name == "connection":
            for token in value.split(","):
                token = token.strip(" \t").lower()
                if token:
                    named.add(token)
    drop = HOP_BY_HOP | named
    if keep_upgrade:
        drop = drop - {"connection", "upgrade"}
    removed = [name for name, _ in headers if name in drop or name.startswith("proxy-")]
    if removed:
        headers[:] = [kv for kv in headers if kv[0] not in drop and not kv[0].startswith("proxy-")]
    return removed


def via_value(http_version: str, existing: str | None) -> str:
    """Our Via entry appended to any value already present."""
    ours = f"{http_version} {SERVER}"
    return f"{existing}, {ours}" if existing else ours


def request_id_from(headers: list[tuple[str, str]]) -> str:
    """The client's X-Request-Id when it is sane, otherwise 32 random hex digits."""
    for name, value in headers:
        if name == "x-request-id":
            if _SANE_REQUEST_ID.fullmatch(value):
                return value
            break
    return os.urandom(16).hex()


def forwarded_headers(
    headers: list[tuple[str, str]],
    *,
    trusted: bool,
    peer_ip: str,
    scheme: str,
    host: str,
    port: int,
    path: str,
    prefix: str | None,
) -> None:
    """Set X-Forwarded-For/Proto/Host/Port/Path/Prefix and X-Real-IP in place.

    X-Forwarded-For always gets the peer appended. The other fields keep the client's
    values only when the peer is trusted; otherwise the gateway's own values replace them.
    """
    incoming: dict[str, str] = {}
    forwarded_for: list[str] = []
    kept: list[tuple[str, str]] = []
    for name, value in headers:
        if name == "x-forwarded-for":
            forwarded_for.append(value)
        elif name in _FORWARDED or name in ("x-forwarded-prefix", "x-real-ip"):
            incoming.setdefault(name, value)
        else:
            kept.append((name, value))
    forwarded_for.append(peer_ip)
    kept.append(("x-forwarded-for", ", ".join(forwarded_for)))
    ours = {
        "x-forwarded-proto": scheme,
        "x-forwarded-host": host,
        "x-forwarded-port": str(port),
        "x-forwarded-path": path,
    }
    for name in _FORWARDED:
        kept.append((name, incoming[name] if trusted and name in incoming else ours[name]))
    if trusted and "x-forwarded-prefix" in incoming:
        kept.append(("x-forwarded-prefix", incoming["x-forwarded-prefix"]))
    elif prefix:
        kept.append(("x-forwarded-prefix", prefix))
    real_ip = incoming.get("x-real-ip") if trusted else None
    kept.append(("x-real-ip", real_ip or peer_ip))
    headers[:] = kept
