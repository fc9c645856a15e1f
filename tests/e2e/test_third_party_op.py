"""The third-party OP itself, before the gateway is involved: Authlib's OAuth client runs
discovery, the code flow with PKCE, ID token verification (joserfc, against the JWKS), userinfo
and a rotating refresh against panva's oidc-provider on loopback."""

from __future__ import annotations

import re
import secrets
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from e2e_harness import OP_EMAIL, OP_PASSWORD, StartOp
from joserfc import jwt
from joserfc.jwk import KeySet

from authgate.testing.third_party_op import ThirdPartyOp

CALLBACK = "http://127.0.0.1:9/rp/callback"
_FORM = re.compile(r'<form method="post" action="([^"]+)"')


@pytest.fixture(scope="module")
def op(start_op: StartOp) -> ThirdPartyOp:
    return start_op("authlib-rp", secrets.token_urlsafe(24), [CALLBACK])


def _redirects_until(browser: httpx.Client, response: httpx.Response, prefix: str) -> str:
    """Follow redirects like a browser until one points at ``prefix``; return that URL."""
    for _ in range(10):
        assert response.is_redirect, response.text
        location = urljoin(str(response.url), response.headers["location"])
        if location.startswith(prefix):
            return location
        response = browser.get(location)
    raise AssertionError("too many redirects")


def _sign_in(browser: httpx.Client, url: str, password: str) -> httpx.Response:
    """What a browser does on the OP's login page; the response to the form post."""
    page = browser.get(url, follow_redirects=True)
    assert page.status_code == 200, page.text
    form = _FORM.search(page.text)
    assert form, page.text
    return browser.post(
        urljoin(str(page.url), form.group(1)), data={"email": OP_EMAIL, "password": password}
    )


def test_authlib_client_completes_discovery_code_pkce_refresh_against_oidc_provider(
    op: ThirdPartyOp,
) -> None:
    meta = httpx.get(op.issuer + "/.well-known/openid-configuration").json()
    assert meta["issuer"] == op.issuer
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["end_session_endpoint"].startswith(op.issuer)
    keys = KeySet.import_key_set(httpx.get(meta["jwks_uri"]).json())
    with OAuth2Client(
        op.client.client_id, op.client.client_secret, scope="openid email profile",
        redirect_uri=CALLBACK, code_challenge_method="S256",
    ) as rp:  # fmt: skip
        verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
        url, state = rp.create_authorization_url(
            meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce
        )
        with httpx.Client(timeout=10) as browser:
            done = _sign_in(browser, url, OP_PASSWORD)
            callback = _redirects_until(browser, done, CALLBACK)
        assert f"state={state}" in callback
        token: dict[str, Any] = rp.fetch_token(
            meta["token_endpoint"], authorization_response=callback, code_verifier=verifier
        )
        id_token = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
        assert id_token.header["alg"] == "RS256"
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": op.issuer},
            aud={"essential": True, "value": op.client.client_id},
            nonce={"essential": True, "value": nonce},
        ).validate(id_token.claims)
        info = rp.get(meta["userinfo_endpoint"]).json()
        assert info["sub"] == id_token.claims["sub"]
        assert info["email"] == OP_EMAIL

        refreshed = rp.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"])
        assert refreshed["access_token"] != token["access_token"]
        assert refreshed["refresh_token"] != token["refresh_token"], "rotation is on"
        reused = httpx.post(
            meta["token_endpoint"],
            data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
            auth=(op.client.client_id, op.client.client_secret),
        )
        assert reused.status_code == 400
        assert reused.json()["error"] == "invalid_grant"


def test_oidc_provider_refuses_a_wrong_password_and_a_missing_pkce_challenge(
    op: ThirdPartyOp,
) -> None:
    meta = httpx.get(op.issuer + "/.well-known/openid-configuration").json()
    with OAuth2Client(
        op.client.client_id, op.client.client_secret, scope="openid", redirect_uri=CALLBACK,
        code_challenge_method="S256",
    ) as rp:  # fmt: skip
        url, _ = rp.create_authorization_url(
            meta["authorization_endpoint"], code_verifier=secrets.token_urlsafe(48), nonce="n"
        )
        with httpx.Client(timeout=10) as browser:
            refused = _sign_in(browser, url, "not-the-password")
        assert refused.status_code == 200
        assert 'role="alert">Invalid email or password.' in refused.text
    without_pkce = httpx.get(
        meta["authorization_endpoint"],
        params={"client_id": op.client.client_id, "response_type": "code", "scope": "openid",
                "redirect_uri": CALLBACK, "state": "s"},
    )  # fmt: skip
    assert without_pkce.status_code == 303
    assert "error=invalid_request" in without_pkce.headers["location"]
