"""IdP failures: a clear 502 (bad answer) or 503 (unreachable) for the client, one log line
naming the IdP endpoint, and no password, client secret or token in any log line."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from authgate.testing import free_port
from idp.oidc_harness import IdpServer, Seeded

from ..test_through_proxy import (
    Env,
    config_text,
    open_env,
    password_grant,
    route,
)

WRONG_SECRET = "wrong-gateway-secret-4711"


@pytest.fixture
async def env(pool: Seeded, echo_port: int) -> AsyncIterator[Env]:
    good = {"client_id": [pool.client_id], "client_secret": [pool.client_secret]}
    bad = {"client_id": [pool.client_id], "client_secret": [WRONG_SECRET]}
    down = f"http://127.0.0.1:{free_port()}/introspect"
    routes = "".join(
        [
            route("token-404", pool.issuer, auth_methods=["password"],
                  token_endpoint=f"{pool.issuer}/nope", **good),
            route("bad-client", pool.issuer, auth_methods=["password", "refresh_token"],
                  **bad),
            route("intro-down", pool.issuer, auth_methods=["introspection"],
                  introspection_endpoint=down, **good),
            route("intro-bad-client", pool.issuer, auth_methods=["introspection"], **bad),
            route("userinfo-404", pool.issuer, auth_methods=["userinfo"],
                  userinfo_endpoint=f"{pool.issuer}/nope"),
        ]
    )  # fmt: skip
    async with open_env(config_text(echo_port, routes), pool) as env:
        yield env


async def test_idp_failures_are_502_or_503_with_a_log_line_naming_the_endpoint(
    env: Env, idp: IdpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    pool = env.pool
    tokens = password_grant(idp, pool)
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    login = (pool.email, pool.password)
    cases = [
        ("/token-404", {"auth": login}, 502, f"{pool.issuer}/nope"),
        ("/bad-client", {"auth": login}, 502, f"{pool.issuer}/oauth2/token"),
        ("/bad-client", {"headers": {"refresh-token": tokens["refresh_token"]}}, 502,
         f"{pool.issuer}/oauth2/token"),
        ("/intro-down", {"headers": bearer}, 503, "/introspect"),
        ("/intro-bad-client", {"headers": bearer}, 502, f"{pool.issuer}/oauth2/introspect"),
        ("/userinfo-404", {"headers": bearer}, 502, f"{pool.issuer}/nope"),
    ]  # fmt: skip
    for path, kwargs, status, endpoint in cases:
        caplog.clear()
        response = await env.http.get(path, **kwargs)
        assert response.status_code == status, (path, response.text)
        body = response.json()
        assert body["message"] == ("Bad Gateway" if status == 502 else "Service Unavailable")
        assert set(body) == {"message", "request_id"}
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1, (path, errors)
        assert endpoint in errors[0], (path, errors)
    caplog.clear()


async def test_no_password_secret_or_token_in_any_log_line(
    env: Env, idp: IdpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    pool = env.pool
    tokens = password_grant(idp, pool)
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    await env.http.get("/bad-client", auth=(pool.email, pool.password))
    await env.http.get("/bad-client", headers={"refresh-token": tokens["refresh_token"]})
    await env.http.get("/token-404", auth=(pool.email, pool.password))
    for path in ("/intro-down", "/intro-bad-client", "/userinfo-404"):
        await env.http.get(path, headers=bearer)
    text = caplog.text
    assert "openid_connect" in text  # the failures above were logged
    secrets = [
        pool.password,
        str(pool.client_secret),
        WRONG_SECRET,
        tokens["access_token"],
        tokens["access_token"].split(".")[2],
        tokens["refresh_token"],
        tokens["id_token"].split(".")[2],
    ]
    leaked = [s[:6] + "…" for s in secrets if s in text]
    assert leaked == []
