"""RFC 9110 §7.6 (hop-by-hop fields, Via) and the de-facto X-Forwarded-* / X-Request-Id rules.

Pure functions over header lists (names lower-case); what a proxied request and response
carry is decided here, nowhere else. Each direction is one pass over the fields: this is the
hot path of every proxied request.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable, Iterator

from authgate import __version__
from authgate.http1.fields import HOP_BY_HOP, connection_tokens, first_value

__all__ = [
    "RESPONSE_SPECIAL",
    "SERVER",
    "TrustedNetworks",
    "client_response_fields",
    "client_response_headers",
    "new_request_id",
    "request_id_from",
    "upstream_request_fields",
    "upstream_request_headers",
    "via_value",
]

SERVER = f"authgate/{__version__}"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:+=/@-]{1,128}")
_FORWARDED = ("x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-forwarded-path")
# Request fields the gateway drops or rewrites (everything else passes unless named in
# Connection or starting with "proxy-").
_REQUEST_SPECIAL = HOP_BY_HOP | {
    "via",
    "x-request-id",
    "x-kong-request-id",
    "expect",
    "x-forwarded-for",
    "x-forwarded-prefix",
    "x-real-ip",
    *_FORWARDED,
}
# The same plus the fields the forwarder frames itself (upstream_request_fields skips them).
_REQUEST_SPECIAL_FRAMED = _REQUEST_SPECIAL | {"host", "content-length"}
# Upstream response fields the one-pass filters handle (the default ``special``): Via is
# merged, Content-Length kept when the gateway does not frame the body, the rest dropped.
RESPONSE_SPECIAL = HOP_BY_HOP | {"via", "x-request-id", "content-length"}
# Special request fields that are not X-Forwarded-* / X-Real-IP values.
_NOT_FORWARDING = HOP_BY_HOP | {"expect", "host", "content-length"}
_VIA_10 = f"1.0 {SERVER}"
_VIA_11 = f"1.1 {SERVER}"
_ID_BLOCK_BYTES = 4096  # 256 request ids per getrandom() system call


def _request_ids() -> Iterator[str]:
    """32 hex digits at a time from 4 KiB blocks of ``os.urandom`` (the kernel's CSPRNG).

    Buffering changes nothing about how unguessable the ids are: every id is 128 fresh bits
    of the same CSPRNG output that ``os.urandom(16)`` would return, none is handed out twice,
    and seeing any number of ids tells nothing about the next one (unlike a seeded PRNG
    such as ``random``). It only saves a system call per request.
    """
    while True:
        block = os.urandom(_ID_BLOCK_BYTES).hex()
        for start in range(0, len(block), 32):
            yield block[start : start + 32]


_next_id = _request_ids().__next__


def _reset_request_ids() -> None:
    # A forked child must not hand out the ids still buffered in its parent.
    global _next_id
    _next_id = _request_ids().__next__


os.register_at_fork(after_in_child=_reset_request_ids)


def new_request_id() -> str:
    """A new random request id: 32 lower-case hex digits (128 bits from the OS CSPRNG)."""
    return _next_id()


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
    return _next_id()


def _without_named(
    client: list[tuple[str, str]], connection: str, upgrade: bool
) -> list[tuple[str, str]]:
    """``client`` without the fields its Connection value names (RFC 9110 §7.6.1)."""
    named = connection_tokens(connection, upgrade)
    return [kv for kv in client if kv[0] not in named] if named else client


def _forwarding(
    incoming: dict[str, str] | None,
    forwarded: tuple[str, str, str, str],
    prefix: str | None,
    peer_ip: str,
) -> tuple[str, str, str, str, str | None, str]:
    """(proto, host, port, path, prefix, real IP) sent upstream: a trusted peer's own
    X-Forwarded-* / X-Real-IP values (``incoming``) where it sent them, else ours."""
    proto, host, port, path = forwarded
    if not incoming:
        return proto, host, port, path, prefix, peer_ip
    get = incoming.get
    return (
        get("x-forwarded-proto", proto),
        get("x-forwarded-host", host),
        get("x-forwarded-port", port),
        get("x-forwarded-path", path),
        get("x-forwarded-prefix", prefix),
        get("x-real-ip") or peer_ip,
    )


def _added_pairs(
    forwarded_for: str,
    values: tuple[str, str, str, str, str | None, str],
    via: str,
    request_id: str,
    kong_id: bool,
    upgrade: bool,
) -> list[tuple[str, str]]:
    """The fields the gateway adds to a request, in the order :func:`upstream_request_fields`
    writes them."""
    proto, host, port, path, prefix, real_ip = values
    pairs = [
        ("x-forwarded-for", forwarded_for),
        ("x-forwarded-proto", proto),
        ("x-forwarded-host", host),
        ("x-forwarded-port", port),
        ("x-forwarded-path", path),
    ]
    if prefix:
        pairs.append(("x-forwarded-prefix", prefix))
    pairs += (("x-real-ip", real_ip), ("via", via), ("x-request-id", request_id))
    if kong_id:
        pairs.append(("x-kong-request-id", request_id))
    if upgrade:
        pairs.append(("connection", "upgrade"))
    return pairs


def upstream_request_headers(
    client: list[tuple[str, str]],
    connection: str | None,
    upgrade: bool,
    trusted: bool,
    forwarded: tuple[str, str, str, str],
    peer_ip: str,
    prefix: str | None,
    http_version: str,
    kong_id: bool = False,
) -> tuple[list[tuple[str, str]], str]:
    """The fields sent upstream and the request id, from the client's fields in one pass.

    Hop-by-hop fields (and those named in ``connection``) are removed, except Upgrade when
    tunnelling; X-Forwarded-For gets ``peer_ip`` appended; X-Forwarded-Proto/Host/Port/Path,
    X-Forwarded-Prefix and X-Real-IP keep the client's values only when ``trusted``,
    otherwise ``forwarded`` (proto, host, port, path), ``prefix`` and ``peer_ip`` replace
    them; Via gets our entry; X-Request-Id is the client's when sane, else a new one. With
    ``kong_id`` the id also goes as X-Kong-Request-Id (the client's is dropped, not kept).
    """
    if connection:
        client = _without_named(client, connection, upgrade)
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
            elif name == "x-kong-request-id":
                if not kong_id:
                    kept.append(item)
            elif incoming is not None and name not in HOP_BY_HOP and name != "expect":
                incoming.setdefault(name, item[1])
        elif not name.startswith("proxy-"):
            kept.append(item)
    request_id = _request_id(supplied_id)
    values = _forwarding(incoming, forwarded, prefix, peer_ip)
    xff = f"{forwarded_for}, {peer_ip}" if forwarded_for else peer_ip
    kept += _added_pairs(xff, values, via_value(http_version, via), request_id, kong_id, upgrade)
    return kept, request_id


def upstream_request_fields(
    client: list[tuple[str, str]],
    connection: str | None,
    upgrade: bool,
    trusted: bool,
    forwarded: tuple[str, str, str, str],
    peer_ip: str,
    prefix: str | None,
    http_version: str,
    kong_id: bool = False,
) -> tuple[str, str]:
    """:func:`upstream_request_headers` already serialized, for requests no plugin edits.

    The same fields in the same order, written as ``name: value\\r\\n`` lines in the one
    pass, except Host and Content-Length (the forwarder writes those itself). Only for
    fields as llhttp parsed them, which never hold CR or LF.
    """
    if connection:
        client = _without_named(client, connection, upgrade)
    lines: list[str] = []
    via = forwarded_for = supplied_id = None
    incoming: dict[str, str] | None = {} if trusted else None
    for name, value in client:
        if name in _REQUEST_SPECIAL_FRAMED:
            if name == "x-forwarded-for":
                forwarded_for = value if forwarded_for is None else f"{forwarded_for}, {value}"
            elif name == "via":
                via = value if via is None else f"{via}, {value}"
            elif name == "x-request-id":
                if supplied_id is None:
                    supplied_id = value
            elif name == "upgrade":
                if upgrade:
                    lines.append(f"upgrade: {value}\r\n")
            elif name == "x-kong-request-id":
                if not kong_id:
                    lines.append(f"{name}: {value}\r\n")
            elif incoming is not None and name not in _NOT_FORWARDING:
                incoming.setdefault(name, value)
        elif not name.startswith("proxy-"):
            lines.append(f"{name}: {value}\r\n")
    request_id = _request_id(supplied_id)
    proto, host, port, path, prefix, real_ip = _forwarding(incoming, forwarded, prefix, peer_ip)
    lines.append(
        f"x-forwarded-for: {f'{forwarded_for}, {peer_ip}' if forwarded_for else peer_ip}\r\n"
        f"x-forwarded-proto: {proto}\r\nx-forwarded-host: {host}\r\n"
        f"x-forwarded-port: {port}\r\nx-forwarded-path: {path}\r\n"
    )
    if prefix:
        lines.append(f"x-forwarded-prefix: {prefix}\r\n")
    lines.append(
        f"x-real-ip: {real_ip}\r\nvia: {via_value(http_version, via)}\r\n"
        f"x-request-id: {request_id}\r\n"
    )
    if kong_id:
        lines.append(f"x-kong-request-id: {request_id}\r\n")
    if upgrade:
        lines.append("connection: upgrade\r\n")
    return "".join(lines), request_id


def client_response_headers(
    upstream: list[tuple[str, str]],
    has_body: bool,
    http_version: str,
    special: frozenset[str] = RESPONSE_SPECIAL,
    via_entry: bool = True,
) -> list[tuple[str, str]]:
    """The upstream's response fields as the client gets them, in one pass.

    Hop-by-hop fields (and those named in Connection) and the other ``special`` names the
    caller sets itself (by default X-Request-Id) are removed; Content-Length too when the
    gateway frames the body itself (``has_body``). Via values are merged, with our entry
    appended last when ``via_entry``. The caller appends its own fields.
    """
    kept: list[tuple[str, str]] = []
    via = connection = None
    for item in upstream:
        name = item[0]
        if name in special:
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
    if via_entry:
        kept.append(("via", via_value(http_version, via)))
    elif via is not None:
        kept.append(("via", via))
    return kept


def client_response_fields(
    upstream: list[tuple[str, str]],
    has_body: bool,
    http_version: str,
    special: frozenset[str] = RESPONSE_SPECIAL,
    via_entry: bool = True,
) -> str:
    """:func:`client_response_headers` already serialized (``name: value\\r\\n`` lines).

    For responses no plugin edits; the fields are as llhttp parsed them (no CR or LF).
    """
    lines: list[str] = []
    via = connection = None
    for name, value in upstream:
        if name in special:
            if name == "via":
                via = value if via is None else f"{via}, {value}"
            elif name == "connection":
                connection = value if connection is None else f"{connection}, {value}"
            elif name == "content-length" and not has_body:
                lines.append(f"content-length: {value}\r\n")
        elif not name.startswith("proxy-"):
            lines.append(f"{name}: {value}\r\n")
    if connection is not None:
        named = connection_tokens(connection)
        if named:
            kept = client_response_headers(upstream, has_body, http_version, special, via_entry)
            return "".join([f"{k}: {v}\r\n" for k, v in kept])
    if via_entry:
        lines.append(f"via: {via_value(http_version, via)}\r\n")
    elif via is not None:
        lines.append(f"via: {via}\r\n")
    return "".join(lines)
