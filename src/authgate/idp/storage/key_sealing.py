"""Signing keys encrypted at rest: AES-256-GCM under a key derived from an operator secret.

With ``AUTHGATE_IDP_KEY_SECRET`` set (``authgate up`` generates one and keeps it in
``.authgate/idp-key-secret``), every private JWK is stored sealed: a 96-bit random nonce,
AES-256-GCM (NIST SP 800-38D) under an HKDF-SHA256 key (RFC 5869) derived from the secret,
with the pool id and ``kid`` as associated data, so a sealed key copied onto another row
does not open. Keys stored in the clear by an earlier version are sealed when a store opens
with a secret. A database copied without its secret yields public keys only.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "ENV_KEY_SECRET",
    "KeySealError",
    "KeySealer",
    "is_sealed",
    "open_stored",
]

ENV_KEY_SECRET = "AUTHGATE_IDP_KEY_SECRET"
MIN_SECRET_CHARS = 32
_FORMAT = "authgate-sealed-jwk-v1"
_INFO = b"authgate idp signing keys v1"


class KeySealError(ValueError):
    """A sealed key cannot be opened (no secret, or not the secret it was sealed with)."""


def is_sealed(stored: Mapping[str, Any]) -> bool:
    """True for a stored private key in the sealed form."""
    return stored.get("sealed") == _FORMAT


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class KeySealer:
    """Seals and opens private JWKs with one operator secret."""

    def __init__(self, secret: str) -> None:
        if len(secret) < MIN_SECRET_CHARS:
            raise ValueError(f"{ENV_KEY_SECRET} must have at least {MIN_SECRET_CHARS} characters")
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
            secret.encode("utf-8")
        )
        self._aead = AESGCM(key)

    @staticmethod
    def _aad(pool_id: str, kid: str) -> bytes:
        return f"{pool_id}\x00{kid}".encode()

    def seal(self, jwk: Mapping[str, Any], pool_id: str, kid: str) -> dict[str, Any]:
        """The stored form of ``jwk``: nothing of the private key is readable in it."""
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, orjson.dumps(dict(jwk)), self._aad(pool_id, kid))
        return {"sealed": _FORMAT, "nonce": _b64(nonce), "data": _b64(sealed)}

    def open(self, stored: Mapping[str, Any], pool_id: str, kid: str) -> dict[str, Any]:
        """The private JWK of a sealed row; :class:`KeySealError` if it does not open."""
        try:
            plain = self._aead.decrypt(
                _unb64(str(stored["nonce"])), _unb64(str(stored["data"])), self._aad(pool_id, kid)
            )
        except (InvalidTag, KeyError, ValueError):
            raise KeySealError(
                f"signing key {kid} of pool {pool_id} does not open with this "
                f"{ENV_KEY_SECRET}; use the secret it was sealed with"
            ) from None
        jwk: dict[str, Any] = orjson.loads(plain)
        return jwk


def open_stored(
    stored: Mapping[str, Any], sealer: KeySealer | None, pool_id: str, kid: str
) -> dict[str, Any]:
    """The private JWK of a stored row, sealed or (from before sealing) in the clear."""
    if not is_sealed(stored):
        return dict(stored)
    if sealer is None:
        raise KeySealError(
            f"the signing keys of pool {pool_id} are encrypted; set {ENV_KEY_SECRET} to the "
            "secret they were sealed with (authgate up keeps it in .authgate/idp-key-secret)"
        )
    return sealer.open(stored, pool_id, kid)
