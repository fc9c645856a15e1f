"""Consumer mapping (``consumer_claim``/``consumer_by``/``consumer_optional``), Kong's identity
headers and ``anonymous``, through a real gateway against the embedded IdP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from authgate.config import ConfigError, ConfigIssue, load_config_text
from authgate.plugins.registry import plugin_schemas
from idp.oidc_harness import IdpServer, Seeded

from .browser_env import upstream_headers
from .test_through_proxy import (
    Env,
    access_token,
    config_text,
    open_env,
    route,
)

ADA_ID = "6f1f4a52-5f0c-4d6e-9a51-0c3b3f0e0a01"
GUEST_ID = "6f1f4a52-5f0c-4d6e-9a51-0c3b3f0e0a02"
IDENTITY = ["x-consumer-id", "x-consumer-username", "x-consumer-custom-id"]


@pytest.fixture
async def env(pool: Seeded, echo_port: int) -> AsyncIterator[Env]:
    routes = "".join(
        [
            route("by-custom-id", pool.issuer, auth_methods=["bearer"], consumer_claim=["sub"],
                  consumer_by=["custom_id"]),
            route("by-username", pool.issuer, auth_methods=["bearer"],
                  consumer_claim=["username"], consumer_by=["username", "custom_id"]),
            route("unknown", pool.issuer, auth_methods=["bearer"], consumer_claim=["sub"],
                  consumer_by=["username"]),
            route("optional", pool.issuer, auth_methods=["bearer"], consumer_claim=["sub"],
                  consumer_by=["username"], consumer_optional=True),
            route("anon", pool.issuer, auth_methods=["bearer"], anonymous="guest"),
        ]
    )  # fmt: skip
    consumers = (
        f"consumers:\n  - id: {ADA_ID}\n    username: ada\n    custom_id: {pool.sub}\n"
        f"  - id: {GUEST_ID}\n    username: guest\n"
    )
    async with open_env(config_text(echo_port, routes, consumers), pool) as env:
        yield env


def _bearer(idp: IdpServer, pool: Seeded) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token(idp, pool)}"}


async def test_consumer_found_by_custom_id_sets_kong_identity_headers(
    env: Env, idp: IdpServer
) -> None:
    response = await env.http.get(
        "/by-custom-id", headers={**_bearer(idp, env.pool), "X-Anonymous-Consumer": "true"}
    )
    assert response.status_code == 200, response.text
    seen = upstream_headers(response)
    assert seen["x-consumer-id"] == [ADA_ID]
    assert seen["x-consumer-username"] == ["ada"]
    assert seen["x-consumer-custom-id"] == [env.pool.sub]
    assert seen["x-credential-identifier"] == [env.pool.sub]
    assert "x-anonymous-consumer" not in seen


async def test_consumer_by_username_falls_back_to_custom_id_in_consumer_by_order(
    env: Env, idp: IdpServer
) -> None:
    # The IdP's `username` claim is the user's id here (sign-in by email), which is ada's
    # custom_id, not a username: the second field of consumer_by matches.
    response = await env.http.get("/by-username", headers=_bearer(idp, env.pool))
    assert response.status_code == 200, response.text
    assert upstream_headers(response)["x-consumer-id"] == [ADA_ID]


async def test_no_matching_consumer_is_403_unless_consumer_optional(
    env: Env, idp: IdpServer
) -> None:
    headers = _bearer(idp, env.pool)
    refused = await env.http.get("/unknown", headers=headers)
    assert refused.status_code == 403
    assert refused.json()["message"] == "Forbidden"
    allowed = await env.http.get(
        "/optional", headers={**headers, "X-Consumer-ID": ADA_ID, "X_Consumer_Username": "ada"}
    )
    assert allowed.status_code == 200, allowed.text
    seen = upstream_headers(allowed)
    assert not {*IDENTITY, "x_consumer_username"} & seen.keys()
    assert seen["x-credential-identifier"] == [env.pool.sub]


@pytest.mark.parametrize(
    "credential",
    [None, "Bearer not-a-jwt.but.close", "Bearer eyJhbGciOiJub25lIn0.e30."],
    ids=["no-credential", "malformed-token", "alg-none"],
)
async def test_anonymous_consumer_when_authentication_fails(
    env: Env, credential: str | None
) -> None:
    headers = {"X-Consumer-ID": ADA_ID, "X-Credential-Identifier": "admin"}
    if credential is not None:
        headers["Authorization"] = credential
    response = await env.http.get("/anon", headers=headers)
    assert response.status_code == 200, response.text
    seen = upstream_headers(response)
    assert seen["x-anonymous-consumer"] == ["true"]
    assert seen["x-consumer-id"] == [GUEST_ID]
    assert seen["x-consumer-username"] == ["guest"]
    assert "x-credential-identifier" not in seen


async def test_valid_token_on_anonymous_route_is_not_anonymous(env: Env, idp: IdpServer) -> None:
    response = await env.http.get("/anon", headers=_bearer(idp, env.pool))
    assert response.status_code == 200, response.text
    seen = upstream_headers(response)
    assert "x-anonymous-consumer" not in seen
    assert seen["x-credential-identifier"] == [env.pool.sub]


def test_missing_anonymous_consumer_is_refused_when_the_config_loads(echo_port: int) -> None:
    text = config_text(
        echo_port,
        route(
            "anon-missing", "http://127.0.0.1:9/pool", auth_methods=["bearer"], anonymous="nobody"
        ),
        f"consumers:\n  - id: {GUEST_ID}\n    username: guest\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_config_text(text, plugin_schemas())
    assert caught.value.issues == [
        ConfigIssue(
            "services[0].routes[0].plugins[0].config.anonymous",
            'no consumer "nobody" (known: guest)',
        )
    ]
