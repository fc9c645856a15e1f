"""openid-connect through a real gateway, against the real embedded IdP (uvicorn on loopback),
in front of the real echo upstream. The IdP and the plugin share one fake clock: no sleeps."""

from __future__ import annotations

import base64
import logging
import textwrap
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from authgate.config import load_config_text
from authgate.idp.domain.records import ResourceServerScope
from authgate.idp.storage.store import IdpStore
from authgate.plugins.openid_connect import OidcServices
from authgate.plugins.registry import plugin_schemas
from authgate.plugins.services import PluginServices
from authgate.proxy.runtime import Runtime, RuntimeHolder
from authgate.proxy.server.listener import HttpServer
from authgate.proxy.start import start_server
from authgate.testing import tokens as t
from idp.oidc_harness import IdpServer, Seeded, client_settings, password_tokens, seed

from .browser_env import upstream_headers


def make_machine(idp: IdpServer, pool: Seeded) -> Any:
    """A client-credentials client with its own secret and an `orders/read` scope."""

    async def make(store: IdpStore) -> Any:
        await store.resource_servers.create(
            pool.pool_id, "orders", "Orders", [ResourceServerScope("read", "read")]
        )
        settings = client_settings(
            callback_urls=(), logout_urls=(), allowed_oauth_flows=("client_credentials",),
            allowed_scopes=("orders/read",),
        )  # fmt: skip
        return await store.clients.create(pool.pool_id, "machine", settings, generate_secret=True)

    return idp.run(make)


@pytest.fixture(scope="module")
def pool(idp: IdpServer) -> Seeded:
    return seed(idp, groups=("admins",))


@pytest.fixture(scope="module")
def machine(idp: IdpServer, pool: Seeded) -> Any:
    return make_machine(idp, pool)


def route(name: str, issuer: str, **config: Any) -> str:
    lines = [f"issuer: {issuer}", *(f"{k}: {v!r}" for k, v in config.items())]
    body = textwrap.indent("\n".join(lines).replace("'", '"'), " " * 14)
    return (
        f"      - name: {name}\n        paths: [/{name}]\n        plugins:\n"
        f"          - name: openid-connect\n            config:\n{body}\n"
    )


def config_text(echo_port: int, routes: str, consumers: str = "") -> str:
    """A declarative config: one echo service with ``routes`` (from :func:`route`)."""
    return (
        '_format_version: "3.0"\nservices:\n  - name: echo\n'
        f"    url: http://127.0.0.1:{echo_port}\n    routes:\n{routes}{consumers}"
    )


def _config(echo_port: int, pool: Seeded, other: Seeded) -> str:
    client = {"client_id": [pool.client_id], "client_secret": [pool.client_secret]}
    routes = "".join(
        [
            route("bearer", pool.issuer, auth_methods=["bearer"],
                   upstream_user_info_header="x-userinfo"),
            route("aud-ok", pool.issuer, auth_methods=["bearer"], audience_claim=["client_id"],
                   audience_required=[pool.client_id]),
            route("aud-other", pool.issuer, auth_methods=["bearer"],
                   audience_claim=["client_id"], audience_required=["someone-else"]),
            route("groups", pool.issuer, auth_methods=["bearer"],
                   groups_claim=["cognito:groups"], groups_required=["admins"],
                   upstream_headers_claims=["client_id"], upstream_headers_names=["x-client"]),
            route("grants", pool.issuer, auth_methods=["password", "client_credentials"],
                   **client),
            route("introspect", pool.issuer, auth_methods=["bearer", "introspection"],
                   introspect_jwt_tokens=True, cache_introspection=False, **client),
            route("other-issuer", other.issuer, auth_methods=["bearer"]),
        ]
    )  # fmt: skip
    return config_text(echo_port, routes)


async def gateway(config_text: str, services: PluginServices) -> HttpServer:
    """The gateway for ``config_text``, its runtime built as a worker builds it."""
    config = load_config_text(config_text, plugin_schemas())
    holder = RuntimeHolder(Runtime.build(config, services))
    return await start_server(holder, "127.0.0.1", 0)


class Env:
    """A running gateway, its services (and the plugin's state in them), an HTTP client."""

    def __init__(self, server: HttpServer, services: PluginServices, pool: Seeded) -> None:
        self.server = server
        self.plugin_services = services
        self.services = OidcServices.of(services)
        self.pool = pool
        port = server.sockets[0].getsockname()[1]
        self.http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10)

    def fetches(self, issuer: str) -> int:
        return sum(p.fetches for s, p in self.services.providers.items() if s.issuer == issuer)

    async def close(self) -> None:
        await self.http.aclose()
        await self.server.drain(1.0)


