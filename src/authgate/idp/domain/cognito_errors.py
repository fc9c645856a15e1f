"""Errors raised by the IdP store, named and worded as Amazon Cognito's (research/idp.md §1.10).

Each class carries Cognito's ``__type`` name so that the JSON API can render
``{"__type": …, "message": …}`` and the CLI can print the same text.
"""

from __future__ import annotations

__all__ = [
    "AliasExistsException",
    "CognitoError",
    "GroupExistsException",
    "InvalidOAuthFlowException",
    "InvalidParameterException",
    "InvalidPasswordException",
    "LimitExceededException",
    "NotAuthorizedException",
    "PasswordResetRequiredException",
    "ResourceNotFoundException",
    "ScopeDoesNotExistException",
    "UserNotConfirmedException",
    "UserNotFoundException",
    "UsernameExistsException",
]


class CognitoError(Exception):
    """Base of every store error; ``type_name`` is Cognito's ``__type``."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def type_name(self) -> str:
        """Cognito's exception name, e.g. ``NotAuthorizedException``."""
        return type(self).__name__


class InvalidParameterException(CognitoError):
    """A parameter is missing, malformed or not allowed in this combination."""


class InvalidOAuthFlowException(CognitoError):
    """The OAuth flows of an app client do not fit together or with its other settings."""


class InvalidPasswordException(CognitoError):
    """The password does not satisfy the pool's password policy."""


class UsernameExistsException(CognitoError):
    """A user with that username (or email alias) already exists in the pool."""


class AliasExistsException(CognitoError):
    """Another user already uses that email as an alias."""


class UserNotFoundException(CognitoError):
    """No such user in the pool."""


class UserNotConfirmedException(CognitoError):
    """The user has not confirmed sign-up."""


class PasswordResetRequiredException(CognitoError):
    """The user must reset the password before signing in."""


class NotAuthorizedException(CognitoError):
    """Wrong credentials, a disabled user, a lockout, or an operation not allowed now."""


class ResourceNotFoundException(CognitoError):
    """Unknown user pool, app client, domain, group or resource server."""


class ScopeDoesNotExistException(CognitoError):
    """An app client asks for a scope that neither OIDC nor a resource server defines."""


class GroupExistsException(CognitoError):
    """A group with that name already exists in the pool."""


class LimitExceededException(CognitoError):
    """A quota was reached (attributes, scopes, URLs, …)."""
