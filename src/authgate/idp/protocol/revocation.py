"""Revoking a token family: every token issued from one sign-in (code reuse, refresh reuse,
RFC 7009)."""

from __future__ import annotations

from datetime import timedelta

from authgate.idp.domain.records import AppClient
from authgate.idp.protocol.context import IdpContext

__all__ = ["MAX_TOKEN_LIFETIME", "revoke_family"]

# The longest access/ID token lifetime Cognito allows, plus slack: how long a revoked
# family must be remembered after its last token could have been issued.
MAX_TOKEN_LIFETIME = timedelta(days=1, minutes=5)


async def revoke_family(ctx: IdpContext, client: AppClient, origin_jti: str) -> None:
    """Revoke every token issued from one sign-in (code reuse, refresh reuse, RFC 7009).

    The revocation is remembered until the family's last refresh token and the tokens it
    could still mint have expired.
    """
    now = ctx.now_dt()
    keep_until = now + timedelta(seconds=client.refresh_token_validity.seconds) + MAX_TOKEN_LIFETIME
    await ctx.store.tokens.revoke_family(client.pool_id, origin_jti, now, keep_until)
