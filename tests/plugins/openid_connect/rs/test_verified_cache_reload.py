"""The verified-token cache across config reloads, and the upstream ``Authorization`` header.

A cache hit is looked up before the token is parsed, so the cache key must change with
everything that decides validity: a reload that changes the audience or the HMAC secrets
never reuses a verification made under the old config (the caches outlive reloads).
"""

from __future__ import annotations

from typing import Any

import pytest

from authgate.plugins.openid_connect import OidcServices
from authgate.plugins.services import PluginServices
from authgate.testing import tokens as t
from idp.oidc_harness import IdpServer, Seeded

from ..browser_env import upstream_headers
from ..test_through_proxy import (
    access_token,
    config_text,
    open_env,
    route,
)


async def _status(
    services: PluginServices, pool: Seeded, echo_port: int, token: str, **config: Any
) -> tuple[int, str]:
    """Start a gateway with ``config`` on route /api sharing ``services``; one request."""
    text = config_text(echo_port, route("api", pool.issuer, auth_methods=["bearer"], **config))
    async with open_env(text, pool, services) as env:
        response = await env.http.get("/api", headers={"Authorization": f"Bearer {token}"})
        return response.status_code, response.headers.get("www-authenticate", "")


async def test_a_reload_with_another_audience_never_reuses_a_cached_verification(
    idp: IdpServer, pool: Seeded, echo_port: int
) -> None:
    services = PluginServices(clock=idp.clock)
    token = access_token(idp, pool)
    mine = {"audience_claim": ["client_id"], "audience": [pool.client_id]}
    theirs = {"audience_claim": ["client_id"], "audience": ["someone-else"]}
    assert (await _status(services, pool, echo_port, token, **mine))[0] == 200
    assert len(OidcServices.of(services).verified) == 1
    status, challenge = await _status(services, pool, echo_port, token, **theirs)
    assert status == 401
    assert 'error_description="token audience not accepted"' in challenge
    assert (await _status(services, pool, echo_port, token, **mine))[0] == 200


async def test_a_reload_with_another_hmac_secret_never_reuses_a_cached_verification(
    idp: IdpServer, pool: Seeded, echo_port: int
) -> None:
    services = PluginServices(clock=idp.clock)
    now = int(idp.clock())
    token = t.hs256(t.claims(iss=pool.issuer, iat=now, exp=now + 600), "first-secret-" * 3)
    common = {"enable_hs_signatures": True, "client_id": ["hs-client"]}
    first = await _status(
        services, pool, echo_port, token, client_secret=["first-secret-" * 3], **common
    )
    assert first[0] == 200
    second = await _status(
        services, pool, echo_port, token, client_secret=["second-secret-" * 3], **common
    )
    assert second[0] == 401


@pytest.mark.parametrize(
    ("sent", "extra", "config", "upstream"),
    [
        ("Bearer {t}", None, {}, ["Bearer {t}"]),
        ("bearer   {t}", None, {}, ["Bearer {t}"]),
        ("Bearer {t}", "Basic dXNlcjpwYXNz", {}, ["Bearer {t}"]),
        ("Bearer {t}", None, {"upstream_access_token_header": "x-token"}, []),
        ("Bearer {t}", None, {"hide_credentials": False}, ["Bearer {t}"]),
        (
            "Bearer {t}",
            None,
            {"hide_credentials": False, "upstream_access_token_header": "x-token"},
            ["Bearer {t}"],
        ),
    ],
    ids=[
        "kept-in-place", "normalized", "second-authorization-dropped", "moved-to-x-token",
        "not-hidden", "not-hidden-and-copied",
    ],
)  # fmt: skip
async def test_upstream_authorization_header(
    idp: IdpServer,
    pool: Seeded,
    echo_port: int,
    sent: str,
    extra: str | None,
    config: dict[str, Any],
    upstream: list[str],
) -> None:
    token = access_token(idp, pool)
    text = config_text(echo_port, route("api", pool.issuer, auth_methods=["bearer"], **config))
    headers = [("Authorization", sent.format(t=token))]
    if extra is not None:
        headers.append(("Authorization", extra))
    async with open_env(text, pool) as env:
        for _ in range(2):  # a miss, then a hit in the verified-token cache
            response = await env.http.get("/api", headers=headers)
            assert response.status_code == 200, response.text
            seen = upstream_headers(response)
            assert seen.get("authorization", []) == [v.format(t=token) for v in upstream]
            if "upstream_access_token_header" in config:
                assert seen["x-token"] == [token]
