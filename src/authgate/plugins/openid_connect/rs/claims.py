"""Claims-based authorization with Kong's rules (RFC 9068 §7.1 scope/groups/roles style).

A claim path is a list of keys into nested objects (``["realm_access", "roles"]``). A claim's
values are a JSON array of strings or a space-separated string (OAuth ``scope`` style). A
``*_required`` list is OR across its entries and AND within an entry, whose values are
separated by spaces: ``["read write", "admin"]`` means (read AND write) OR admin.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from authgate.plugins.openid_connect.errors import InsufficientScopeError

__all__ = ["ClaimRule", "check_forbidden", "claim_at", "claim_values", "required_rules"]


def claim_at(claims: Mapping[str, object], path: Sequence[str]) -> object | None:
    """The value at ``path`` (nested objects), or None when any step is missing."""
    value: object = claims
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
        if value is None:
            return None
    return value


def claim_values(value: object) -> frozenset[str]:
    """A claim as a set of strings: arrays as they are, strings split on whitespace."""
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, list | tuple):
        return frozenset(item for item in value if isinstance(item, str))
    if isinstance(value, bool):
        return frozenset()
    if isinstance(value, int | float):
        return frozenset([str(value)])
    return frozenset()


@dataclass(frozen=True, slots=True)
class ClaimRule:
    """One ``*_required`` setting: which claim, and the alternatives it must satisfy."""

    name: str
    path: tuple[str, ...]
    alternatives: tuple[frozenset[str], ...]

    def check(self, claims: Mapping[str, object]) -> None:
        """Raise InsufficientScopeError unless one alternative is fully present."""
        present = claim_values(claim_at(claims, self.path))
        for needed in self.alternatives:
            if needed <= present:
                return
        raise InsufficientScopeError(f"{self.name} requirements not met")


def required_rules(
    settings: Sequence[tuple[str, Sequence[str], Sequence[str] | None]],
) -> tuple[ClaimRule, ...]:
    """Compile ``(name, claim path, required entries)`` triples, skipping unset ones."""
    rules = []
    for name, path, required in settings:
        if not required:
            continue
        alternatives = tuple(frozenset(entry.split()) for entry in required)
        rules.append(ClaimRule(name, tuple(path), alternatives))
    return tuple(rules)


def check_forbidden(claims: Mapping[str, object], forbidden: Sequence[str]) -> None:
    """Kong's ``claims_forbidden``: a token carrying any of these claims is refused."""
    for name in forbidden:
        if name in claims:
            raise InsufficientScopeError(f"claim {name} is forbidden")
