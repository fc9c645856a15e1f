"""What the grants share: the authenticated client, the user lookup, revocation of a family."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from authgate.idp.context import IdpContext
from authgate.idp.errors import CognitoError
from authgate.idp.oauth_errors import InvalidGrantError
from authgate.idp.params import Params
from authgate.idp.records import AppClient, User, UserStatus

__all__ = ["MAX_TOKEN_LIFETIME", "TokenRequest", "active_user", "revoke_family"]

# The longest access/ID token lifetime Cognito allows, plus slack: how long a revoked
# family must be remembered after its last token could have been issued.
MAX_TOKEN_LIFETIME = timedelta(days=1, minutes=5)


@dataclass(frozen=True)
class TokenRequest:
    """A token request from an authenticated (or identified public) client."""

    client: AppClient
    params: Params


async def active_user(ctx: IdpContext, pool_id: str, sub: str) -> User:
    """The user behind a grant, if they still exist, are enabled and confirmed."""
    try:
        user = await ctx.store.get_user(pool_id, sub)
    except CognitoError:
        raise InvalidGrantError("the user no longer exists") from None
    if not user.enabled or user.status is not UserStatus.CONFIRMED:
        raise InvalidGrantError("the user is disabled or cannot sign in")
    return user


async def revoke_family(ctx: IdpContext, client: AppClient, origin_jti: str) -> None:
    """Revoke every token issued from one sign-in (code reuse, refresh reuse, RFC 7009).

    The revocation is remembered until the family's last refresh token and the tokens it
    could still mint have expired.
    """
    now = ctx.now_dt()
    keep_until = now + timedelta(seconds=client.refresh_token_validity.seconds) + MAX_TOKEN_LIFETIME
    await ctx.tokens.revoke_family(client.pool_id, origin_jti, now, keep_until)
