"""App clients: ids and secrets, callback URLs, flows, scopes, token validities, attributes."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from idp_store_fixtures import create_email_pool

from authgate.idp.domain.client_settings import ClientSettings, settings_of
from authgate.idp.domain.cognito_errors import (
    CognitoError,
    InvalidOAuthFlowException,
    InvalidParameterException,
    ResourceNotFoundException,
    ScopeDoesNotExistException,
)
from authgate.idp.domain.records import TokenValidity, UserPool
from authgate.idp.storage.seed import seed_workshop
from authgate.idp.storage.store import IdpStore

KONG_SCOPES = ("openid", "email", "profile", "aws.cognito.signin.user.admin")


def code_client(**changes: object) -> ClientSettings:
    settings = ClientSettings(
        callback_urls=("http://localhost:8000/bar",),
        allowed_oauth_flows=("code",),
        allowed_scopes=KONG_SCOPES,
    )
    return replace(settings, **changes)  # type: ignore[arg-type]


@pytest.fixture
async def pool(store: IdpStore) -> UserPool:
    return await create_email_pool(store)


async def test_generated_client_id_and_secret_have_cognitos_shape(
    store: IdpStore, pool: UserPool
) -> None:
    client = await store.clients.create(pool.id, "kong-api", generate_secret=True)
    assert re.fullmatch(r"[a-z0-9]{26}", client.client_id)
    assert client.client_secret is not None
    assert re.fullmatch(r"[a-z0-9]{51}", client.client_secret)
    assert "client_secret" not in repr(client).split("client_id")[0]
    assert client.client_secret not in repr(client)
    assert (await store.clients.get(client.client_id)) == client


async def test_client_defaults_are_cognitos(store: IdpStore, pool: UserPool) -> None:
    client = await store.clients.create(pool.id, "public")
    assert client.client_secret is None
    assert not client.has_secret
    assert client.explicit_auth_flows == (
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_CUSTOM_AUTH",
    )
    assert client.access_token_validity == TokenValidity(60, "minutes")
    assert client.id_token_validity.seconds == 3600
    assert client.refresh_token_validity == TokenValidity(30, "days")
    assert client.auth_session_validity_minutes == 3
    assert client.enable_token_revocation is True
    assert client.refresh_token_rotation is False
    assert "email_verified" in client.read_attributes
    assert "email_verified" not in client.write_attributes


async def test_given_client_id_and_secret_are_kept(store: IdpStore, pool: UserPool) -> None:
    secret = "s3cret_value_that_is_long_enough"
    client = await store.clients.create(
        pool.id, "fixed", client_id="myfixedclient", client_secret=secret
    )
    assert client.client_id == "myfixedclient"
    assert store.clients.verify_secret(client, secret)
    with pytest.raises(InvalidParameterException, match="App client myfixedclient already exists"):
        await store.clients.create(pool.id, "again", client_id="myfixedclient")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"generate_secret": True, "client_secret": "x" * 30}, "Cannot specify both"),
        ({"client_secret": "short"}, "have length between 24 and 64"),
        ({"client_secret": "has spaces in it but long enough"}, r"[\w+]+"),
        ({"client_id": "bad id"}, "Member must satisfy regular expression pattern"),
    ],
)
async def test_invalid_client_credentials_are_refused(
    store: IdpStore, pool: UserPool, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidParameterException) as caught:
        await store.clients.create(pool.id, "c", **kwargs)  # type: ignore[arg-type]
    assert message in caught.value.message


async def test_secret_comparison_is_exact(store: IdpStore, pool: UserPool) -> None:
    client = await store.clients.create(pool.id, "kong-api", generate_secret=True)
    assert client.client_secret is not None
    assert store.clients.verify_secret(client, client.client_secret)
    assert not store.clients.verify_secret(client, client.client_secret[:-1])
    assert not store.clients.verify_secret(client, client.client_secret + "x")
    assert not store.clients.verify_secret(client, "")
    assert not store.clients.verify_secret(client, None)
    public = await store.clients.create(pool.id, "public")
    assert not store.clients.verify_secret(public, "")


CALLBACKS = [
    ("https://app.example.com/cb", None),
    ("https://app.example.com:8443/cb?x=1", None),
    ("http://localhost/cb", None),
    ("http://localhost:8000/bar", None),
    ("http://127.0.0.1:9999/bar", None),
    ("http://[::1]:8000/bar", None),
    ("myapp://callback", None),
    ("http://example.com/cb", "must use HTTPS, except for http://localhost"),
    ("http://192.168.1.50:5001/cb", "must use HTTPS"),
    ("http://localhost.evil.com/cb", "must use HTTPS"),
    ("http://127.0.0.2/cb", "must use HTTPS"),
    ("https://app.example.com/cb#frag", "must not contain a fragment"),
    ("/relative/cb", "must be an absolute URL"),
    ("https:///nohost", "must be an absolute URL"),
    ("javascript:alert(1)", "must be an absolute URL"),
    ("data:text/html,hi", "must be an absolute URL"),
    ("https://x.example/" + "a" * 1024, "Member must have length between 1 and 1024"),
]


@pytest.mark.parametrize(("url", "error"), CALLBACKS)
async def test_callback_url_rules(
    store: IdpStore, pool: UserPool, url: str, error: str | None
) -> None:
    settings = code_client(callback_urls=(url,))
    if error is None:
        client = await store.clients.create(pool.id, "c", settings)
        assert client.callback_urls == (url,)
        return
    with pytest.raises(InvalidParameterException) as caught:
        await store.clients.create(pool.id, "c", settings)
    assert error in caught.value.message
    assert url[:60] in caught.value.message or "length" in caught.value.message


async def test_logout_urls_follow_the_same_rules(store: IdpStore, pool: UserPool) -> None:
    with pytest.raises(InvalidParameterException, match="LogoutURLs must use HTTPS"):
        await store.clients.create(pool.id, "c", code_client(logout_urls=("http://evil.example/",)))


SCOPE_CASES = [
    (("code",), ("openid",), None, None),
    (("code",), KONG_SCOPES, None, None),
    (("code",), ("openid", "orders/read"), None, None),
    (
        ("code",),
        ("openid", "unknown"),
        ScopeDoesNotExistException,
        "Invalid scope requested: unknown",
    ),
    (("code",), ("orders/delete",), ScopeDoesNotExistException, "Invalid scope requested"),
    (("code",), ("email",), InvalidParameterException, "require the openid scope"),
    (("code",), (), InvalidOAuthFlowException, "AllowedOAuthScopes can not be empty"),
    (("client_credentials",), ("orders/read",), None, None),
    (("client_credentials",), ("openid",), InvalidOAuthFlowException, "client_credentials"),
    (("client_credentials", "code"), ("orders/read",), InvalidOAuthFlowException, "along with"),
    (("password",), ("openid",), InvalidParameterException, "Member must satisfy enum value set"),
]


@pytest.mark.parametrize(("flows", "scopes", "error", "message"), SCOPE_CASES)
async def test_oauth_flow_and_scope_rules(
    store: IdpStore,
    pool: UserPool,
    flows: tuple[str, ...],
    scopes: tuple[str, ...],
    error: type[CognitoError] | None,
    message: str | None,
) -> None:
    await store.resource_servers.create(pool.id, "orders", "Orders", [("read", "")])
    settings = code_client(allowed_oauth_flows=flows, allowed_scopes=scopes)
    if error is None:
        client = await store.clients.create(pool.id, "c", settings, generate_secret=True)
        assert client.allowed_scopes == scopes
        return
    with pytest.raises(error) as caught:
        await store.clients.create(pool.id, "c", settings, generate_secret=True)
    assert message is not None
    assert message in caught.value.message


async def test_code_flow_needs_callback_urls(store: IdpStore, pool: UserPool) -> None:
    with pytest.raises(InvalidOAuthFlowException, match="CallbackUrls can not be empty"):
        await store.clients.create(pool.id, "c", code_client(callback_urls=()))


async def test_client_credentials_needs_a_secret(store: IdpStore, pool: UserPool) -> None:
    await store.resource_servers.create(pool.id, "orders", "Orders", [("read", "")])
    settings = ClientSettings(
        allowed_oauth_flows=("client_credentials",), allowed_scopes=("orders/read",)
    )
    with pytest.raises(InvalidOAuthFlowException, match="does not have a client secret"):
        await store.clients.create(pool.id, "m", settings)


VALIDITY_CASES = [
    ("access", 5, "minutes", None),
    ("access", 1, "days", None),
    ("access", 4, "minutes", "between 5 minutes and 1 days"),
    ("access", 25, "hours", "between 5 minutes and 1 days"),
    ("id", 300, "seconds", None),
    ("id", 299, "seconds", "id token validity"),
    ("refresh", 60, "minutes", None),
    ("refresh", 3650, "days", None),
    ("refresh", 59, "minutes", "between 1 hours and 3650 days"),
    ("refresh", 3651, "days", "between 1 hours and 3650 days"),
    ("refresh", 1, "weeks", "Member must satisfy enum value set"),
]


@pytest.mark.parametrize(("kind", "value", "unit", "error"), VALIDITY_CASES)
async def test_token_validity_ranges(
    store: IdpStore, pool: UserPool, kind: str, value: int, unit: str, error: str | None
) -> None:
    settings = replace(
        ClientSettings(), **{f"{kind}_token_validity": value, f"{kind}_token_unit": unit}
    )
    if error is None:
        client = await store.clients.create(pool.id, "c", settings)
        assert getattr(client, f"{kind}_token_validity") == TokenValidity(value, unit)
        return
    with pytest.raises(InvalidParameterException) as caught:
        await store.clients.create(pool.id, "c", settings)
    assert error in caught.value.message


async def test_refresh_validity_zero_means_thirty_days(store: IdpStore, pool: UserPool) -> None:
    client = await store.clients.create(pool.id, "c", ClientSettings(refresh_token_validity=0))
    assert client.refresh_token_validity == TokenValidity(30, "days")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"explicit_auth_flows": ("ALLOW_EVERYTHING",)}, "Member must satisfy enum value set"),
        (
            {"explicit_auth_flows": ("USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")},
            "cannot mix legacy values",
        ),
        ({"auth_session_validity": 2}, "between 3 and 15"),
        ({"rotation_grace_seconds": 61}, "between 0 and 60"),
        ({"read_attributes": ("shoe_size",)}, "Invalid read attributes"),
        ({"write_attributes": ("email_verified", "email")}, "Invalid write attributes"),
        ({"write_attributes": ("email",)}, "required attributes must be writable: given_name"),
        ({"default_redirect_uri": "https://elsewhere.example/"}, "must be one of the CallbackURLs"),
    ],
)
async def test_invalid_client_settings_are_refused(
    store: IdpStore, pool: UserPool, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidParameterException) as caught:
        await store.clients.create(pool.id, "c", code_client(**changes))
    assert message in caught.value.message


async def test_kong_api_client_as_in_the_workshop(store: IdpStore, pool: UserPool) -> None:
    settings = code_client(
        explicit_auth_flows=("ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"),
        refresh_token_validity=30,
        refresh_token_unit="days",
        read_attributes=("email", "email_verified", "given_name", "family_name"),
        write_attributes=("email", "given_name", "family_name"),
        callback_urls=("http://localhost:8000/bar", "http://127.0.0.1:8000/bar"),
    )
    client = await store.clients.create(pool.id, "kong-api", settings, generate_secret=True)
    assert client.allows_auth_flow("ALLOW_USER_PASSWORD_AUTH")
    assert not client.allows_auth_flow("ALLOW_USER_SRP_AUTH")
    assert client.allowed_scopes == KONG_SCOPES
    assert [c.client_id for c in await store.clients.all(pool.id)] == [client.client_id]
    assert (await store.clients.resolve(pool.id, "kong-api")) == client


async def test_update_replaces_settings_and_a_noop_update_changes_nothing(
    store: IdpStore, pool: UserPool
) -> None:
    client = await store.clients.create(pool.id, "kong-api", code_client(), generate_secret=True)
    same = await store.clients.update(client.client_id, settings_of(client))
    assert same == client
    changed = await store.clients.update(
        client.client_id,
        replace(settings_of(client), callback_urls=("https://gw.example/bar",)),
        name="renamed",
    )
    assert changed.callback_urls == ("https://gw.example/bar",)
    assert changed.name == "renamed"
    assert changed.client_secret == client.client_secret
    with pytest.raises(InvalidParameterException, match="must use HTTPS"):
        await store.clients.update(
            client.client_id, replace(settings_of(client), callback_urls=("http://x.example/",))
        )


async def test_deleted_client_is_not_found(store: IdpStore, pool: UserPool) -> None:
    client = await store.clients.create(pool.id, "kong-api")
    await store.clients.delete(client.client_id)
    with pytest.raises(ResourceNotFoundException, match=r"User pool client \w+ does not exist\."):
        await store.clients.get(client.client_id)
    with pytest.raises(ResourceNotFoundException):
        await store.clients.resolve(pool.id, "kong-api")


async def test_access_token_format_defaults_to_cognito_and_is_stored_per_client(
    store: IdpStore, pool: UserPool
) -> None:
    plain = await store.clients.create(pool.id, "plain", code_client())
    jwt_client = await store.clients.create(
        pool.id, "resource-api", code_client(access_token_format="rfc9068")
    )
    assert plain.access_token_format == "cognito"
    assert not plain.rfc9068_access_tokens
    assert (await store.clients.get(jwt_client.client_id)).access_token_format == "rfc9068"
    assert settings_of(jwt_client).access_token_format == "rfc9068"
    back = await store.clients.update(
        jwt_client.client_id, replace(settings_of(jwt_client), access_token_format="cognito")
    )
    assert back.access_token_format == "cognito"
    assert (await store.clients.get(plain.client_id)).access_token_format == "cognito"


@pytest.mark.parametrize("value", ["", "jwt", "RFC9068", "at+jwt"])
async def test_unknown_access_token_format_is_an_invalid_parameter(
    store: IdpStore, pool: UserPool, value: str
) -> None:
    with pytest.raises(InvalidParameterException, match=r"'accessTokenFormat'.*cognito, rfc9068"):
        await store.clients.create(pool.id, "bad", code_client(access_token_format=value))


async def test_workshop_spec_sets_the_access_token_format(store: IdpStore, tmp_path: Path) -> None:
    spec = tmp_path / "idp.yaml"
    spec.write_text("pool: {name: p}\nclient: {name: api, access_token_format: rfc9068}\n")
    facts = await seed_workshop(store, spec, state_dir=tmp_path)
    assert (await store.clients.get(facts["client_id"])).access_token_format == "rfc9068"
    spec.write_text("pool: {name: p}\nclient: {name: api, access_token_format: jwt}\n")
    with pytest.raises(InvalidParameterException, match=r"client\.access_token_format"):
        await seed_workshop(store, spec, state_dir=tmp_path)
