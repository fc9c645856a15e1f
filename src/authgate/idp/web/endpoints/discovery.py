"""OIDC Discovery 1.0 §3-4 provider metadata at ``{issuer}/.well-known/openid-configuration``.

Cognito's fields plus what a standard RP needs (research/idp.md §1.3): grant types, PKCE
methods, introspection and revocation endpoints, auth methods and claims. Endpoints are the
issuer-path ones, so an RP that discovered one pool only ever talks to that pool.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from authgate.idp.protocol.client_auth import AUTH_METHODS
from authgate.idp.protocol.context import context
from authgate.idp.protocol.pkce import SUPPORTED_METHODS
from authgate.idp.protocol.scopes import OIDC_SCOPES, STANDARD_CLAIMS
from authgate.idp.protocol.settings import IdpSettings
from authgate.idp.protocol.tokens import ALGORITHM
from authgate.idp.web.endpoints.cors import CACHED_CORS_HEADERS
from authgate.idp.web.endpoints.pools import pool_or_404

__all__ = ["openid_configuration", "provider_metadata"]

_PROTOCOL_CLAIMS = (
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "at_hash",
    "jti",
    "origin_jti",
    "token_use",
    "cognito:username",
    "cognito:groups",
)


def provider_metadata(settings: IdpSettings, pool_id: str) -> dict[str, Any]:
    """The discovery document of ``pool_id``."""
    issuer = settings.issuer(pool_id)
    grant_types = ["authorization_code", "refresh_token", "client_credentials"]
    if settings.password_grant:
        grant_types.append("password")
    metadata: dict[str, Any] = {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oauth2/authorize",
        "token_endpoint": f"{issuer}/oauth2/token",
        "userinfo_endpoint": f"{issuer}/oauth2/userInfo",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "revocation_endpoint": f"{issuer}/oauth2/revoke",
        "end_session_endpoint": f"{issuer}/logout",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": grant_types,
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [ALGORITHM],
        "scopes_supported": [*OIDC_SCOPES, "aws.cognito.signin.user.admin"],
        "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "revocation_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "code_challenge_methods_supported": list(SUPPORTED_METHODS),
        "claims_supported": sorted({*STANDARD_CLAIMS, *_PROTOCOL_CLAIMS}),
        "claims_parameter_supported": False,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "authorization_response_iss_parameter_supported": True,
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
    }
    if settings.introspection:
        metadata["introspection_endpoint"] = f"{issuer}/oauth2/introspect"
        metadata["introspection_endpoint_auth_methods_supported"] = list(AUTH_METHODS)
    return metadata


async def openid_configuration(request: Request) -> Response:
    """GET ``/{pool_id}/.well-known/openid-configuration``."""
    ctx = context(request)
    pool_id = await pool_or_404(request, ctx)
    return JSONResponse(provider_metadata(ctx.settings, pool_id), headers=CACHED_CORS_HEADERS)
