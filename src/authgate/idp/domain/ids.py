"""Identifier formats of Cognito user pools (research/idp.md §1.1): generation and syntax checks."""

from __future__ import annotations

import re
import secrets
import string
import uuid

__all__ = [
    "DEFAULT_REGION",
    "new_client_id",
    "new_client_secret",
    "new_pool_id",
    "new_sub",
    "valid_region",
]

DEFAULT_REGION = "us-east-1"
POOL_SUFFIX_LENGTH = 9
CLIENT_ID_LENGTH = 26
CLIENT_SECRET_LENGTH = 51

_ALNUM = string.ascii_letters + string.digits
_LOWER_ALNUM = string.ascii_lowercase + string.digits
# aws-jwt-verify only accepts pool ids whose region part looks like this (research §5.2).
_REGION = re.compile(r"[a-z]{2}-(gov-)?[a-z]+-\d")
POOL_ID = re.compile(r"[a-z]{2}-(gov-)?[a-z]+-\d_[0-9A-Za-z]+")


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def valid_region(region: str) -> bool:
    """True if ``region`` looks like an AWS region name such as ``eu-west-1``."""
    return _REGION.fullmatch(region) is not None


def new_pool_id(region: str) -> str:
    """A user pool id such as ``us-east-1_RpMNfhlFg``."""
    return f"{region}_{_random(_ALNUM, POOL_SUFFIX_LENGTH)}"


def new_client_id() -> str:
    """An app client id: 26 lowercase letters and digits, as Cognito generates."""
    return _random(_LOWER_ALNUM, CLIENT_ID_LENGTH)


def new_client_secret() -> str:
    """An app client secret: 51 lowercase letters and digits (about 263 bits)."""
    return _random(_LOWER_ALNUM, CLIENT_SECRET_LENGTH)


def new_sub() -> str:
    """A user's immutable ``sub`` (a random UUID)."""
    return str(uuid.uuid4())
