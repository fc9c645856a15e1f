"""Domain rules of pools and app clients, with Cognito's limits and wording (research/idp.md §1).

Pure functions: they take values and either return the normalised value or raise the
Cognito exception a user would get. The store calls them before writing anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from authgate.idp.domain.cognito_errors import (
    InvalidOAuthFlowException,
    InvalidParameterException,
    LimitExceededException,
    ScopeDoesNotExistException,
)
from authgate.idp.domain.records import TokenValidity

__all__ = [
    "DEFAULT_AUTH_FLOWS",
    "EXPLICIT_AUTH_FLOWS",
    "OAUTH_FLOWS",
    "STANDARD_ATTRIBUTES",
    "STANDARD_SCOPES",
    "check_auth_flows",
    "check_name",
    "check_oauth_flows",
    "check_redirect_urls",
    "check_scopes",
    "token_validity",
]

STANDARD_ATTRIBUTES = (
    "address", "birthdate", "email", "email_verified", "family_name", "gender", "given_name",
    "locale", "middle_name", "name", "nickname", "phone_number", "phone_number_verified",
    "picture", "preferred_username", "profile", "updated_at", "website", "zoneinfo",
)  # fmt: skip
VERIFIED_ATTRIBUTES = ("email_verified", "phone_number_verified")
STANDARD_SCOPES = ("openid", "email", "phone", "profile", "aws.cognito.signin.user.admin")
OAUTH_FLOWS = ("code", "implicit", "client_credentials")
EXPLICIT_AUTH_FLOWS = (
    "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_CUSTOM_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_AUTH",
)  # fmt: skip
LEGACY_AUTH_FLOWS = ("ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH")
DEFAULT_AUTH_FLOWS = ("ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH")
MAX_URLS = 100
MAX_URL_LENGTH = 1024
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# Schemes that would run code or read local files in a browser: never a redirect target.
_UNSAFE_SCHEMES = frozenset({"javascript", "data", "vbscript", "file", "blob"})
_NAME = re.compile(r"[\w\s+=,.@-]+")
_UNITS = ("seconds", "minutes", "hours", "days")
_MINUTE, _HOUR, _DAY = 60, 3600, 86400
# (default value, default unit, minimum seconds, maximum seconds) per token, as Cognito's.
VALIDITY_RULES: dict[str, tuple[int, str, int, int]] = {
    "access": (60, "minutes", 5 * _MINUTE, _DAY),
    "id": (60, "minutes", 5 * _MINUTE, _DAY),
    "refresh": (30, "days", _HOUR, 3650 * _DAY),
}


def _validation_error(value: object, member: str, constraint: str) -> InvalidParameterException:
    return InvalidParameterException(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
        f"constraint: {constraint}"
    )


def _enum_values(values: Sequence[str], allowed: Sequence[str], member: str) -> tuple[str, ...]:
    """``values`` without repeats, each one of ``allowed`` (else Cognito's error on ``member``)."""
    result = tuple(dict.fromkeys(values))
    for value in result:
        if value not in allowed:
            raise _validation_error(
                list(result), member, f"Member must satisfy enum value set: [{', '.join(allowed)}]"
            )
    return result


def check_name(value: str, member: str, max_length: int = 128) -> str:
    """A pool or client name: 1-128 characters of ``[\\w\\s+=,.@-]``."""
    if not 1 <= len(value) <= max_length:
        raise _validation_error(
            value, member, f"Member must have length between 1 and {max_length}"
        )
    if not _NAME.fullmatch(value):
        raise _validation_error(
            value, member, r"Member must satisfy regular expression pattern: [\w\s+=,.@-]+"
        )
    return value


def _check_redirect_url(url: str, member: str) -> None:
    if not 1 <= len(url) <= MAX_URL_LENGTH:
        raise _validation_error(url, member, "Member must have length between 1 and 1024")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if "#" in url:
        raise InvalidParameterException(f"{member} must not contain a fragment: {url}")
    if not scheme or scheme in _UNSAFE_SCHEMES:
        raise InvalidParameterException(f"{member} must be an absolute URL: {url}")
    if scheme in ("http", "https") and not parts.hostname:
        raise InvalidParameterException(f"{member} must be an absolute URL: {url}")
    if scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise InvalidParameterException(
            f"{member} must use HTTPS, except for http://localhost, http://127.0.0.1 and "
            f"http://[::1]: {url}"
        )


def check_redirect_urls(urls: Iterable[str], member: str) -> tuple[str, ...]:
    """Callback or logout URLs: https, http only on loopback, custom schemes, no fragment."""
    result = tuple(dict.fromkeys(urls))
    if len(result) > MAX_URLS:
        raise LimitExceededException(f"A client may have at most {MAX_URLS} {member}.")
    for url in result:
        _check_redirect_url(url, member)
    return result


def check_auth_flows(flows: Sequence[str] | None) -> tuple[str, ...]:
    """Explicit auth flows; the default is Cognito's, legacy names cannot mix with ALLOW_*."""
    if flows is None:
        return DEFAULT_AUTH_FLOWS
    allowed = EXPLICIT_AUTH_FLOWS + LEGACY_AUTH_FLOWS
    result = _enum_values(flows, allowed, "explicitAuthFlows")
    if any(f in LEGACY_AUTH_FLOWS for f in result) and any(
        f in EXPLICIT_AUTH_FLOWS for f in result
    ):
        raise InvalidParameterException(
            "ExplicitAuthFlows cannot mix legacy values with ALLOW_ values."
        )
    return result


def check_oauth_flows(
    flows: Sequence[str], callback_urls: Sequence[str], has_secret: bool
) -> tuple[str, ...]:
    """Allowed OAuth flows and how they combine with callback URLs and the secret."""
    result = _enum_values(flows, OAUTH_FLOWS, "allowedOAuthFlows")
    if "client_credentials" in result and len(result) > 1:
        raise InvalidOAuthFlowException(
            "client_credentials flow can not be selected along with code flow or implicit flow."
        )
    if "client_credentials" in result and not has_secret:
        raise InvalidOAuthFlowException(
            "client_credentials flow can not be selected if client does not have a client secret."
        )
    if ("code" in result or "implicit" in result) and not callback_urls:
        raise InvalidOAuthFlowException(
            "CallbackUrls can not be empty when code flow or implicit flow is selected"
        )
    return result


def check_scopes(
    scopes: Sequence[str], custom_scopes: Iterable[str], oauth_flows: Sequence[str]
) -> tuple[str, ...]:
    """Allowed scopes: the OIDC/Cognito ones plus ``<resource-server>/<scope>`` that exist."""
    known = set(STANDARD_SCOPES) | set(custom_scopes)
    result = tuple(dict.fromkeys(scopes))
    for scope in result:
        if scope not in known:
            raise ScopeDoesNotExistException(f"Invalid scope requested: {scope}")
    if "client_credentials" in oauth_flows:
        standard = [s for s in result if s in STANDARD_SCOPES]
        if standard:
            raise InvalidOAuthFlowException(
                f"{standard[0]} scope can not be used with client_credentials flow; "
                "use custom (resource server) scopes"
            )
    if oauth_flows and not result:
        raise InvalidOAuthFlowException(
            "AllowedOAuthScopes can not be empty when OAuth flows are set"
        )
    if (
        any(s in result for s in ("email", "phone", "profile"))
        and "openid" not in result
        and ("code" in oauth_flows or "implicit" in oauth_flows)
    ):
        raise InvalidParameterException("Scopes email, phone and profile require the openid scope.")
    return result


def token_validity(kind: str, value: int | None, unit: str | None) -> TokenValidity:
    """A token lifetime within Cognito's range for ``kind`` (access, id or refresh)."""
    default_value, default_unit, low, high = VALIDITY_RULES[kind]
    unit = unit or default_unit
    if unit not in _UNITS:
        raise _validation_error(
            unit, f"tokenValidityUnits.{kind}Token", f"Member must satisfy enum value set: {_UNITS}"
        )
    if value is None or (kind == "refresh" and value == 0):
        return TokenValidity(default_value, default_unit)
    validity = TokenValidity(value, unit)
    if not low <= validity.seconds <= high:
        raise InvalidParameterException(
            f"Invalid range for token validity: {kind} token validity must be between "
            f"{_human(low)} and {_human(high)}; got {value} {unit}"
        )
    return validity


def _human(seconds: int) -> str:
    for size, name in ((_DAY, "days"), (_HOUR, "hours"), (_MINUTE, "minutes")):
        if seconds % size == 0:
            return f"{seconds // size} {name}"
    return f"{seconds} seconds"
