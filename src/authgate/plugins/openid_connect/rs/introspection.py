"""RFC 7662 token introspection: ask the IdP whether an opaque (or any) token is active.

The gateway authenticates as its client (§2.1). ``active: false`` is a 401; an answer naming
another issuer is treated as inactive (APISIX #13916); any other failure of the endpoint is a
502 for the client and one log line naming the endpoint, never the token.
"""

from __future__ import annotations

import logging
from typing import Any

from authgate.plugins.openid_connect.errors import IdpUnavailableError, InvalidTokenError
from authgate.plugins.openid_connect.idp_client.client_auth import ClientCredentials, post_form
from authgate.plugins.openid_connect.idp_client.http_client import IdpHttpClient, OutboundError

__all__ = ["check_introspection", "introspect"]

logger = logging.getLogger("authgate.openid_connect")


def check_introspection(
    document: object, check_active: bool, issuers: frozenset[str], now: float
) -> dict[str, Any]:
    """The claims of an introspection answer, or InvalidTokenError for an inactive token."""
    if not isinstance(document, dict):
        raise IdpUnavailableError("introspection answer is not a JSON object", 502)
    if check_active and document.get("active") is not True:
        raise InvalidTokenError("token is not active")
    iss = document.get("iss")
    if iss is not None and iss not in issuers:
        raise InvalidTokenError("token issuer not accepted")
    exp = document.get("exp")
    if isinstance(exp, int | float) and not isinstance(exp, bool) and now >= exp:
        raise InvalidTokenError("token expired")
    return document


async def introspect(
    client: IdpHttpClient,
    endpoint: str,
    token: str,
    credentials: ClientCredentials,
    *,
    hint: str,
    param_name: str,
    timeout: float,
    verify: bool,
) -> object:
    """POST the token to ``endpoint``; the parsed JSON answer."""
    form = {param_name: token}
    if hint:
        form["token_type_hint"] = hint
    try:
        response = await post_form(
            client, endpoint, credentials, form, timeout=timeout, verify=verify
        )
        if response.status != 200:
            raise OutboundError(f"answered {response.status}")
        return response.json()
    except OutboundError as exc:
        logger.error("introspection endpoint %s failed: %s", endpoint, exc)
        raise IdpUnavailableError("introspection failed", exc.status) from None
