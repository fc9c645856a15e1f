"""The ``userinfo`` auth method (OIDC Core §5.3): a token the IdP's userinfo endpoint accepts
is valid; its claims drive authorization and ``upstream_user_info_header``."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import orjson
import pytest

from idp.oidc_harness import IdpServer, Seeded

from ..browser_env import upstream_headers
from ..test_through_proxy import (
    Env,
    config_text,
    open_env,
    password_grant,
    revoke_token,
    route,
)


@pytest.fixture
async def env(pool: Seeded, echo_port: int) -> AsyncIterator[Env]:
    common = {"auth_methods": ["userinfo"], "upstream_user_info_header": "x-userinfo"}
    routes = "".join(
        [
            route("userinfo", pool.issuer, **common),
            route("no-cache", pool.issuer, cache_user_info=False, **common),
            route("email-ok", pool.issuer, scopes_claim=["email"],
                  scopes_required=[pool.email], **common),
            route("email-other", pool.issuer, scopes_claim=["email"],
                  scopes_required=["someone@example.com"], **common),
        ]
    )  # fmt: skip
    async with open_env(config_text(echo_port, routes), pool) as env:
        yield env


async def test_userinfo_claims_reach_the_upstream_as_base64_json(env: Env, idp: IdpServer) -> None:
    token = password_grant(idp, env.pool)["access_token"]
    response = await env.http.get(
        "/userinfo", headers={"Authorization": f"Bearer {token}", "X-Userinfo": "e30="}
    )
    assert response.status_code == 200, response.text
    seen = upstream_headers(response)
    document = orjson.loads(base64.b64decode(seen["x-userinfo"][0]))
    assert document["sub"] == env.pool.sub
    assert document["email"] == env.pool.email
    assert seen["x-credential-identifier"] == [env.pool.sub]
    assert seen["authorization"] == [f"Bearer {token}"]


async def test_token_the_userinfo_endpoint_refuses_is_401(env: Env) -> None:
    response = await env.http.get("/userinfo", headers={"Authorization": "Bearer opaque-1"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == (
        'Bearer realm="authgate", error="invalid_token", '
        'error_description="token rejected by the userinfo endpoint"'
    )


async def test_userinfo_answers_are_cached_and_no_cache_asks_every_time(
    env: Env, idp: IdpServer
) -> None:
    tokens = password_grant(idp, env.pool)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await env.http.get("/userinfo", headers=headers)).status_code == 200
    assert (await env.http.get("/no-cache", headers=headers)).status_code == 200
    assert len(env.services.userinfo) == 1
    revoke_token(idp, env.pool, tokens["refresh_token"])
    assert (await env.http.get("/userinfo", headers=headers)).status_code == 200  # cached
    assert (await env.http.get("/no-cache", headers=headers)).status_code == 401
    key = next(iter(env.services.userinfo._entries))
    assert len(key) == 32
    assert tokens["access_token"].encode() not in key


async def test_userinfo_claims_drive_authorization_rules(env: Env, idp: IdpServer) -> None:
    headers = {"Authorization": f"Bearer {password_grant(idp, env.pool)['access_token']}"}
    assert (await env.http.get("/email-ok", headers=headers)).status_code == 200
    response = await env.http.get("/email-other", headers=headers)
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]


async def test_userinfo_cache_never_outlives_the_jwt_exp(env: Env, idp: IdpServer) -> None:
    tokens = password_grant(idp, env.pool)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await env.http.get("/userinfo", headers=headers)).status_code == 200
    ((expires_at, _),) = env.services.userinfo._entries.values()
    claims = orjson.loads(base64.urlsafe_b64decode(tokens["access_token"].split(".")[1] + "=="))
    assert expires_at == claims["exp"]
