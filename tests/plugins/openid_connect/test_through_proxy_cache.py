"""``cache_tokens``: tokens the gateway obtains with a client's password or client credentials
are cached under a hash of those credentials (never the plain password), until they expire."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from idp.oidc_harness import IdpServer, Seeded

from .browser_env import upstream_headers
from .test_through_proxy import (
    Env,
    config_text,
    make_machine,
    open_env,
    route,
)


@pytest.fixture(scope="module")
def machine(idp: IdpServer, pool: Seeded) -> Any:
    return make_machine(idp, pool)


@pytest.fixture
async def env(pool: Seeded, echo_port: int) -> AsyncIterator[Env]:
    client = {"client_id": [pool.client_id], "client_secret": [pool.client_secret]}
    routes = "".join(
        [
            route("cached", pool.issuer, auth_methods=["password", "client_credentials"],
                  **client),
            route("uncached", pool.issuer, auth_methods=["password"], cache_tokens=False,
                  **client),
        ]
    )  # fmt: skip
    async with open_env(config_text(echo_port, routes), pool) as env:
        yield env


async def _sent_token(env: Env, path: str, auth: tuple[str, str]) -> str:
    response = await env.http.get(path, auth=auth)
    assert response.status_code == 200, response.text
    return upstream_headers(response)["authorization"][0]


async def test_password_tokens_are_cached_by_credential_hash(env: Env, clock: Any) -> None:
    pool = env.pool
    login = (pool.email, pool.password)
    first = await _sent_token(env, "/cached", login)
    clock.advance(1)  # a fresh token would differ in iat
    assert await _sent_token(env, "/cached", login) == first
    assert await _sent_token(env, "/uncached", login) != first
    keys = list(env.services.obtained._entries)
    assert len(keys) == 1
    assert len(keys[0]) == 32
    for secret in (pool.password, pool.email):
        assert secret.encode() not in keys[0]
        assert secret not in repr(env.services.obtained._entries)


async def test_wrong_password_never_hits_the_cache(env: Env) -> None:
    pool = env.pool
    await _sent_token(env, "/cached", (pool.email, pool.password))
    wrong = await env.http.get("/cached", auth=(pool.email, pool.password + "x"))
    assert wrong.status_code == 401


async def test_cached_tokens_expire_with_the_token(env: Env, clock: Any, machine: Any) -> None:
    login = (machine.client_id, machine.client_secret)
    first = await _sent_token(env, "/cached", login)
    clock.advance(10)
    assert await _sent_token(env, "/cached", login) == first
    clock.advance(3600)
    assert await _sent_token(env, "/cached", login) != first
