"""RFC 3986 §6.2.2 path normalization, shared by config validation and the router.

A request path is normalized before routing and sent upstream in that same form, so a
route can't be bypassed by spelling its path differently (``//bar``, ``/%62ar``,
``/x/../bar``). Config paths must already be in this form (Kong rejects them otherwise).
"""

from __future__ import annotations

import re
import string

__all__ = ["is_valid_path_text", "normalize_path"]

_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_HEX = frozenset(string.hexdigits)
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f]")
_SLASH_RUN = re.compile(r"//+")
# RFC 3986 §3.3: pchar = unreserved / pct-encoded / sub-delims / ":" / "@"; plus "/".
_PATH_TEXT = re.compile(r"/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*")


def normalize_path(raw: str) -> str | None:
    """The normalized form of a request path, or ``None`` when it is not a valid path.

    Percent-decodes unreserved characters (RFC 3986 §2.3) and upper-cases every other
    ``%xx``; merges runs of ``/``; removes ``.`` and ``..`` segments (§5.2.4). Rejects paths
    that don't start with ``/``, contain a space or a control character, a bad ``%``
    escape or ``%00``. Idempotent: ``normalize_path(normalize_path(p)) == normalize_path(p)``.
    """
    if not raw or raw[0] != "/" or _FORBIDDEN.search(raw) is not None:
        return None
    path = raw
    if "%" in raw:
        decoded = _decode_unreserved(raw)
        if decoded is None:
            return None
        path = decoded
    if "//" in path:
        path = _SLASH_RUN.sub("/", path)
    if "/." in path:
        path = _remove_dot_segments(path)
    return path


def is_valid_path_text(path: str) -> bool:
    """True when ``path`` starts with ``/`` and holds only characters RFC 3986 allows in a path."""
    return _PATH_TEXT.fullmatch(path) is not None


def _decode_unreserved(path: str) -> str | None:
    parts = path.split("%")
    out = [parts[0]]
    for part in parts[1:]:
        if len(part) < 2 or part[0] not in _HEX or part[1] not in _HEX:
            return None
        char = chr(int(part[:2], 16))
        if char == "\x00":
            return None  # an encoded NUL truncates paths in C upstreams; nginx refuses it too
        if char in _UNRESERVED:
            out.append(char + part[2:])
        else:
            out.append("%" + part[:2].upper() + part[2:])
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    segments = path.split("/")
    kept: list[str] = []
    for segment in segments[1:]:
        if segment == ".":
            continue
        if segment == "..":
            if kept:
                kept.pop()
            continue
        kept.append(segment)
    result = "/" + "/".join(kept)
    if segments[-1] in (".", "..") and not result.endswith("/"):
        result += "/"
    return result