@asynccontextmanager
async def open_env(
    text: str, pool: Seeded, services: PluginServices | None = None
) -> AsyncIterator[Env]:
    """A gateway for config ``text`` with ``services`` (by default new ones on the IdP's fake
    clock), closed on the way out (also when the body fails)."""
    if services is None:
        services = PluginServices(clock=pool.server.clock)
    env = Env(await gateway(text, services), services, pool)
    try:
        yield env
    finally:
        await env.close()


@pytest.fixture
async def env(
    idp: IdpServer, pool: Seeded, machine: Any, echo_port: int, tmp_path: Path
) -> AsyncIterator[Env]:
    other = seed(idp)
    async with open_env(_config(echo_port, pool, other), pool) as env:
        yield env


def password_grant(idp: IdpServer, pool: Seeded) -> dict[str, Any]:
    """The IdP's token response to the pool's user signing in with a password."""
    with idp.client() as http:
        return password_tokens(http, pool, scope="openid email")


def access_token(idp: IdpServer, pool: Seeded) -> str:
    token: str = password_grant(idp, pool)["access_token"]
    return token


def revoke_token(idp: IdpServer, pool: Seeded, refresh_token: str) -> None:
    """Revoke ``refresh_token`` (and its access tokens) at the IdP."""
    assert pool.client_secret is not None
    with idp.client() as http:
        revoked = http.post(
            pool.path("/oauth2/revoke"),
            data={"token": refresh_token},
            auth=(pool.client_id, pool.client_secret),
        )
    assert revoked.status_code == 200


async def test_bearer_jwt_reaches_the_upstream_and_spoofed_headers_do_not(
    env: Env, idp: IdpServer
) -> None:
    token = access_token(idp, env.pool)
    response = await env.http.get(
        "/bearer",
        headers=[
            ("Authorization", f"Bearer {token}"),
            ("X-Consumer-ID", "admin"),
            ("X_Consumer_ID", "admin"),
            ("X-Userinfo", base64.b64encode(b'{"sub":"admin"}').decode()),
        ],
    )
    assert response.status_code == 200, response.text
    seen = upstream_headers(response)
    assert seen["authorization"] == [f"Bearer {token}"]
    assert seen["x-credential-identifier"] == [env.pool.sub]
    assert "x-consumer-id" not in seen
    assert "x_consumer_id" not in seen
    assert "x-userinfo" not in seen


