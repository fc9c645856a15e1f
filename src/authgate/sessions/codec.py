"""Sealed cookie values: AES-256-GCM (NIST SP 800-38D) with HKDF-SHA256 keys (RFC 5869).

Every sealed value gets its own random salt, from which HKDF derives the AES key, so no key
ever comes near GCM's per-key message limit. The cookie name (``purpose``) is bound in as
associated data: a value sealed for the ``authorization`` cookie does not open as ``session``.
Secrets rotate by listing the old ones as fallbacks: values open with any of them and are
always sealed with the first. Anything malformed, foreign or tampered opens as ``None``.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["MAX_SEALED_CHARS", "SessionCodec"]

VERSION = b"\x01"
SALT_BYTES = 16
NONCE_BYTES = 12
TAG_BYTES = 16
# 9 chunks of 4 KB (lua-resty-session's limit): anything longer is refused before decoding
# (mod_auth_openidc CVE-2024-24814 was a crafted Cookie header).
MAX_SEALED_CHARS = 9 * 4096
_INFO = b"authgate session v1 "


class SessionCodec:
    """Seals and opens values with ``secret`` (and ``fallbacks`` for opening only)."""

    __slots__ = ("_secrets",)

    def __init__(self, secret: str | bytes, fallbacks: Sequence[str | bytes] = ()) -> None:
        self._secrets = [_bytes(s) for s in (secret, *fallbacks)]
        if any(not s for s in self._secrets):
            raise ValueError("session secrets must not be empty")

    def seal(self, plaintext: bytes, purpose: str) -> str:
        """``plaintext`` encrypted and authenticated for ``purpose``, as base64url text."""
        salt = os.urandom(SALT_BYTES)
        nonce = os.urandom(NONCE_BYTES)
        aad = VERSION + purpose.encode()
        sealed = AESGCM(_key(self._secrets[0], salt, purpose)).encrypt(nonce, plaintext, aad)
        raw = VERSION + salt + nonce + sealed
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    def open(self, value: str, purpose: str) -> bytes | None:
        """The plaintext, or None when ``value`` was not sealed by us for ``purpose``."""
        if len(value) > MAX_SEALED_CHARS:
            return None
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        except (binascii.Error, ValueError):
            return None
        if len(raw) < 1 + SALT_BYTES + NONCE_BYTES + TAG_BYTES or raw[:1] != VERSION:
            return None
        salt = raw[1 : 1 + SALT_BYTES]
        nonce = raw[1 + SALT_BYTES : 1 + SALT_BYTES + NONCE_BYTES]
        sealed = raw[1 + SALT_BYTES + NONCE_BYTES :]
        aad = VERSION + purpose.encode()
        for secret in self._secrets:
            try:
                return AESGCM(_key(secret, salt, purpose)).decrypt(nonce, sealed, aad)
            except InvalidTag:
                continue
        return None


def _bytes(secret: str | bytes) -> bytes:
    return secret.encode("utf-8") if isinstance(secret, str) else secret


def _key(secret: bytes, salt: bytes, purpose: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_INFO + purpose.encode())
    return hkdf.derive(secret)
