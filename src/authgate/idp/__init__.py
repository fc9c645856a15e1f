"""Embedded Cognito-compatible identity provider, in four layers (each may import only the
ones before it, and the IdP never imports the gateway: proxy, plugins, admin or cli):

- ``domain``: records, Cognito's rules and errors, attributes, passwords, ids, keys;
- ``storage``: the database, ORM tables, migrations and the store (``IdpStore``);
- ``protocol``: OAuth 2.0 / OpenID Connect: tokens, grants, PKCE, client authentication;
- ``web``: the ASGI app, its endpoints, hosted pages and templates.

``tests/idp/test_layers.py`` enforces these rules. The package itself re-exports the store and
its records for code inside authgate (``from authgate.idp import IdpStore``).
"""

from __future__ import annotations

from authgate.idp.domain.client_settings import ClientSettings
from authgate.idp.domain.cognito_errors import CognitoError
from authgate.idp.domain.records import (
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
from authgate.idp.storage.store import IdpStore

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
