"""A genuine third-party RP (Authlib's httpx OAuth client) against the running IdP:
discovery, code flow with PKCE, ID token verification with joserfc against the JWKS,
userinfo, refresh, revocation and client credentials."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.jwk import KeySet
from oidc_harness import (
    CALLBACK,
    IdpServer,
    client_settings,
    form_fields,
    seed,
)

from authgate.idp.domain.records import ResourceServerScope
from authgate.idp.storage.store import IdpStore


def _sign_in_in_browser(idp: IdpServer, url: str, email: str, password: str) -> str:
    """What a browser does between the RP's redirect and the callback; returns the callback URL."""
    with idp.client() as browser:
        to_login = browser.get(url)
        assert to_login.status_code == 302
        page = browser.get(to_login.headers["location"])
        csrf, action = form_fields(page.text)
        done = browser.post(action, data={"username": email, "password": password, "_csrf": csrf})
        assert done.status_code == 303, done.text
        return done.headers["location"]


async def test_authlib_client_completes_discovery_code_pkce_refresh_userinfo_revoke(
    idp: IdpServer,
) -> None:
    seeded = seed(idp)
    async with httpx.AsyncClient() as plain:
        meta = (await plain.get(seeded.issuer + "/.well-known/openid-configuration")).json()
        keys = KeySet.import_key_set((await plain.get(meta["jwks_uri"])).json())
    assert meta["issuer"] == seeded.issuer
    async with AsyncOAuth2Client(
        seeded.client_id,
        seeded.client_secret,
        scope="openid email profile",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
    ) as rp:
        verifier = secrets.token_urlsafe(48)
        nonce = secrets.token_urlsafe(16)
        url, _state = rp.create_authorization_url(
            meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce
        )
        callback = _sign_in_in_browser(idp, url, seeded.email, seeded.password)
        token: dict[str, Any] = await rp.fetch_token(
            meta["token_endpoint"], authorization_response=callback, code_verifier=verifier
        )
        id_token = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": seeded.issuer},
            aud={"essential": True, "value": seeded.client_id},
            nonce={"essential": True, "value": nonce},
        ).validate(id_token.claims)
        info = (await rp.get(meta["userinfo_endpoint"])).json()
        assert info["sub"] == id_token.claims["sub"] == seeded.sub
        assert info["email"] == seeded.email

        refreshed = await rp.refresh_token(
            meta["token_endpoint"], refresh_token=token["refresh_token"]
        )
        assert refreshed["access_token"] != token["access_token"]
        again = jwt.decode(refreshed["id_token"], keys, algorithms=["RS256"])
        assert again.claims["auth_time"] == id_token.claims["auth_time"]

        revoked = await rp.revoke_token(
            meta["revocation_endpoint"],
            token=token["refresh_token"],
            token_type_hint="refresh_token",
        )
        assert revoked.status_code == 200
        after = await rp.get(meta["userinfo_endpoint"])
        assert after.status_code == 401


async def test_authlib_client_credentials(idp: IdpServer) -> None:
    seeded = seed(idp)

    async def machine(store: IdpStore) -> Any:
        await store.resource_servers.create(
            seeded.pool_id, "reports", "Reports", [ResourceServerScope("read", "read")]
        )
        return await store.clients.create(
            seeded.pool_id,
            "batch",
            client_settings(
                callback_urls=(),
                logout_urls=(),
                allowed_oauth_flows=("client_credentials",),
                allowed_scopes=("reports/read",),
            ),
            generate_secret=True,
        )

    client = idp.run(machine)
    async with httpx.AsyncClient() as plain:
        meta = (await plain.get(seeded.issuer + "/.well-known/openid-configuration")).json()
        keys = KeySet.import_key_set((await plain.get(meta["jwks_uri"])).json())
    async with AsyncOAuth2Client(
        client.client_id, client.client_secret, scope="reports/read"
    ) as rp:
        token = await rp.fetch_token(meta["token_endpoint"], grant_type="client_credentials")
    claims = jwt.decode(token["access_token"], keys, algorithms=["RS256"]).claims
    assert claims["client_id"] == client.client_id
    assert claims["scope"] == "reports/read"
    assert "refresh_token" not in token
