"""Password policy (Cognito's rules and wording, research/idp.md §1.6) and argon2 hashing."""

from __future__ import annotations

import asyncio
import re
import secrets
import string
from dataclasses import dataclass

import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from authgate.idp.domain.cognito_errors import InvalidParameterException, InvalidPasswordException

__all__ = [
    "COGNITO_SYMBOLS",
    "MAX_PASSWORD_LENGTH",
    "PasswordHasher",
    "PasswordPolicy",
    "check_password",
    "generate_password",
]

# The symbols Cognito accepts for "requires symbols"; a non-leading, non-trailing space counts too.
COGNITO_SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- "
MAX_PASSWORD_LENGTH = 256
_SHAPE = re.compile(r"\S(.*\S)?", re.DOTALL)
_PREFIX = "Password did not conform with policy: "


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """A pool's password policy; the defaults are Cognito's."""

    minimum_length: int = 8
    require_uppercase: bool = True
    require_lowercase: bool = True
    require_numbers: bool = True
    require_symbols: bool = True
    temporary_password_validity_days: int = 7

    def __post_init__(self) -> None:
        if not 6 <= self.minimum_length <= 99:
            raise InvalidParameterException(
                "1 validation error detected: Value at 'policies.passwordPolicy.minimumLength' "
                "failed to satisfy constraint: Member must have value between 6 and 99"
            )
        if not 0 <= self.temporary_password_validity_days <= 365:
            raise InvalidParameterException(
                "1 validation error detected: Value at "
                "'policies.passwordPolicy.temporaryPasswordValidityDays' failed to satisfy "
                "constraint: Member must have value between 0 and 365"
            )


def check_password(policy: PasswordPolicy, password: str) -> None:
    """Raise Cognito's error for the first rule ``password`` breaks, else return."""
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidParameterException(
            "1 validation error detected: Value at 'password' failed to satisfy constraint: "
            "Member must have length less than or equal to 256"
        )
    if not _SHAPE.fullmatch(password):
        raise InvalidParameterException(
            "1 validation error detected: Value at 'password' failed to satisfy constraint: "
            r"Member must satisfy regular expression pattern: ^[\S]+.*[\S]+$"
        )
    if len(password) < policy.minimum_length:
        raise InvalidPasswordException(_PREFIX + "Password not long enough")
    rules = (
        (policy.require_lowercase, string.ascii_lowercase, "lowercase"),
        (policy.require_uppercase, string.ascii_uppercase, "uppercase"),
        (policy.require_numbers, string.digits, "numeric"),
        (policy.require_symbols, COGNITO_SYMBOLS, "symbol"),
    )
    for required, alphabet, name in rules:
        if required and not any(ch in alphabet for ch in password):
            raise InvalidPasswordException(_PREFIX + f"Password must have {name} characters")


def generate_password(policy: PasswordPolicy, length: int = 20) -> str:
    """A random password that satisfies ``policy`` (used for demo users and temporary passwords)."""
    length = max(length, policy.minimum_length)
    symbols = "-_.+=@%"  # shell-friendly: the demo password is pasted into curl commands
    classes = [string.ascii_lowercase, string.ascii_uppercase, string.digits, symbols]
    chars = [secrets.choice(alphabet) for alphabet in classes]
    everything = "".join(classes)
    chars += [secrets.choice(everything) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


class PasswordHasher:
    """argon2id hashing off the event loop, with a dummy verify for unknown users.

    The default parameters are argon2-cffi's (RFC 9106 low-memory profile). Tests may pass
    cheaper parameters; they are still real argon2id.
    """

    def __init__(self, parameters: argon2.Parameters | None = None) -> None:
        params = parameters or argon2.profiles.RFC_9106_LOW_MEMORY
        self._hasher = argon2.PasswordHasher.from_parameters(params)
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        """The encoded argon2id hash of ``password``."""
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, encoded: str | None, password: str) -> bool:
        """True if ``password`` matches ``encoded``; with ``None`` it burns the same time, False."""
        target = encoded if encoded is not None else self._dummy_hash
        ok = await asyncio.to_thread(self._verify, target, password)
        return ok and encoded is not None

    def needs_rehash(self, encoded: str) -> bool:
        """True if ``encoded`` was made with other parameters than the current ones."""
        try:
            return self._hasher.check_needs_rehash(encoded)
        except InvalidHashError:
            return True

    def _verify(self, encoded: str, password: str) -> bool:
        try:
            return self._hasher.verify(encoded, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
