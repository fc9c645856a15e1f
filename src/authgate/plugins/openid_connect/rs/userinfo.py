"""OIDC Core §5.3 UserInfo: a token the IdP accepts at its userinfo endpoint is valid.

A 401/403 from the endpoint means the token is not (RFC 6750 §3.1); anything else that is
not a JSON object is a 502 for the client and one log line naming the endpoint.
"""

from __future__ import annotations

import logging
from typing import Any

from authgate.plugins.openid_connect.errors import IdpUnavailableError, InvalidTokenError
from authgate.plugins.openid_connect.idp_client.http_client import IdpHttpClient, OutboundError

__all__ = ["fetch_userinfo"]

logger = logging.getLogger("authgate.openid_connect")


async def fetch_userinfo(
    client: IdpHttpClient, endpoint: str, token: str, *, timeout: float, verify: bool
) -> dict[str, Any]:
    """The userinfo claims of ``token``."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    try:
        response = await client.request(
            "GET", endpoint, headers=headers, timeout=timeout, verify=verify
        )
        if response.status in (401, 403):
            raise InvalidTokenError("token rejected by the userinfo endpoint")
        if response.status != 200:
            raise OutboundError(f"answered {response.status}")
        document = response.json()
    except OutboundError as exc:
        logger.error("userinfo endpoint %s failed: %s", endpoint, exc)
        raise IdpUnavailableError("userinfo failed", exc.status) from None
    if not isinstance(document, dict):
        logger.error("userinfo endpoint %s answered something other than an object", endpoint)
        raise IdpUnavailableError("userinfo failed", 502)
    return document
