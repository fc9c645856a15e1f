"""RFC 7517 §5 JWK Sets: the verification keys of a provider, by ``kid``.

No I/O here (:mod:`.provider` fetches). Keys that cannot verify signatures (``use: enc``,
private or unknown key types, malformed members) are skipped, never guessed at; a set may hold
at most ``MAX_KEYS`` keys.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey

__all__ = ["MAX_KEYS", "Jwk", "KeySet", "parse_jwks"]

logger = logging.getLogger("authgate.openid_connect")

MAX_KEYS = 100
Jwk = RSAKey | ECKey | OKPKey | OctKey
_TYPES: dict[str, type[RSAKey] | type[ECKey] | type[OKPKey]] = {
    "RSA": RSAKey,
    "EC": ECKey,
    "OKP": OKPKey,
}


def _import(member: object) -> Jwk | None:
    if not isinstance(member, dict):
        return None
    key_type = _TYPES.get(str(member.get("kty")))
    if key_type is None or member.get("use") not in (None, "sig") or "d" in member:
        return None
    try:
        return key_type.import_key(member)
    except (JoseError, ValueError, TypeError):
        return None


def parse_jwks(document: object) -> list[Jwk]:
    """The usable public signature keys of a JWK Set document; ValueError if it is not one."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JWK Set (no keys array)")
    members = document["keys"][:MAX_KEYS]
    keys = [key for key in map(_import, members) if key is not None]
    skipped = len(members) - len(keys)
    if skipped:
        logger.info("skipped %d JWKS member(s) that are not public signature keys", skipped)
    return keys


class KeySet:
    """Keys by ``kid`` (keys without a kid are tried for tokens without one)."""

    __slots__ = ("_by_kid", "_keys", "_unnamed")

    def __init__(self, keys: Iterable[Jwk] = ()) -> None:
        self._keys = list(keys)
        self._by_kid: dict[str, list[Jwk]] = {}
        self._unnamed: list[Jwk] = []
        for key in self._keys:
            kid = key.kid
            if kid is None:
                self._unnamed.append(key)
            else:
                self._by_kid.setdefault(kid, []).append(key)

    def find(self, kid: str | None) -> Sequence[Jwk]:
        """Candidate keys for a token header's ``kid`` (empty: unknown kid)."""
        if kid is None:
            return self._keys if not self._by_kid else self._unnamed or self._keys
        return self._by_kid.get(kid, ())

    def __len__(self) -> int:
        return len(self._keys)

    def with_keys(self, keys: Iterable[Jwk]) -> KeySet:
        """A new set with ``keys`` added."""
        return KeySet([*self._keys, *keys])
