"""Immutable records returned by the IdP store (no ORM object ever leaves a session)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from authgate.idp.domain.cognito_errors import (
    CognitoError,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UserNotConfirmedException,
)
from authgate.idp.domain.passwords import PasswordPolicy

__all__ = [
    "AppClient",
    "AuthOutcome",
    "AuthResult",
    "CustomAttribute",
    "Domain",
    "Group",
    "KeyState",
    "KeyUse",
    "PasswordPolicy",
    "ResourceServer",
    "ResourceServerScope",
    "SigningKey",
    "TokenValidity",
    "User",
    "UserPool",
    "UserStatus",
]


class UserStatus(enum.StrEnum):
    """Cognito's ``UserStatusType`` values that authgate uses."""

    UNCONFIRMED = "UNCONFIRMED"
    CONFIRMED = "CONFIRMED"
    FORCE_CHANGE_PASSWORD = "FORCE_CHANGE_PASSWORD"
    RESET_REQUIRED = "RESET_REQUIRED"


class KeyUse(enum.StrEnum):
    """Which tokens a signing key signs: Cognito uses distinct keys for ID and access tokens."""

    ID = "id"
    ACCESS = "access"


class KeyState(enum.StrEnum):
    """Where a signing key is in its rotation timeline."""

    PENDING = "pending"  # published in the JWKS, not used to sign yet
    ACTIVE = "active"  # signs new tokens
    RETIRING = "retiring"  # replaced; published until the tokens it signed have expired
    RETIRED = "retired"  # no longer published; deleted at the next rotation


@dataclass(frozen=True, slots=True)
class CustomAttribute:
    """A ``custom:<name>`` attribute declared on a pool (values are always strings)."""

    name: str
    mutable: bool = True

    @property
    def claim(self) -> str:
        """The attribute's name in tokens and APIs, e.g. ``custom:department``."""
        return f"custom:{self.name}"


@dataclass(frozen=True, slots=True)
class UserPool:
    """A user pool: the users, clients, groups and keys behind one issuer."""

    id: str
    name: str
    region: str
    username_attributes: tuple[str, ...]
    required_attributes: tuple[str, ...]
    custom_attributes: tuple[CustomAttribute, ...]
    password_policy: PasswordPolicy
    created_at: datetime
    updated_at: datetime

    @property
    def email_is_username(self) -> bool:
        """True if users sign in with their email (the username is then a UUID)."""
        return "email" in self.username_attributes


@dataclass(frozen=True, slots=True)
class Domain:
    """A hosted-UI domain prefix (``kongidp`` for ``kongidp.auth.<region>.amazoncognito.com``)."""

    prefix: str
    pool_id: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TokenValidity:
    """A token lifetime as Cognito expresses it: a number and a unit."""

    value: int
    unit: str  # seconds | minutes | hours | days

    @property
    def delta(self) -> timedelta:
        """The lifetime as a timedelta."""
        return timedelta(**{self.unit: self.value})

    @property
    def seconds(self) -> int:
        """The lifetime in whole seconds."""
        return int(self.delta.total_seconds())


@dataclass(frozen=True, slots=True)
class AppClient:
    """An app client of a pool: its credentials, URLs, flows, scopes and token settings."""

    client_id: str
    pool_id: str
    name: str
    client_secret: str | None = field(repr=False)
    callback_urls: tuple[str, ...]
    logout_urls: tuple[str, ...]
    default_redirect_uri: str | None
    allowed_oauth_flows: tuple[str, ...]
    allowed_scopes: tuple[str, ...]
    explicit_auth_flows: tuple[str, ...]
    access_token_validity: TokenValidity
    id_token_validity: TokenValidity
    refresh_token_validity: TokenValidity
    auth_session_validity_minutes: int
    read_attributes: tuple[str, ...]
    write_attributes: tuple[str, ...]
    enable_token_revocation: bool
    refresh_token_rotation: bool
    rotation_grace_seconds: int
    prevent_user_existence_errors: bool
    access_token_format: str  # "cognito" | "rfc9068"
    created_at: datetime
    updated_at: datetime

    @property
    def has_secret(self) -> bool:
        """True for confidential clients (they must authenticate at the token endpoint)."""
        return self.client_secret is not None

    def allows_auth_flow(self, flow: str) -> bool:
        """True if ``flow`` (e.g. ``ALLOW_USER_PASSWORD_AUTH``) is among the explicit auth flows."""
        return flow in self.explicit_auth_flows

    @property
    def rfc9068_access_tokens(self) -> bool:
        """True if this client's access tokens follow RFC 9068 (``typ: at+jwt``, ``aud``)."""
        return self.access_token_format == "rfc9068"


