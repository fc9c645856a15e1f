"""Credentials in the request body (Kong's ``body`` param type) and ``hide_credentials`` for
query, body and cookie credentials, through a real gateway against the embedded IdP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from idp.oidc_harness import IdpServer, Seeded, password_tokens

from ..browser_env import upstream_headers
from ..test_through_proxy import (
    Env,
    access_token,
    config_text,
    make_machine,
    open_env,
    route,
)

ALL = ["header", "query", "body", "cookie"]


@pytest.fixture(scope="module")
def machine(idp: IdpServer, pool: Seeded) -> Any:
    return make_machine(idp, pool)


@pytest.fixture
async def env(pool: Seeded, machine: Any, echo_port: int) -> AsyncIterator[Env]:
    client = {"client_id": [pool.client_id], "client_secret": [pool.client_secret]}
    routes = "".join(
        [
            route("body-only", pool.issuer, auth_methods=["bearer"],
                  bearer_token_param_type=["body"]),
            route("hide", pool.issuer, auth_methods=["bearer"], bearer_token_param_type=ALL,
                  bearer_token_cookie_name="at"),
            route("keep", pool.issuer, auth_methods=["bearer"], bearer_token_param_type=ALL,
                  bearer_token_cookie_name="at", hide_credentials=False),
            route("grants", pool.issuer,
                  auth_methods=["password", "client_credentials", "refresh_token"], **client),
        ]
    )  # fmt: skip
    async with open_env(config_text(echo_port, routes), pool) as env:
        yield env


def _echo(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_form_body_bearer_is_used_and_removed_from_the_forwarded_body(
    env: Env, idp: IdpServer
) -> None:
    token = access_token(idp, env.pool)
    response = await env.http.post("/body-only", data={"note": "a b", "access_token": token})
    echo = _echo(response)
    assert echo["body"] == "note=a+b"
    assert upstream_headers(response)["content-length"] == [str(len("note=a+b"))]
    assert upstream_headers(response)["authorization"] == [f"Bearer {token}"]


async def test_json_body_bearer_is_used_and_removed_from_the_forwarded_json(
    env: Env, idp: IdpServer
) -> None:
    token = access_token(idp, env.pool)
    response = await env.http.post("/body-only", json={"access_token": token, "n": [1, 2]})
    assert _echo(response)["body"] == '{"n":[1,2]}'


@pytest.mark.parametrize(
    ("content_type", "where"),
    [("text/plain", "body of another media type"), (None, "query string")],
)
async def test_body_only_route_ignores_credentials_elsewhere(
    env: Env, idp: IdpServer, content_type: str | None, where: str
) -> None:
    token = access_token(idp, env.pool)
    if content_type is None:
        response = await env.http.post("/body-only", params={"access_token": token})
    else:
        response = await env.http.post(
            "/body-only",
            content=f"access_token={token}",
            headers={"content-type": content_type},
        )
    assert response.status_code == 401, where
    assert response.headers["www-authenticate"] == 'Bearer realm="authgate"'


async def test_oversized_body_is_not_searched_but_forwarded_whole(env: Env, idp: IdpServer) -> None:
    token = access_token(idp, env.pool)
    big = "x=" + "y" * 70_000
    refused = await env.http.post(
        "/body-only",
        content=f"access_token={token}&{big}",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert refused.status_code == 401
    form = {"content-type": "application/x-www-form-urlencoded"}
    response = await env.http.post(
        "/hide", content=big, headers={**form, "authorization": f"Bearer {token}"}
    )
    assert _echo(response)["body_length"] == len(big)


async def test_hidden_query_credential_leaves_other_arguments_byte_for_byte(
    env: Env, idp: IdpServer
) -> None:
    token = access_token(idp, env.pool)
    response = await env.http.get(f"/hide?a=%2F&access_token={token}&b=c+d&e")
    assert _echo(response)["query"] == "a=%2F&b=c+d&e"


async def test_hidden_cookie_credential_leaves_other_cookies(env: Env, idp: IdpServer) -> None:
    token = access_token(idp, env.pool)
    response = await env.http.get("/hide", headers={"cookie": f"x=1; at={token}; y=2"})
    _echo(response)
    assert upstream_headers(response)["cookie"] == ["x=1; y=2"]


async def test_hide_credentials_false_forwards_body_query_and_cookie_untouched(
    env: Env, idp: IdpServer
) -> None:
    token = access_token(idp, env.pool)
    body = await env.http.post("/keep", data={"access_token": token, "k": "v"})
    assert _echo(body)["body"] == f"access_token={token}&k=v"
    query = await env.http.get(f"/keep?access_token={token}")
    assert _echo(query)["query"] == f"access_token={token}"
    cookie = await env.http.get("/keep", headers={"cookie": f"at={token}"})
    _echo(cookie)
    assert upstream_headers(cookie)["cookie"] == [f"at={token}"]


async def test_password_in_form_body_is_traded_for_tokens_and_hidden(env: Env) -> None:
    pool = env.pool
    response = await env.http.post(
        "/grants", data={"username": pool.email, "password": pool.password, "other": "1"}
    )
    echo = _echo(response)
    assert echo["body"] == "other=1"
    assert upstream_headers(response)["authorization"][0].startswith("Bearer ey")


async def test_client_credentials_in_json_body(env: Env, machine: Any) -> None:
    response = await env.http.post(
        "/grants",
        json={"client_id": machine.client_id, "client_secret": machine.client_secret},
    )
    assert _echo(response)["body"] == "{}"
    assert upstream_headers(response)["x-credential-identifier"] == [machine.client_id]


async def test_refresh_token_in_form_body(env: Env, idp: IdpServer) -> None:
    with idp.client() as http:
        refresh = password_tokens(http, env.pool)["refresh_token"]
    response = await env.http.post("/grants", data={"refresh_token": refresh})
    assert _echo(response)["body"] == ""
    assert upstream_headers(response)["x-credential-identifier"] == [env.pool.sub]


async def test_wrong_password_in_body_is_401(env: Env) -> None:
    response = await env.http.post(
        "/grants", data={"username": env.pool.email, "password": "Wrong-Horse-1"}
    )
    assert response.status_code == 401
    assert response.json()["message"] == "Unauthorized"
