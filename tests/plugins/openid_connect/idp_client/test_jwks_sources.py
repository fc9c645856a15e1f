"""Where verification keys come from: discovery's ``jwks_uri``, the ``jwks_endpoint``
override and ``extra_jwks_uris``; and which issuers are accepted (``issuers_allowed``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from idp.oidc_harness import IdpServer, Seeded, seed

from ..test_through_proxy import (
    Env,
    access_token,
    config_text,
    open_env,
    route,
)


@pytest.fixture(scope="module")
def other(idp: IdpServer) -> Seeded:
    return seed(idp)


@pytest.fixture
async def env(pool: Seeded, other: Seeded, echo_port: int) -> AsyncIterator[Env]:
    jwks = f"{other.issuer}/.well-known/jwks.json"
    both = [pool.issuer, other.issuer]
    routes = "".join(
        [
            route("plain", pool.issuer, auth_methods=["bearer"]),
            route("allowed-no-keys", pool.issuer, auth_methods=["bearer"],
                  issuers_allowed=both),
            route("extra", pool.issuer, auth_methods=["bearer"], extra_jwks_uris=[jwks],
                  issuers_allowed=both),
            route("extra-not-allowed", pool.issuer, auth_methods=["bearer"],
                  extra_jwks_uris=[jwks]),
            route("override", pool.issuer, auth_methods=["bearer"], jwks_endpoint=jwks,
                  issuers_allowed=both),
        ]
    )  # fmt: skip
    async with open_env(config_text(echo_port, routes), pool) as env:
        yield env


def _bearer(idp: IdpServer, pool: Seeded) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token(idp, pool)}"}


@pytest.mark.parametrize(
    ("path", "own", "foreign"),
    [
        ("/plain", 200, 401),
        ("/allowed-no-keys", 200, 401),
        ("/extra", 200, 200),
        ("/extra-not-allowed", 200, 401),
        ("/override", 401, 200),
    ],
)
async def test_key_sources_and_allowed_issuers(
    env: Env, idp: IdpServer, other: Seeded, path: str, own: int, foreign: int
) -> None:
    mine = await env.http.get(path, headers=_bearer(idp, env.pool))
    theirs = await env.http.get(path, headers=_bearer(idp, other))
    assert (mine.status_code, theirs.status_code) == (own, foreign), (mine.text, theirs.text)


async def test_refusals_name_the_reason(env: Env, idp: IdpServer, other: Seeded) -> None:
    foreign = _bearer(idp, other)
    no_key = await env.http.get("/allowed-no-keys", headers=foreign)
    assert 'error_description="signing key not found"' in no_key.headers["www-authenticate"]
    wrong_iss = await env.http.get("/extra-not-allowed", headers=foreign)
    assert "issuer" in wrong_iss.headers["www-authenticate"]
