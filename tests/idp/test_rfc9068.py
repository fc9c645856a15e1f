"""RFC 9068 JWT access tokens, a per-client option, through the running IdP (both databases).

A client with ``access_token_format=rfc9068`` gets ``typ: at+jwt`` access tokens with ``aud``
from every grant; a default client keeps Cognito's shape. Tokens are checked with joserfc
against the JWKS the server publishes, as a resource server would (§4).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.errors import InvalidClaimError
from joserfc.jwk import KeySet
from oidc_harness import (
    IdpServer,
    Seeded,
    client_settings,
    exchange,
    login_for_code,
    password_tokens,
    seed,
    signing_keys,
)
from typer.testing import CliRunner

from authgate.cli.app import app as cli_app
from authgate.idp.domain.client_settings import settings_of
from authgate.idp.domain.cognito_errors import InvalidParameterException
from authgate.idp.domain.records import AppClient, ResourceServerScope
from authgate.idp.protocol import tokens
from authgate.idp.storage.store import IdpStore

GRANTS = ("authorization_code", "refresh_token", "password", "client_credentials")
USER_GRANTS = GRANTS[:3]
GROUPS = ("admins", "ops")


@dataclass
class Issued:
    """Access tokens of every grant for one pool whose clients share one format."""

    idp: IdpServer
    seeded: Seeded
    machine: AppClient
    access: dict[str, str]
    refresh_token: str
    login_time: int

    def jwks(self) -> KeySet:
        with self.idp.client() as http:
            jwks = http.get(self.seeded.path("/.well-known/jwks.json"))
        return KeySet.import_key_set(jwks.json())

    def decode(self, grant: str) -> jwt.Token:
        return jwt.decode(self.access[grant], self.jwks(), algorithms=["RS256"])

    def client_id(self, grant: str) -> str:
        return self.machine.client_id if grant == "client_credentials" else self.seeded.client_id


def _machine(idp: IdpServer, seeded: Seeded, fmt: str) -> AppClient:
    async def make(store: IdpStore) -> AppClient:
        for identifier in ("orders", "billing"):
            scopes = [ResourceServerScope("read", "read")]
            await store.resource_servers.create(seeded.pool_id, identifier, identifier, scopes)
        settings = client_settings(
            callback_urls=(),
            logout_urls=(),
            allowed_oauth_flows=("client_credentials",),
            allowed_scopes=("orders/read", "billing/read"),
            access_token_format=fmt,
        )
        return await store.clients.create(seeded.pool_id, "machine", settings, generate_secret=True)

    return idp.run(make)


def _client_credentials(http: httpx.Client, seeded: Seeded, machine: AppClient) -> str:
    assert machine.client_secret is not None
    response = http.post(
        seeded.path("/oauth2/token"),
        data={"grant_type": "client_credentials"},
        auth=(machine.client_id, machine.client_secret),
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def _issue(idp: IdpServer, fmt: str) -> Issued:
    seeded = seed(idp, groups=GROUPS, access_token_format=fmt)
    machine = _machine(idp, seeded, fmt)
    with idp.client() as http:
        login_time = idp.clock.seconds()
        code, _ = login_for_code(http, seeded)
        first = exchange(http, seeded, code)
        assert first.status_code == 200, first.text
        idp.clock.advance(60)  # so a refresh's iat differs from the sign-in's auth_time
        assert seeded.client_secret is not None
        refreshed = http.post(
            seeded.path("/oauth2/token"),
            data={"grant_type": "refresh_token", "refresh_token": first.json()["refresh_token"]},
            auth=(seeded.client_id, seeded.client_secret),
        )
        assert refreshed.status_code == 200, refreshed.text
        access = {
            "authorization_code": first.json()["access_token"],
            "refresh_token": refreshed.json()["access_token"],
            "password": password_tokens(http, seeded)["access_token"],
            "client_credentials": _client_credentials(http, seeded, machine),
        }
    return Issued(idp, seeded, machine, access, first.json()["refresh_token"], login_time)


@pytest.fixture(scope="module")
def rfc9068(idp: IdpServer) -> Issued:
    return _issue(idp, "rfc9068")


@pytest.fixture(scope="module")
def cognito(idp: IdpServer) -> Issued:
    return _issue(idp, "cognito")


@pytest.mark.parametrize("grant", GRANTS)
def test_rfc9068_2_1_header_typ_is_at_jwt(rfc9068: Issued, grant: str) -> None:
    header = rfc9068.decode(grant).header
    assert header["typ"] == "at+jwt"
    assert header["alg"] == "RS256"
    assert header["kid"] in {key.kid for key in rfc9068.jwks()}


@pytest.mark.parametrize("grant", GRANTS)
def test_rfc9068_2_2_required_claims_present(rfc9068: Issued, grant: str) -> None:
    claims = rfc9068.decode(grant).claims
    for name in ("iss", "exp", "aud", "sub", "client_id", "iat", "jti"):
        assert name in claims, name
    assert claims["iss"] == rfc9068.seeded.issuer
    assert claims["client_id"] == rfc9068.client_id(grant)
    assert claims["exp"] - claims["iat"] == 3600
    expected_sub = (
        rfc9068.machine.client_id if grant == "client_credentials" else rfc9068.seeded.sub
    )
    assert claims["sub"] == expected_sub
    # Cognito's own claims stay, so Cognito-aware resource servers keep working.
    assert claims["token_use"] == "access"
    assert claims["version"] == 2


def test_rfc9068_2_2_jti_is_unique_per_token(rfc9068: Issued) -> None:
    jtis = {rfc9068.decode(grant).claims["jti"] for grant in GRANTS}
    assert len(jtis) == len(GRANTS)


@pytest.mark.parametrize("grant", USER_GRANTS)
def test_rfc9068_2_2_1_auth_time_is_when_the_user_authenticated(
    rfc9068: Issued, grant: str
) -> None:
    claims = rfc9068.decode(grant).claims
    if grant != "password":  # the code's sign-in, kept by the refresh
        assert claims["auth_time"] == rfc9068.login_time
    if grant == "refresh_token":
        assert claims["iat"] == rfc9068.login_time + 60


def test_rfc9068_2_2_1_client_credentials_token_has_no_auth_time(rfc9068: Issued) -> None:
    assert "auth_time" not in rfc9068.decode("client_credentials").claims


@pytest.mark.parametrize("grant", USER_GRANTS)
def test_rfc9068_2_2_3_scope_and_2_2_3_1_groups(rfc9068: Issued, grant: str) -> None:
    claims = rfc9068.decode(grant).claims
    expected_scope = "openid email" if grant == "password" else "openid email profile"
    assert claims["scope"] == expected_scope
    assert claims["groups"] == list(GROUPS)
    assert claims["cognito:groups"] == list(GROUPS)


def test_rfc9068_3_audience_of_a_user_token_is_the_client(rfc9068: Issued) -> None:
    for grant in USER_GRANTS:
        assert rfc9068.decode(grant).claims["aud"] == rfc9068.seeded.client_id


def test_rfc9068_3_audience_of_client_credentials_is_the_resource_servers(
    rfc9068: Issued,
) -> None:
    claims = rfc9068.decode("client_credentials").claims
    assert claims["scope"] == "orders/read billing/read"
    assert claims["aud"] == ["orders", "billing"]


@pytest.mark.parametrize("grant", GRANTS)
def test_rfc9068_4_resource_server_validation_with_joserfc(rfc9068: Issued, grant: str) -> None:
    token = rfc9068.decode(grant)  # signature against the published JWKS, RS256 only
    assert token.header["typ"].lower() in {"at+jwt", "application/at+jwt"}
    audience = "orders" if grant == "client_credentials" else rfc9068.seeded.client_id
    essential = {"essential": True}
    registry = jwt.JWTClaimsRegistry(
        now=rfc9068.idp.clock.seconds(),
        iss={"essential": True, "value": rfc9068.seeded.issuer},
        aud={"essential": True, "value": audience},
        exp=essential,
        iat=essential,
        sub=essential,
        jti=essential,
        client_id=essential,
    )
    registry.validate(token.claims)
    wrong_audience = jwt.JWTClaimsRegistry(aud={"essential": True, "value": "someone-else"})
    with pytest.raises(InvalidClaimError):
        wrong_audience.validate(token.claims)


@pytest.mark.parametrize("grant", GRANTS)
def test_cognito_format_stays_the_default(cognito: Issued, grant: str) -> None:
    token = cognito.decode(grant)
    assert "typ" not in token.header
    assert "aud" not in token.claims
    assert "groups" not in token.claims
    assert token.claims["version"] == 2
    assert token.claims["token_use"] == "access"
    assert "auth_time" in token.claims  # Cognito sets it even for client_credentials


def _introspect(issued: Issued, http: httpx.Client, token: str) -> dict[str, Any]:
    assert issued.seeded.client_secret is not None
    response = http.post(
        issued.seeded.path("/oauth2/introspect"),
        data={"token": token},
        auth=(issued.seeded.client_id, issued.seeded.client_secret),
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _bearer(token: str) -> Mapping[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("fmt", ["rfc9068", "cognito"])
def test_userinfo_introspection_and_revocation_treat_both_formats_alike(
    idp: IdpServer, fmt: str
) -> None:
    issued = _issue(idp, fmt)
    seeded, access = issued.seeded, issued.access["authorization_code"]
    assert seeded.client_secret is not None
    auth = (seeded.client_id, seeded.client_secret)
    with idp.client() as http:
        info = http.get(seeded.path("/oauth2/userInfo"), headers=_bearer(access))
        assert info.status_code == 200, info.text
        assert info.json()["sub"] == seeded.sub
        active = _introspect(issued, http, access)
        assert active["active"] is True
        assert active["sub"] == seeded.sub
        assert active["client_id"] == seeded.client_id
        assert active.get("aud") == (seeded.client_id if fmt == "rfc9068" else None)
        machine = _introspect(issued, http, issued.access["client_credentials"])
        assert machine["active"] is True
        assert machine["client_id"] == issued.machine.client_id
        refused = http.post(seeded.path("/oauth2/revoke"), data={"token": access}, auth=auth)
        assert refused.status_code == 400
        assert refused.json()["error"] == "unsupported_token_type"
        revoked = http.post(
            seeded.path("/oauth2/revoke"), data={"token": issued.refresh_token}, auth=auth
        )
        assert revoked.status_code == 200
        assert _introspect(issued, http, access) == {"active": False}
        after = http.get(seeded.path("/oauth2/userInfo"), headers=_bearer(access))
        assert after.status_code == 401


def test_switching_a_client_to_rfc9068_changes_only_its_next_tokens(idp: IdpServer) -> None:
    seeded = seed(idp)

    async def switch(store: IdpStore) -> AppClient:
        client = await store.clients.get(seeded.client_id)
        settings = replace(settings_of(client), access_token_format="rfc9068")
        return await store.clients.update(client.client_id, settings)

    with idp.client() as http:
        before = password_tokens(http, seeded)["access_token"]
        assert idp.run(switch).access_token_format == "rfc9068"
        after = password_tokens(http, seeded)["access_token"]
    assert "typ" not in jwt.decode(before, signing_keys(idp, seeded)).header
    assert jwt.decode(after, signing_keys(idp, seeded)).header["typ"] == "at+jwt"


def test_unknown_access_token_format_is_refused(idp: IdpServer) -> None:
    seeded = seed(idp)

    async def bad(store: IdpStore) -> AppClient:
        settings = client_settings(access_token_format="jwt")
        return await store.clients.create(seeded.pool_id, "bad", settings)

    with pytest.raises(InvalidParameterException, match="accessTokenFormat"):
        idp.run(bad)


def test_cli_access_token_format_on_create_update_and_describe(tmp_path: Path) -> None:
    runner = CliRunner()
    db = f"sqlite:///{tmp_path}/idp.db"

    def idp_cli(*args: str) -> str:
        result = runner.invoke(cli_app, ["idp", "--db", db, *args], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.stderr
        return result.stdout

    idp_cli("pool", "create", "kongpool")
    created = idp_cli(
        "client", "create", "--pool", "kongpool", "--name", "api", "--json",
        "--access-token-format", "rfc9068",
    )  # fmt: skip
    assert '"access_token_format": "rfc9068"' in created
    described = idp_cli("client", "describe", "api", "--pool", "kongpool")
    assert re.search(r"access token format\s+│\s+rfc9068", described)
    updated = idp_cli(
        "client", "update", "api", "--pool", "kongpool", "--access-token-format", "cognito",
        "--access-token-validity", "2h", "--json",
    )  # fmt: skip
    assert '"access_token_format": "cognito"' in updated
    assert '"unit": "hours"' in updated
    bad = runner.invoke(
        cli_app,
        ["idp", "--db", db, "client", "update", "api", "--pool", "kongpool",
         "--access-token-format", "jwt"],
    )  # fmt: skip
    assert bad.exit_code == 2
    assert "accessTokenFormat" in bad.stderr
    assert "cognito, rfc9068" in bad.stderr


def test_cognito_claims_builder_has_no_rfc9068_claims_unless_asked() -> None:
    subject = tokens.Subject(sub="s-1", username="s-1", groups=("admins",))
    common: dict[str, Any] = {
        "issuer": "http://127.0.0.1:9000/us-east-1_X",
        "client_id": "c1",
        "subject": subject,
        "scopes": ("openid",),
        "auth_time": 100,
        "origin_jti": "o-1",
        "now": 200,
        "ttl": 3600,
    }
    plain = tokens.access_token_claims(**common)
    shaped = tokens.access_token_claims(**common, options=tokens.AccessTokenOptions(rfc9068=True))
    assert set(shaped) - set(plain) == {"aud", "groups"}
    assert tokens.AccessTokenOptions().typ == ""
    assert tokens.AccessTokenOptions(rfc9068=True).typ == "at+jwt"


def test_oidc_core_3_1_3_6_at_hash_vector() -> None:
    # Left half of SHA-256("dNZX1hEZ9wBCzNL40Upu646bdzQA"), base64url (OIDC Core A.3 example).
    assert tokens.at_hash("dNZX1hEZ9wBCzNL40Upu646bdzQA") == "wfgvmE9VxjAudsl9lc6TqA"
