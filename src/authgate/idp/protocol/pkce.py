"""RFC 7636 PKCE: S256 only (§4.2); ``plain`` is refused as Cognito refuses it.

Pure functions, no I/O: check a challenge at the authorization endpoint (§4.3) and a
verifier at the token endpoint (§4.6), in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

__all__ = ["SUPPORTED_METHODS", "PkceError", "s256", "validate_challenge", "verify"]

SUPPORTED_METHODS = ("S256",)
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
# An S256 challenge is BASE64URL(SHA-256) without padding: always 43 characters.
_CHALLENGE = re.compile(r"[A-Za-z0-9\-_]{43}")


class PkceError(ValueError):
    """The challenge or verifier breaks RFC 7636; the message says how."""


def s256(verifier: str) -> str:
    """``BASE64URL(SHA256(ASCII(verifier)))`` without padding (§4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def validate_challenge(challenge: str | None, method: str | None) -> str | None:
    """Check the authorization request's PKCE parameters; return the challenge or None.

    A method without a challenge, ``plain`` (or any method but S256), and a malformed
    challenge are errors (§4.3, §4.4.1).
    """
    if challenge is None:
        if method is not None:
            raise PkceError("code_challenge_method without code_challenge")
        return None
    if method is None:
        # RFC 7636 §4.3 defaults to plain, which we do not support.
        raise PkceError("code_challenge_method is required and must be S256")
    if method not in SUPPORTED_METHODS:
        raise PkceError("unsupported code_challenge_method; only S256 is supported")
    if not _CHALLENGE.fullmatch(challenge):
        raise PkceError("code_challenge must be 43 base64url characters")
    return challenge


def verify(challenge: str | None, verifier: str | None) -> None:
    """Check the token request's ``code_verifier`` against the stored challenge (§4.6).

    A verifier for a code issued without a challenge is rejected as well: accepting it
    would let an attacker downgrade PKCE (RFC 9700 §4.8.2).
    """
    if challenge is None:
        if verifier is not None:
            raise PkceError(
                "code_verifier sent but the authorization request had no code_challenge"
            )
        return
    if verifier is None:
        raise PkceError("code_verifier is required")
    if not _VERIFIER.fullmatch(verifier):
        raise PkceError("code_verifier must be 43-128 characters of [A-Za-z0-9-._~]")
    if not hmac.compare_digest(s256(verifier), challenge):
        raise PkceError("code_verifier does not match code_challenge")
