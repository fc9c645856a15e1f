"""CORS of the endpoints browser apps call directly: any origin may read their responses.

As in Cognito: discovery, JWKS, token, userInfo and revocation answer with
``Access-Control-Allow-Origin: *``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.responses import JSONResponse, Response

from authgate.idp.protocol.oauth_errors import OAuthError, no_store_headers

__all__ = ["CACHED_CORS_HEADERS", "CORS_HEADERS", "cors_json"]

CORS_HEADERS = {"Access-Control-Allow-Origin": "*"}
# Metadata that changes rarely (discovery, JWKS): RPs may cache it for five minutes.
CACHED_CORS_HEADERS = {**CORS_HEADERS, "Cache-Control": "public, max-age=300"}


async def cors_json(
    body: Awaitable[object], error_response: Callable[[OAuthError], Response]
) -> Response:
    """``body`` as no-store JSON, or ``error_response`` of the OAuth error it raised; CORS open."""
    try:
        content = await body
    except OAuthError as exc:
        response = error_response(exc)
        response.headers.update(CORS_HEADERS)
        return response
    return JSONResponse(content, headers={**no_store_headers(), **CORS_HEADERS})
