"""What every grant starts from: the authenticated client's request, and the user behind it."""

from __future__ import annotations

from dataclasses import dataclass

from authgate.idp.domain.cognito_errors import CognitoError
from authgate.idp.domain.records import AppClient, User, UserStatus
from authgate.idp.protocol.context import IdpContext
from authgate.idp.protocol.oauth_errors import InvalidGrantError
from authgate.idp.protocol.params import Params

__all__ = ["TokenRequest", "active_user"]


@dataclass(frozen=True)
class TokenRequest:
    """A token request from an authenticated (or identified public) client."""

    client: AppClient
    params: Params


async def active_user(ctx: IdpContext, pool_id: str, sub: str) -> User:
    """The user behind a grant, if they still exist, are enabled and confirmed."""
    try:
        user = await ctx.store.users.get(pool_id, sub)
    except CognitoError:
        raise InvalidGrantError("the user no longer exists") from None
    if not user.enabled or user.status is not UserStatus.CONFIRMED:
        raise InvalidGrantError("the user is disabled or cannot sign in")
    return user
