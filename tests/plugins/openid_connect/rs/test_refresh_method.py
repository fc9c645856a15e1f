"""The ``refresh_token`` auth method (RFC 6749 §6): the client presents a refresh token, the
gateway trades it for tokens and proxies with them (``upstream_refresh_token_header``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from idp.oidc_harness import IdpServer, Seeded, add_client, password_tokens

from ..browser_env import upstream_headers
from ..test_through_proxy import (
    Env,
    config_text,
    open_env,
    route,
)


@pytest.fixture(scope="module")
def rotating(pool: Seeded) -> Any:
    return add_client(pool, "rotating", refresh_token_rotation=True)


@pytest.fixture
async def env(pool: Seeded, rotating: Any, echo_port: int) -> AsyncIterator[Env]:
    common: dict[str, Any] = {
        "auth_methods": ["refresh_token"],
        "upstream_refresh_token_header": "x-gateway-refresh",
        "upstream_id_token_header": "x-id-token",
    }
    web = {"client_id": [pool.client_id], "client_secret": [pool.client_secret]}
    rot = {"client_id": [rotating.client_id], "client_secret": [rotating.client_secret]}
    routes = "".join(
        [
            route("refresh", pool.issuer, **common, **web),
            route("named", pool.issuer, refresh_token_param_name="rt", **common, **web),
            route("rotating", pool.issuer, **common, **rot),
        ]
    )
    async with open_env(config_text(echo_port, routes), pool) as env:
        yield env


def _refresh_token(idp: IdpServer, pool: Seeded, client: Any = None) -> str:
    with idp.client() as http:
        if client is None:
            token: str = password_tokens(http, pool)["refresh_token"]
            return token
        response = http.post(
            pool.path("/oauth2/token"),
            data={"grant_type": "password", "username": pool.email,
                  "password": pool.password, "scope": "openid email"},
            auth=(client.client_id, client.client_secret),
        )  # fmt: skip
        assert response.status_code == 200, response.text
        rotated: str = response.json()["refresh_token"]
        return rotated


@pytest.mark.parametrize(
    ("path", "where"),
    [
        ("/refresh", {"headers": "refresh-token"}),
        ("/refresh", {"headers": "x-refresh-token"}),
        ("/refresh", {"params": "refresh_token"}),
        ("/named", {"headers": "rt"}),
        ("/named", {"params": "rt"}),
    ],
    ids=["refresh-token-header", "x-refresh-token-header", "query", "named-header", "named-query"],
)
async def test_refresh_token_is_traded_for_fresh_tokens(
    env: Env, idp: IdpServer, path: str, where: dict[str, str]
) -> None:
    token = _refresh_token(idp, env.pool)
    ((kind, name),) = where.items()
    response = await env.http.get(path, **{kind: {name: token}})  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    seen = upstream_headers(response)
    assert seen["authorization"][0].startswith("Bearer ey")
    assert seen["x-id-token"][0].startswith("ey")
    assert seen["x-credential-identifier"] == [env.pool.sub]
    # Without rotation the presented refresh token stays the valid one.
    assert seen["x-gateway-refresh"] == [token]
    assert name not in seen
    assert token not in response.json()["query"]


async def test_rotating_idp_hands_the_new_refresh_token_upstream(
    env: Env, idp: IdpServer, rotating: Any
) -> None:
    token = _refresh_token(idp, env.pool, rotating)
    response = await env.http.get("/rotating", headers={"refresh-token": token})
    assert response.status_code == 200, response.text
    sent = upstream_headers(response)["x-gateway-refresh"]
    assert len(sent) == 1
    assert sent[0] != token


async def test_invalid_refresh_token_is_401(env: Env) -> None:
    response = await env.http.get("/refresh", headers={"refresh-token": "not-a-refresh-token"})
    assert response.status_code == 401
    assert response.json()["message"] == "Unauthorized"


async def test_spoofed_upstream_refresh_header_is_removed(env: Env, idp: IdpServer) -> None:
    response = await env.http.get(
        "/refresh", headers={"refresh-token": "bad", "X_Gateway_Refresh": "spoofed"}
    )
    assert response.status_code == 401
    token = _refresh_token(idp, env.pool)
    ok = await env.http.get(
        "/refresh", headers={"refresh-token": token, "X_Gateway_Refresh": "spoofed"}
    )
    assert ok.status_code == 200, ok.text
    seen = upstream_headers(ok)
    assert "x_gateway_refresh" not in seen
    assert seen["x-gateway-refresh"] == [token]
