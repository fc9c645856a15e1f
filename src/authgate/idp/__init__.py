"""Embedded Cognito-compatible identity provider: data model, store, keys and CLI support."""

from __future__ import annotations

from authgate.idp.client_settings import ClientSettings
from authgate.idp.errors import CognitoError
from authgate.idp.records import (
    AppClient,
    AuthOutcome,
    AuthResult,
    Domain,
    Group,
    KeyState,
    KeyUse,
    ResourceServer,
    SigningKey,
    User,
    UserPool,
    UserStatus,
)
from authgate.idp.store import IdpStore

__all__ = [
    "AppClient",
    "AuthOutcome",
    "AuthResult",
    "ClientSettings",
    "CognitoError",
    "Domain",
    "Group",
    "IdpStore",
    "KeyState",
    "KeyUse",
    "ResourceServer",
    "SigningKey",
    "User",
    "UserPool",
    "UserStatus",
]
