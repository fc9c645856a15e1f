"""RFC 6749 §4.3, §4.4 and §6: the gateway trades client-presented credentials for tokens.

``password`` (resource owner credentials), ``client_credentials`` and ``refresh_token`` go to
the token endpoint with the gateway's own client authentication. An answer of 400/401 means
the presented credentials are wrong (401 for the client), except ``invalid_client`` for the
gateway's own client (a configuration error); that and anything else is a 502 (503 when the
IdP is unreachable) and one log line naming the endpoint. Secrets and tokens never appear in
logs or exceptions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from authgate.json_object import loads_object
from authgate.plugins.openid_connect.errors import IdpUnavailableError, OidcError
from authgate.plugins.openid_connect.idp_client.client_auth import ClientCredentials, post_form
from authgate.plugins.openid_connect.idp_client.http_client import IdpHttpClient, OutboundError

__all__ = ["InvalidCredentialsError", "TokenResponse", "parse_token_response", "request_tokens"]

logger = logging.getLogger("authgate.openid_connect")


class InvalidCredentialsError(OidcError):
    """The token endpoint refused the presented credentials."""


@dataclass(frozen=True, slots=True)
class TokenResponse:
    """RFC 6749 §5.1 (tokens hidden from repr)."""

    access_token: str = field(repr=False)
    expires_in: float | None
    id_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    scope: str | None = None


def parse_token_response(document: object) -> TokenResponse:
    """Validate a §5.1 success body; ValueError says what is missing."""
    if not isinstance(document, dict):
        raise ValueError("not a JSON object")
    access = document.get("access_token")
    if not isinstance(access, str) or not access:
        raise ValueError("no access_token")
    expires_in = document.get("expires_in")
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float):
        expires_in = None
    scope = document.get("scope")

    def text(name: str) -> str | None:
        value = document.get(name)
        return value if isinstance(value, str) and value else None

    return TokenResponse(
        access_token=access,
        expires_in=expires_in,
        id_token=text("id_token"),
        refresh_token=text("refresh_token"),
        scope=scope if isinstance(scope, str) else None,
    )


def _error_code(body: bytes) -> str | None:
    """RFC 6749 §5.2 ``error`` of a refusal, if the body carries one."""
    document = loads_object(body)
    code = document.get("error") if document is not None else None
    return code if isinstance(code, str) else None


async def request_tokens(
    client: IdpHttpClient,
    endpoint: str,
    grant: dict[str, str],
    credentials: ClientCredentials,
    *,
    timeout: float,
    verify: bool,
    own_client: bool = True,
) -> TokenResponse:
    """POST ``grant`` (grant_type and its parameters) to the token endpoint.

    ``own_client`` says ``credentials`` are the gateway's (not the caller's, as in the
    client-credentials method), so an ``invalid_client`` answer is the gateway's fault.
    """
    try:
        response = await post_form(
            client, endpoint, credentials, dict(grant), timeout=timeout, verify=verify
        )
        if response.status in (400, 401):
            code = _error_code(response.body)
            if own_client and code == "invalid_client":
                raise OutboundError("refused the gateway's client credentials (invalid_client)")
            raise InvalidCredentialsError(f"{grant['grant_type']} grant refused")
        if response.status != 200:
            raise OutboundError(f"answered {response.status}")
        return parse_token_response(response.json())
    except (OutboundError, ValueError) as exc:
        logger.error("token endpoint %s failed (%s grant): %s", endpoint, grant["grant_type"], exc)
        status = exc.status if isinstance(exc, OutboundError) else 502
        raise IdpUnavailableError("token request failed", status) from None
