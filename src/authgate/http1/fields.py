"""RFC 9110 §7.6.1 connection-specific fields, and looking fields up in a parsed header list.

Header lists are lists of ``(name, value)`` pairs, names lower-case ``str`` (latin-1), in the
order received: a field sent twice stays twice (RFC 9110 §5.3).
"""

from __future__ import annotations

__all__ = ["HOP_BY_HOP", "Fields", "connection_tokens", "first_value"]

Fields = list[tuple[str, str]]

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
# Connection tokens that name no end-to-end field worth a second pass.
_PLAIN_TOKENS = frozenset({"close", "keep-alive"})
# The same when tunnelling: the Upgrade field goes upstream though Connection names it.
_TUNNEL_TOKENS = _PLAIN_TOKENS | {"upgrade"}


def connection_tokens(value: str | None, upgrade: bool = False) -> frozenset[str]:
    """The lower-case field names listed in a Connection value (minus close/keep-alive).

    With ``upgrade`` (a tunnel is being set up) ``upgrade`` is left out too.
    """
    if not value:
        return frozenset()
    tokens = {token.strip(" \t").lower() for token in value.split(",")}
    return frozenset(tokens - (_TUNNEL_TOKENS if upgrade else _PLAIN_TOKENS) - {""})


def first_value(headers: Fields, name: str) -> str | None:
    """The first value of ``name`` (lower-case) in ``headers``."""
    for key, value in headers:
        if key == name:
            return value
    return None
