"""RFC 7662 introspection as an auth method: ``introspection_check_active``, the answer cache
(keyed by a hash of the token, never past the token's ``exp`` nor ``cache_ttl``) and
``upstream_introspection_header``. The IdP and the gateway share one fake clock."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

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
    common: dict[str, Any] = {
        "auth_methods": ["introspection"],
        "client_id": [pool.client_id],
        "client_secret": [pool.client_secret],
        "upstream_introspection_header": "x-introspection",
    }
    routes = "".join(
        [
            route("cached", pool.issuer, **common),
            route("short", pool.issuer, cache_ttl=60, **common),
            route("any-active", pool.issuer, introspection_check_active=False,
                  cache_introspection=False, **common),
        ]
    )  # fmt: skip
    async with open_env(config_text(echo_port, routes), pool) as env:
        yield env


def _introspection(response: Any) -> dict[str, Any]:
    document: dict[str, Any] = orjson.loads(
        base64.b64decode(upstream_headers(response)["x-introspection"][0])
    )
    return document


async def test_active_token_passes_with_the_introspection_answer_upstream(
    env: Env, idp: IdpServer
) -> None:
    token = password_grant(idp, env.pool)["access_token"]
    response = await env.http.get(
        "/cached", headers={"Authorization": f"Bearer {token}", "X-Introspection": "e30="}
    )
    assert response.status_code == 200, response.text
    document = _introspection(response)
    assert document["active"] is True
    assert document["sub"] == env.pool.sub
    assert upstream_headers(response)["x-credential-identifier"] == [env.pool.sub]


async def test_cache_is_keyed_by_token_hash_and_lasts_until_exp(
    env: Env, idp: IdpServer, clock: Any
) -> None:
    tokens = password_grant(idp, env.pool)
    token = tokens["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert (await env.http.get("/cached", headers=headers)).status_code == 200
    keys = list(env.services.introspected._entries)
    assert len(keys) == 1
    assert len(keys[0]) == 32
    assert token.encode() not in keys[0]
    revoke_token(idp, env.pool, tokens["refresh_token"])
    clock.advance(600)
    assert (await env.http.get("/cached", headers=headers)).status_code == 200  # cached answer
    clock.advance(3600)  # past the token's exp: the entry is gone, the IdP says inactive
    response = await env.http.get("/cached", headers=headers)
    assert response.status_code == 401
    assert 'error_description="token is not active"' in response.headers["www-authenticate"]


async def test_cache_never_outlives_cache_ttl(env: Env, idp: IdpServer, clock: Any) -> None:
    tokens = password_grant(idp, env.pool)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await env.http.get("/short", headers=headers)).status_code == 200
    revoke_token(idp, env.pool, tokens["refresh_token"])
    clock.advance(59)
    assert (await env.http.get("/short", headers=headers)).status_code == 200
    clock.advance(2)
    assert (await env.http.get("/short", headers=headers)).status_code == 401


async def test_opaque_unknown_token_is_inactive(env: Env) -> None:
    response = await env.http.get("/cached", headers={"Authorization": "Bearer opaque-1"})
    assert response.status_code == 401
    assert len(env.services.introspected) == 0  # refusals are not cached


async def test_check_active_off_accepts_an_inactive_answer(env: Env, idp: IdpServer) -> None:
    tokens = password_grant(idp, env.pool)
    revoke_token(idp, env.pool, tokens["refresh_token"])
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    response = await env.http.get("/any-active", headers=headers)
    assert response.status_code == 200, response.text
    assert _introspection(response) == {"active": False}
    assert (await env.http.get("/cached", headers=headers)).status_code == 401