@dataclass(frozen=True, slots=True)
class User:
    """A user of a pool. ``username`` is internal (the ``sub`` when email is the username)."""

    pool_id: str
    username: str
    sub: str
    status: UserStatus
    enabled: bool
    attributes: dict[str, str]
    created_at: datetime
    updated_at: datetime
    password_changed_at: datetime | None

    @property
    def email(self) -> str | None:
        """The ``email`` attribute, if any."""
        return self.attributes.get("email")


@dataclass(frozen=True, slots=True)
class Group:
    """A group of users; its name goes into the ``cognito:groups`` claim."""

    pool_id: str
    name: str
    description: str | None
    precedence: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ResourceServerScope:
    """A custom scope; clients ask for it as ``<identifier>/<name>``."""

    name: str
    description: str


@dataclass(frozen=True, slots=True)
class ResourceServer:
    """An API (identifier) with custom scopes, usable with client_credentials."""

    pool_id: str
    identifier: str
    name: str
    scopes: tuple[ResourceServerScope, ...]

    @property
    def scope_names(self) -> tuple[str, ...]:
        """Full scope strings, e.g. ``orders/read``."""
        return tuple(f"{self.identifier}/{s.name}" for s in self.scopes)


@dataclass(frozen=True, slots=True)
class SigningKey:
    """An RS256 signing key of a pool with its place in the rotation timeline."""

    kid: str
    pool_id: str
    use: KeyUse
    private_jwk: dict[str, Any] = field(repr=False)
    state: KeyState
    created_at: datetime
    activates_at: datetime
    superseded_at: datetime | None
    published_until: datetime | None

    @property
    def public_jwk(self) -> dict[str, Any]:
        """The public half, as published in the JWKS."""
        return {
            "alg": "RS256",
            "e": self.private_jwk["e"],
            "kid": self.kid,
            "kty": "RSA",
            "n": self.private_jwk["n"],
            "use": "sig",
        }


class AuthOutcome(enum.StrEnum):
    """What a password check ended in."""

    SUCCESS = "SUCCESS"
    NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"
    NOT_AUTHORIZED = "NOT_AUTHORIZED"
    LOCKED_OUT = "LOCKED_OUT"
    DISABLED = "DISABLED"
    USER_NOT_CONFIRMED = "USER_NOT_CONFIRMED"
    PASSWORD_RESET_REQUIRED = "PASSWORD_RESET_REQUIRED"
    TEMPORARY_PASSWORD_EXPIRED = "TEMPORARY_PASSWORD_EXPIRED"


_FAILURES: dict[AuthOutcome, tuple[type[CognitoError], str]] = {
    AuthOutcome.NOT_AUTHORIZED: (NotAuthorizedException, "Incorrect username or password."),
    AuthOutcome.LOCKED_OUT: (NotAuthorizedException, "Password attempts exceeded"),
    AuthOutcome.DISABLED: (NotAuthorizedException, "User is disabled."),
    AuthOutcome.TEMPORARY_PASSWORD_EXPIRED: (
        NotAuthorizedException,
        "Temporary password has expired and must be reset by an administrator.",
    ),
    AuthOutcome.USER_NOT_CONFIRMED: (UserNotConfirmedException, "User is not confirmed."),
    AuthOutcome.PASSWORD_RESET_REQUIRED: (
        PasswordResetRequiredException,
        "Password reset required for the user",
    ),
}


@dataclass(frozen=True, slots=True)
class AuthResult:
    """The result of ``IdpStore.auth.authenticate``.

    ``user`` is set for SUCCESS and NEW_PASSWORD_REQUIRED only, so a failed attempt
    never reveals whether the user exists.
    """

    outcome: AuthOutcome
    user: User | None = None
    retry_after: timedelta | None = None  # LOCKED_OUT only: how long the lockout still lasts

    @property
    def ok(self) -> bool:
        """True if the password was right and the user may receive tokens now."""
        return self.outcome is AuthOutcome.SUCCESS

    @property
    def message(self) -> str:
        """Cognito's message for a failure ("" for SUCCESS / NEW_PASSWORD_REQUIRED)."""
        failure = _FAILURES.get(self.outcome)
        return failure[1] if failure else ""

    def error(self) -> CognitoError | None:
        """The Cognito exception for a failure, or None for SUCCESS / NEW_PASSWORD_REQUIRED."""
        failure = _FAILURES.get(self.outcome)
        return failure[0](failure[1]) if failure else None
