"""Client copies of identity headers never reach the upstream, on any openid-connect route.

Through a real gateway against the embedded IdP, in front of a raw upstream that records the
header lines exactly as it got them (``_`` spellings included, which the echo service's
HTTP stack would not show). Every header the plugin can set in any configuration is sent by
the client with a marker value; no marker may arrive, whatever the auth method.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from authgate.plugins.services import PluginServices
from authgate.testing.raw_upstream import RawUpstream
from idp.oidc_harness import IdpServer

from ..browser_env import NAV, Gateway, Site, login, make_site, plugin_config, running_gateway
from ..test_through_proxy import access_token, make_machine

MARK = "spoofed-by-the-client"
SPOOFED = [
    "X-Userinfo", "X_Userinfo", "x-id-token", "X_ID_Token", "X-Access-Token", "x_access_token",
    "Access_Token", "X-Authenticated-Groups", "X_Authenticated_Scope", "X-Authenticated-Userid",
    "X-Consumer-ID", "X_Consumer_ID", "X-Consumer-Username", "x_consumer_custom_id",
    "X-Consumer-Groups", "X-Consumer-Anything", "X-Credential-Identifier",
    "X_Credential_Identifier", "X-Anonymous-Consumer", "X_Anonymous_Consumer",
    # the upstream_*_header and claim header names configured on every route below
    "X-Refresh-Token", "x_email",
]  # fmt: skip
# ... and on the API routes only (the browser route "app" uses x-id-token for the ID token)
API_NAMES = ["X-My-Userinfo", "X_My_Introspection", "X-Id-Token-Copy"]


@dataclass
class Env:
    gateway: Gateway
    upstream: RawUpstream
    machine: Any

    @property
    def site(self) -> Site:
        return self.gateway.site


@pytest.fixture(scope="module")
def site(idp: IdpServer) -> Site:
    return make_site(idp)


@pytest.fixture(scope="module")
def machine(idp: IdpServer, site: Site) -> Any:
    return make_machine(idp, site.pool)


def _routes(site: Site) -> dict[str, dict[str, Any]]:
    pool = site.pool
    api = {
        "issuer": pool.issuer,
        "client_id": [pool.client_id],
        "client_secret": [pool.client_secret],
        "upstream_user_info_header": "x-my-userinfo",
        "upstream_introspection_header": "x-my-introspection",
        "upstream_id_token_header": "x-id-token-copy",
        "upstream_refresh_token_header": "x-refresh-token",
        "upstream_headers_claims": ["sub"],
        "upstream_headers_names": ["x-email"],
    }
    return {
        "app": plugin_config(site),  # authorization_code + session + bearer
        "bearer": api | {"auth_methods": ["bearer"]},
        "introspect": api | {"auth_methods": ["introspection"], "cache_introspection": False},
        "password": api | {"auth_methods": ["password"]},
        "machine": api | {"auth_methods": ["client_credentials"]},
        "preflight": api | {"auth_methods": ["bearer"], "run_on_preflight": False},
    }


@pytest.fixture
async def env(site: Site, idp: IdpServer, machine: Any) -> AsyncIterator[Env]:
    async with RawUpstream() as upstream:
        services = PluginServices(clock=idp.clock)
        async with running_gateway(site, upstream.port, _routes(site), services) as gateway:
            yield Env(gateway, upstream, machine)


async def _session(env: Env) -> httpx.Response:
    await login(env.gateway.browser, f"{env.site.base}/app", env.site.pool)
    return await _send(env, "GET", "/app", NAV)


async def _send(
    env: Env, method: str, path: str, headers: dict[str, str], auth: Any = None
) -> httpx.Response:
    names = SPOOFED if path.startswith("/app") else SPOOFED + API_NAMES
    spoofed = [(name, MARK) for name in names]
    return await env.gateway.browser.request(
        method, env.site.base + path, headers=[*headers.items(), *spoofed], auth=auth
    )


async def _bearer(env: Env, path: str) -> httpx.Response:
    token = access_token(env.site.pool.server, env.site.pool)
    return await _send(env, "GET", path, {"authorization": f"Bearer {token}"})


async def _password(env: Env) -> httpx.Response:
    pool = env.site.pool
    return await _send(env, "GET", "/password", {}, auth=(pool.email, pool.password))


async def _machine(env: Env) -> httpx.Response:
    machine = env.machine
    return await _send(env, "GET", "/machine", {}, auth=(machine.client_id, machine.client_secret))


async def _preflight(env: Env) -> httpx.Response:
    cors = {"origin": "http://app.example", "access-control-request-method": "GET"}
    return await _send(env, "OPTIONS", "/preflight", cors)


CASES = {
    "bearer": lambda env: _bearer(env, "/bearer"),
    "bearer-on-a-browser-route": lambda env: _bearer(env, "/app"),
    "introspection": lambda env: _bearer(env, "/introspect"),
    "password": _password,
    "client-credentials": _machine,
    "session": _session,
    "preflight": _preflight,
}


@pytest.mark.parametrize("case", list(CASES))
async def test_no_client_copy_of_an_identity_header_reaches_the_upstream(
    env: Env, case: str
) -> None:
    response = await CASES[case](env)
    assert response.status_code == 200, response.text
    seen = env.upstream.requests[-1]
    assert [(k, v) for k, v in seen.headers if MARK in v] == []
    if case != "preflight":
        assert seen.header("x-credential-identifier") not in (None, MARK)  # the gateway's own


async def test_the_credential_header_itself_still_reaches_the_upstream_when_kept(
    site: Site, idp: IdpServer
) -> None:
    keep = _routes(site)["bearer"] | {"hide_credentials": False}
    token = access_token(idp, site.pool)
    async with RawUpstream() as upstream:
        services = PluginServices(clock=idp.clock)
        async with running_gateway(site, upstream.port, {"keep": keep}, services) as gateway:
            response = await gateway.browser.get(
                f"{site.base}/keep", headers=[("X-Access-Token", token), ("X_Access_Token", MARK)]
            )
    assert response.status_code == 200, response.text
    seen = upstream.requests[-1]
    assert [(k, v) for k, v in seen.headers if k.replace("_", "-") == "x-access-token"] == [
        ("x-access-token", token)
    ]
