"""HMAC-SHA256 signed, expiring values for HTML forms (the new-password challenge).

``purpose`` separates the uses so a value signed for one form is useless in another.
Verification is constant-time and checks expiry against an injected ``now``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

import orjson

__all__ = ["BadSignature", "mac", "sign_value", "unsign_value"]

MAX_SIGNED_CHARS = 4096


class BadSignature(ValueError):
    """The value was tampered with, signed for another purpose, or has expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def mac(secret: bytes, purpose: str, message: str) -> str:
    """Base64url HMAC-SHA256 of ``purpose`` and ``message`` under ``secret``."""
    data = purpose.encode() + b"\x00" + message.encode()
    return _b64(hmac.new(secret, data, hashlib.sha256).digest())


def sign_value(secret: bytes, purpose: str, payload: dict[str, str], expires_at: int) -> str:
    """``payload`` and its expiry as ``<body>.<mac>``."""
    body = _b64(orjson.dumps({"p": payload, "exp": expires_at}))
    return f"{body}.{mac(secret, purpose, body)}"


def unsign_value(secret: bytes, purpose: str, value: str, now: int) -> dict[str, str]:
    """The payload of a value made by ``sign_value``; BadSignature if anything is off."""
    if len(value) > MAX_SIGNED_CHARS or value.count(".") != 1:
        raise BadSignature("malformed")
    body, signature = value.split(".")
    if not hmac.compare_digest(mac(secret, purpose, body), signature):
        raise BadSignature("bad signature")
    try:
        decoded = orjson.loads(_unb64(body))
    except (binascii.Error, ValueError):
        raise BadSignature("malformed") from None
    if not isinstance(decoded, dict) or not isinstance(decoded.get("exp"), int):
        raise BadSignature("malformed")
    if decoded["exp"] <= now:
        raise BadSignature("expired")
    payload = decoded.get("p")
    if not isinstance(payload, dict) or not all(isinstance(v, str) for v in payload.values()):
        raise BadSignature("malformed")
    return payload
