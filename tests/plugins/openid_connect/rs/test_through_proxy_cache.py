"""``cache_tokens``: tokens the gateway obtains with a client's password or client credentials
are cached under an HMAC of those credentials (never the plain secret) until they expire.

Every test counts the requests the real IdP's token endpoint served; the IdP and the gateway
share one fake clock, so expiry is reached without sleeping.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from authgate.plugins.openid_connect.rs.access_token import unverified_claims
from idp.oidc_harness import PASSWORD, IdpServer, Seeded

from ..browser_env import upstream_headers
from ..test_through_proxy import Env, config_text, make_machine, open_env, route

TOKEN = "/oauth2/token"
N = 5


@pytest.fixture(scope="module")
def machine(idp: IdpServer, pool: Seeded) -> Any:
    return make_machine(idp, pool)


@pytest.fixture(scope="module")
def other_email(idp: IdpServer, pool: Seeded) -> str:
    """A second user of the pool (same password as the seeded one)."""
    email = "grace@example.com"

    async def make(store: Any) -> None:
        attrs = {"email": email, "email_verified": "true", "given_name": "Grace"}
        await store.users.create(pool.pool_id, email, attrs, password=PASSWORD, now=idp.clock.now())

    idp.run(make)
    return email


@pytest.fixture
async def env(pool: Seeded, echo_port: int) -> AsyncIterator[Env]:
    client = {"client_id": [pool.client_id], "client_secret": [pool.client_secret]}
    both = ["password", "client_credentials"]
    routes = "".join(
        [
            route("cached", pool.issuer, auth_methods=both, **client),
            route("uncached", pool.issuer, auth_methods=both, cache_tokens=False, **client),
            route("negative", pool.issuer, auth_methods=["password"], cache_ttl_neg=30,
                  **client),
            route("leeway", pool.issuer, auth_methods=["client_credentials"], leeway=60,
                  **client),
            route("short", pool.issuer, auth_methods=["client_credentials"], cache_ttl_max=60,
                  **client),
            route("salted", pool.issuer, auth_methods=both, cache_tokens_salt="s3cret-salt",
                  **client),
        ]
    )  # fmt: skip
    async with open_env(config_text(echo_port, routes), pool) as env:
        yield env


async def _sent_token(env: Env, path: str, auth: tuple[str, str]) -> str:
    response = await env.http.get(path, auth=auth)
    assert response.status_code == 200, response.text
    return upstream_headers(response)["authorization"][0]


async def _calls(
    env: Env, path: str, auth: tuple[str, str], times: int = 1
) -> tuple[int, set[str]]:
    """Token-endpoint requests made for ``times`` requests, and the tokens sent upstream."""
    before = env.pool.server.calls(TOKEN)
    tokens = {await _sent_token(env, path, auth) for _ in range(times)}
    return env.pool.server.calls(TOKEN) - before, tokens


@pytest.mark.parametrize("who", ["password", "client_credentials"])
async def test_same_credentials_call_the_token_endpoint_once(
    env: Env, machine: Any, clock: Any, who: str
) -> None:
    login = (env.pool.email, env.pool.password)
    if who == "client_credentials":
        login = (machine.client_id, machine.client_secret)
    first_calls, first = await _calls(env, "/cached", login)
    # A Basic client pair is first tried as a password (Kong's order): 2 calls, once.
    assert first_calls == (1 if who == "password" else 2)
    clock.advance(1)  # a fresh token would differ in iat
    assert await _calls(env, "/cached", login, N) == (0, first)


async def test_different_credentials_get_their_own_tokens(
    env: Env, machine: Any, other_email: str
) -> None:
    pool = env.pool
    ada = await _calls(env, "/cached", (pool.email, pool.password))
    grace = await _calls(env, "/cached", (other_email, PASSWORD))
    robot = await _calls(env, "/cached", (machine.client_id, machine.client_secret))
    assert (ada[0], grace[0], robot[0]) == (1, 1, 2)
    assert len(ada[1] | grace[1] | robot[1]) == 3
    for login in ((pool.email, pool.password), (other_email, PASSWORD)):
        assert (await _calls(env, "/cached", login, 2))[0] == 0


async def test_cache_tokens_false_calls_the_token_endpoint_every_time(env: Env) -> None:
    calls, _tokens = await _calls(env, "/uncached", (env.pool.email, env.pool.password), N)
    assert calls == N


async def test_wrong_password_is_refused_and_never_cached(env: Env) -> None:
    pool = env.pool
    _, good = await _calls(env, "/cached", (pool.email, pool.password))
    for _ in range(3):
        before = pool.server.calls(TOKEN)
        wrong = await env.http.get("/cached", auth=(pool.email, pool.password + "x"))
        assert wrong.status_code == 401
        assert pool.server.calls(TOKEN) - before >= 1  # asked every time: no negative ttl
    assert await _calls(env, "/cached", (pool.email, pool.password)) == (0, good)


async def test_negative_ttl_remembers_a_refusal_only_that_long(env: Env, clock: Any) -> None:
    pool = env.pool
    wrong = (pool.email, pool.password + "x")

    async def refused() -> int:
        before = pool.server.calls(TOKEN)
        assert (await env.http.get("/negative", auth=wrong)).status_code == 401
        return pool.server.calls(TOKEN) - before

    assert [await refused(), await refused()] == [1, 0]
    clock.advance(29)
    assert await refused() == 0
    # The right password is never blocked by the remembered refusal of a wrong one.
    assert (await _calls(env, "/negative", (pool.email, pool.password)))[0] == 1
    clock.advance(2)
    assert await refused() == 1


async def test_cached_tokens_are_refetched_before_exp_less_leeway(
    env: Env, clock: Any, machine: Any
) -> None:
    login = (machine.client_id, machine.client_secret)
    calls, (first,) = await _calls(env, "/leeway", login)
    assert calls == 1
    exp = unverified_claims(first.removeprefix("Bearer "))["exp"]
    clock.set(exp - 61)
    assert await _calls(env, "/leeway", login) == (0, {first})
    clock.set(exp - 59)
    calls, (second,) = await _calls(env, "/leeway", login)
    assert calls == 1
    assert second != first


async def test_cache_ttl_max_bounds_the_entry(env: Env, clock: Any, machine: Any) -> None:
    login = (machine.client_id, machine.client_secret)
    _, first = await _calls(env, "/short", login)
    clock.advance(59)
    assert await _calls(env, "/short", login) == (0, first)
    clock.advance(2)
    calls, second = await _calls(env, "/short", login)
    assert calls == 1
    assert second != first


async def test_cache_keys_are_salted_hashes_never_the_secret(env: Env, clock: Any) -> None:
    pool = env.pool
    login = (pool.email, pool.password)
    await _calls(env, "/cached", login)
    clock.advance(1)
    await _calls(env, "/salted", login)  # same credentials, another salt: another entry
    keys = env.services.obtained.keys()
    assert len(keys) == 2
    assert all(len(key) == 32 for key in keys)
    for secret in (pool.password, pool.email):
        assert all(secret.encode() not in key for key in keys)