async def test_missing_credentials_get_a_bearer_challenge_without_error(env: Env) -> None:
    response = await env.http.get("/bearer")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="authgate"'
    body = response.json()
    assert body["message"] == "Unauthorized"
    assert body["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize(
    ("make", "description"),
    [
        (lambda token: t.tamper(token, sub="admin"), "signature verification failed"),
        (lambda token: t.unsigned(t.claims()), "signing algorithm not allowed"),
        (lambda token: t.hs256_with_public_key(t.claims()), "signing algorithm not allowed"),
        (lambda token: "e30." + "x" * 17_000 + ".sig", "token too large"),
    ],
    ids=["tampered", "alg-none", "hs256-with-public-key", "oversized"],
)
async def test_bad_tokens_are_refused_with_invalid_token(
    env: Env, idp: IdpServer, make: Any, description: str
) -> None:
    token = make(access_token(idp, env.pool))
    response = await env.http.get("/bearer", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == (
        f'Bearer realm="authgate", error="invalid_token", error_description="{description}"'
    )


async def test_expired_token_is_refused_once_the_clock_passes_exp(env: Env, idp: IdpServer) -> None:
    token = access_token(idp, env.pool)
    headers = {"Authorization": f"Bearer {token}"}
    assert (await env.http.get("/bearer", headers=headers)).status_code == 200
    idp.clock.advance(3600)
    try:
        response = await env.http.get("/bearer", headers=headers)
    finally:
        idp.clock.advance(-3600)
    assert response.status_code == 401
    assert 'error_description="token expired"' in response.headers["www-authenticate"]


async def test_cognito_client_id_audience_and_no_cache_confusion_between_routes(
    env: Env, idp: IdpServer
) -> None:
    headers = {"Authorization": f"Bearer {access_token(idp, env.pool)}"}
    assert (await env.http.get("/aud-ok", headers=headers)).status_code == 200
    refused = await env.http.get("/aud-other", headers=headers)
    assert refused.status_code == 403
    assert refused.json()["message"] == "Forbidden"
    assert 'error="insufficient_scope"' in refused.headers["www-authenticate"]


async def test_groups_rule_and_claim_headers(env: Env, idp: IdpServer) -> None:
    headers = {"Authorization": f"Bearer {access_token(idp, env.pool)}"}
    response = await env.http.get("/groups", headers={**headers, "X_Client": "spoofed"})
    assert response.status_code == 200, response.text
    seen = upstream_headers(response)
    assert seen["x-client"] == [env.pool.client_id]
    assert "x_client" not in seen


async def test_token_from_another_issuer_is_refused(env: Env, idp: IdpServer) -> None:
    headers = {"Authorization": f"Bearer {access_token(idp, env.pool)}"}
    response = await env.http.get("/other-issuer", headers=headers)
    assert response.status_code == 401


async def test_password_and_client_credentials_with_basic_auth(
    env: Env, idp: IdpServer, machine: Any
) -> None:
    user = await env.http.get("/grants", auth=(env.pool.email, env.pool.password))
    assert user.status_code == 200, user.text
    sent = upstream_headers(user)["authorization"][0]
    assert sent.startswith("Bearer ey")
    service = await env.http.get("/grants", auth=(machine.client_id, machine.client_secret))
    assert service.status_code == 200, service.text
    wrong = await env.http.get("/grants", auth=(env.pool.email, "wrong-password"))
    assert wrong.status_code == 401


async def test_revoked_token_is_refused_through_introspection(env: Env, idp: IdpServer) -> None:
    with idp.client() as http:
        tokens = password_tokens(http, env.pool)
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        assert (await env.http.get("/introspect", headers=headers)).status_code == 200
        revoke = http.post(
            env.pool.path("/oauth2/revoke"),
            data={"token": tokens["refresh_token"]},
            auth=(env.pool.client_id, env.pool.client_secret),
        )
        assert revoke.status_code == 200
    response = await env.http.get("/introspect", headers=headers)
    assert response.status_code == 401
    opaque = await env.http.get("/introspect", headers={"Authorization": "Bearer opaque-123"})
    assert opaque.status_code == 401


async def test_unknown_kid_refetches_jwks_once_within_the_cooldown(
    env: Env, idp: IdpServer
) -> None:
    pool = env.pool
    headers = {"Authorization": f"Bearer {access_token(idp, pool)}"}
    assert (await env.http.get("/bearer", headers=headers)).status_code == 200
    assert env.fetches(pool.issuer) == 1
    idp.clock.advance(31)
    idp.run(lambda store: store.keys.rotate(pool.pool_id, idp.clock.now(), publish_delay=_zero()))
    rotated = {"Authorization": f"Bearer {access_token(idp, pool)}"}
    assert (await env.http.get("/bearer", headers=rotated)).status_code == 200
    assert env.fetches(pool.issuer) == 2
    stranger = t.sign(t.claims(iss=pool.issuer), t.OTHER_RSA)
    response = await env.http.get("/bearer", headers={"Authorization": f"Bearer {stranger}"})
    assert response.status_code == 401
    assert env.fetches(pool.issuer) == 2  # within rediscovery_lifetime: no new fetch


def _zero() -> Any:
    from datetime import timedelta

    return timedelta(0)


async def test_no_token_or_secret_in_logs(
    env: Env, idp: IdpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = access_token(idp, env.pool)
    await env.http.get("/grants", auth=(env.pool.email, env.pool.password))
    await env.http.get("/bearer", headers={"Authorization": f"Bearer {t.tamper(token, x=1)}"})
    text = caplog.text
    assert env.pool.password not in text
    assert token.split(".")[2] not in text
    assert str(env.pool.client_secret) not in text


async def test_concurrent_first_requests_share_one_discovery_fetch(
    env: Env, idp: IdpServer
) -> None:
    import asyncio

    headers = {"Authorization": f"Bearer {access_token(idp, env.pool)}"}
    responses = await asyncio.gather(*(env.http.get("/bearer", headers=headers) for _ in range(8)))
    assert [r.status_code for r in responses] == [200] * 8
    assert env.fetches(env.pool.issuer) == 1


async def test_idp_down_cached_keys_still_verify_and_new_credentials_get_503(
    echo_port: int, tmp_path: Path
) -> None:
    idp = IdpServer(f"sqlite:///{tmp_path / 'down.db'}").start()
    pool = seed(idp)
    client = {"client_id": [pool.client_id], "client_secret": [pool.client_secret]}
    routes = route("r", pool.issuer, auth_methods=["bearer", "password"], **client)
    try:
        async with open_env(config_text(echo_port, routes), pool) as env:
            headers = {"Authorization": f"Bearer {access_token(idp, pool)}"}
            assert (await env.http.get("/r", headers=headers)).status_code == 200
            idp.stop()
            assert (await env.http.get("/r", headers=headers)).status_code == 200
            down = await env.http.get("/r", auth=(pool.email, pool.password))
            assert down.status_code == 503
            assert down.json()["message"] == "Service Unavailable"
    finally:
        idp.stop()
