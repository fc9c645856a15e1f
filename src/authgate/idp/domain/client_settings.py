"""Settings of an app client and their validation against the pool (Cognito's rules)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from authgate.idp.domain.attributes import client_attributes
from authgate.idp.domain.cognito_errors import InvalidParameterException
from authgate.idp.domain.records import AppClient, UserPool
from authgate.idp.domain.validation import (
    check_auth_flows,
    check_oauth_flows,
    check_redirect_urls,
    check_scopes,
    token_validity,
)

__all__ = ["ACCESS_TOKEN_FORMATS", "ClientSettings", "settings_of", "validate_settings"]

MAX_ROTATION_GRACE = 60
ACCESS_TOKEN_FORMATS = ("cognito", "rfc9068")
"""Shapes of access tokens: Cognito's (the default) or RFC 9068's JWT profile (``at+jwt``)."""


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """Everything about an app client except its id, name and secret.

    ``None`` means "Cognito's default": auth flows ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_SRP_AUTH,
    ALLOW_CUSTOM_AUTH; access/ID tokens 60 minutes; refresh tokens 30 days; every attribute
    readable, every non-``*_verified`` attribute writable. ``access_token_format`` is
    ``cognito`` (Cognito's access token) or ``rfc9068`` (RFC 9068 §2: ``typ: at+jwt``, ``aud``).
    """

    callback_urls: tuple[str, ...] = ()
    logout_urls: tuple[str, ...] = ()
    default_redirect_uri: str | None = None
    allowed_oauth_flows: tuple[str, ...] = ()
    allowed_scopes: tuple[str, ...] = ()
    explicit_auth_flows: tuple[str, ...] | None = None
    access_token_validity: int | None = None
    access_token_unit: str | None = None
    id_token_validity: int | None = None
    id_token_unit: str | None = None
    refresh_token_validity: int | None = None
    refresh_token_unit: str | None = None
    auth_session_validity: int = 3
    read_attributes: tuple[str, ...] | None = None
    write_attributes: tuple[str, ...] | None = None
    enable_token_revocation: bool = True
    refresh_token_rotation: bool = False
    rotation_grace_seconds: int = 0
    prevent_user_existence_errors: bool = True
    access_token_format: str = "cognito"


def validate_settings(
    pool: UserPool, settings: ClientSettings, *, has_secret: bool, custom_scopes: Iterable[str]
) -> ClientSettings:
    """The settings with defaults filled in, or the Cognito error for the first bad one."""
    callbacks = check_redirect_urls(settings.callback_urls, "CallbackURLs")
    logouts = check_redirect_urls(settings.logout_urls, "LogoutURLs")
    if settings.default_redirect_uri is not None and settings.default_redirect_uri not in callbacks:
        raise InvalidParameterException("DefaultRedirectURI must be one of the CallbackURLs.")
    flows = check_oauth_flows(settings.allowed_oauth_flows, callbacks, has_secret)
    scopes = check_scopes(settings.allowed_scopes, custom_scopes, flows)
    access = token_validity("access", settings.access_token_validity, settings.access_token_unit)
    id_ = token_validity("id", settings.id_token_validity, settings.id_token_unit)
    refresh = token_validity(
        "refresh", settings.refresh_token_validity, settings.refresh_token_unit
    )
    if not 3 <= settings.auth_session_validity <= 15:
        raise InvalidParameterException(
            "1 validation error detected: Value at 'authSessionValidity' failed to satisfy "
            "constraint: Member must have value between 3 and 15"
        )
    if not 0 <= settings.rotation_grace_seconds <= MAX_ROTATION_GRACE:
        raise InvalidParameterException(
            "1 validation error detected: Value at 'refreshTokenRotation.retryGracePeriodSeconds' "
            "failed to satisfy constraint: Member must have value between 0 and 60"
        )
    if settings.access_token_format not in ACCESS_TOKEN_FORMATS:
        raise InvalidParameterException(
            f"1 validation error detected: Value '{settings.access_token_format}' at "
            "'accessTokenFormat' failed to satisfy constraint: Member must satisfy enum value "
            "set: cognito, rfc9068"
        )
    read, write = client_attributes(pool, settings.read_attributes, settings.write_attributes)
    return replace(
        settings,
        callback_urls=callbacks,
        logout_urls=logouts,
        allowed_oauth_flows=flows,
        allowed_scopes=scopes,
        explicit_auth_flows=check_auth_flows(settings.explicit_auth_flows),
        access_token_validity=access.value,
        access_token_unit=access.unit,
        id_token_validity=id_.value,
        id_token_unit=id_.unit,
        refresh_token_validity=refresh.value,
        refresh_token_unit=refresh.unit,
        read_attributes=read,
        write_attributes=write,
    )


def settings_of(client: AppClient) -> ClientSettings:
    """The settings of an existing client, e.g. to change one field with ``replace``."""
    return ClientSettings(
        callback_urls=client.callback_urls,
        logout_urls=client.logout_urls,
        default_redirect_uri=client.default_redirect_uri,
        allowed_oauth_flows=client.allowed_oauth_flows,
        allowed_scopes=client.allowed_scopes,
        explicit_auth_flows=client.explicit_auth_flows,
        access_token_validity=client.access_token_validity.value,
        access_token_unit=client.access_token_validity.unit,
        id_token_validity=client.id_token_validity.value,
        id_token_unit=client.id_token_validity.unit,
        refresh_token_validity=client.refresh_token_validity.value,
        refresh_token_unit=client.refresh_token_validity.unit,
        auth_session_validity=client.auth_session_validity_minutes,
        read_attributes=client.read_attributes,
        write_attributes=client.write_attributes,
        enable_token_revocation=client.enable_token_revocation,
        refresh_token_rotation=client.refresh_token_rotation,
        rotation_grace_seconds=client.rotation_grace_seconds,
        prevent_user_existence_errors=client.prevent_user_existence_errors,
        access_token_format=client.access_token_format,
    )
