"""User attributes: the pool schema, client read/write permissions and user values.

Cognito rules (research/idp.md §1.6, §1.11): standard OIDC attributes plus up to 50
``custom:<name>`` attributes (names up to 20 characters), values up to 2048 characters,
required attributes must be present and are always writable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from authgate.idp.domain.cognito_errors import InvalidParameterException, LimitExceededException
from authgate.idp.domain.records import CustomAttribute, UserPool
from authgate.idp.domain.validation import STANDARD_ATTRIBUTES, VERIFIED_ATTRIBUTES

__all__ = [
    "USERNAME_ATTRIBUTES",
    "check_custom_attributes",
    "check_required_attributes",
    "check_user_attributes",
    "check_username_attributes",
    "client_attributes",
    "pool_attribute_names",
]

USERNAME_ATTRIBUTES = ("email", "phone_number")
MAX_CUSTOM_ATTRIBUTES = 50
MAX_CUSTOM_NAME = 20
MAX_VALUE_LENGTH = 2048
_CUSTOM_NAME = re.compile(r"[\w.-]+")
_SCHEMA_ERROR = "Attributes did not conform to the schema: "


def check_username_attributes(values: Sequence[str]) -> tuple[str, ...]:
    """Username attributes: a subset of email and phone_number."""
    result = tuple(dict.fromkeys(values))
    for value in result:
        if value not in USERNAME_ATTRIBUTES:
            raise InvalidParameterException(
                f"1 validation error detected: Value '{list(result)}' at 'usernameAttributes' "
                "failed to satisfy constraint: Member must satisfy enum value set: "
                "[phone_number, email]"
            )
    return result


def check_required_attributes(values: Sequence[str]) -> tuple[str, ...]:
    """Required attributes: standard attributes only (Cognito cannot require custom ones)."""
    result = tuple(dict.fromkeys(values))
    for value in result:
        if value not in STANDARD_ATTRIBUTES or value in VERIFIED_ATTRIBUTES:
            raise InvalidParameterException(
                f"Required attribute {value} is not a standard attribute; standard attributes "
                f"are: {', '.join(a for a in STANDARD_ATTRIBUTES if a not in VERIFIED_ATTRIBUTES)}"
            )
    return result


def check_custom_attributes(values: Iterable[str | CustomAttribute]) -> tuple[CustomAttribute, ...]:
    """Custom attribute declarations; names may be given with or without ``custom:``."""
    result: dict[str, CustomAttribute] = {}
    for value in values:
        attribute = value if isinstance(value, CustomAttribute) else CustomAttribute(value)
        name = attribute.name.removeprefix("custom:")
        if not 1 <= len(name) <= MAX_CUSTOM_NAME or not _CUSTOM_NAME.fullmatch(name):
            raise InvalidParameterException(
                f"Invalid custom attribute name {name!r}: 1-{MAX_CUSTOM_NAME} letters, digits, "
                "'_', '.' or '-'"
            )
        result[name] = CustomAttribute(name, attribute.mutable)
    if len(result) > MAX_CUSTOM_ATTRIBUTES:
        raise LimitExceededException(
            f"A user pool may have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes."
        )
    return tuple(result.values())


def pool_attribute_names(pool: UserPool) -> tuple[str, ...]:
    """Every attribute a user of ``pool`` may have (standard, then ``custom:*``)."""
    return STANDARD_ATTRIBUTES + tuple(c.claim for c in pool.custom_attributes)


def client_attributes(
    pool: UserPool, read: Sequence[str] | None, write: Sequence[str] | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A client's (read, write) attributes; defaults: all readable, all non-verified writable."""
    known = pool_attribute_names(pool)
    readable = tuple(dict.fromkeys(read)) if read is not None else known
    if write is None:
        writable = tuple(a for a in known if a not in VERIFIED_ATTRIBUTES)
    else:
        writable = tuple(dict.fromkeys(write))
    for name in readable:
        if name not in known:
            raise InvalidParameterException(
                f"Invalid read attributes specified while creating a client: {name}"
            )
    for name in writable:
        if name not in known or name in VERIFIED_ATTRIBUTES:
            raise InvalidParameterException(
                f"Invalid write attributes specified while creating a client: {name}"
            )
    missing = [name for name in pool.required_attributes if name not in writable]
    if missing:
        raise InvalidParameterException(
            "Invalid write attributes specified while creating a client: required attributes "
            f"must be writable: {', '.join(missing)}"
        )
    return readable, writable


def check_user_attributes(
    pool: UserPool, attributes: Mapping[str, str], *, require: bool
) -> dict[str, str]:
    """Validate user attribute values against the pool schema; ``require`` checks required ones."""
    known = set(pool_attribute_names(pool))
    for name, value in attributes.items():
        if name == "sub":
            raise InvalidParameterException(_SCHEMA_ERROR + "sub: Attribute cannot be updated.")
        if name not in known:
            raise InvalidParameterException(
                _SCHEMA_ERROR + f"Type for attribute {{{name}}} could not be determined"
            )
        if not isinstance(value, str) or len(value) > MAX_VALUE_LENGTH:
            raise InvalidParameterException(
                _SCHEMA_ERROR + f"{name}: String must be no longer than {MAX_VALUE_LENGTH} "
                "characters"
            )
        if name in VERIFIED_ATTRIBUTES and value not in ("true", "false"):
            raise InvalidParameterException(
                _SCHEMA_ERROR + f"{name}: Value must be 'true' or 'false'"
            )
    if require:
        for name in pool.required_attributes:
            if not attributes.get(name):
                raise InvalidParameterException(
                    _SCHEMA_ERROR + f"{name}: The attribute {name} is required"
                )
    return dict(attributes)
