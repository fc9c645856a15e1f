"""User pools, domains and resource servers: Cognito's formats, rules and messages."""

from __future__ import annotations

import re

import pytest
from idp_store_fixtures import STRONG

from authgate.idp.domain.client_settings import ClientSettings
from authgate.idp.domain.cognito_errors import (
    InvalidParameterException,
    ResourceNotFoundException,
    UserNotFoundException,
)
from authgate.idp.domain.passwords import PasswordPolicy
from authgate.idp.domain.records import CustomAttribute, ResourceServerScope
from authgate.idp.storage.store import IdpStore


async def test_pool_id_is_region_underscore_nine_alnum(store: IdpStore) -> None:
    pool = await store.pools.create("kongpool")
    assert re.fullmatch(r"us-east-1_[0-9A-Za-z]{9}", pool.id)
    other = await store.pools.create("eu", region="eu-west-3")
    assert other.id.startswith("eu-west-3_")


async def test_pool_defaults_are_cognitos(store: IdpStore) -> None:
    pool = await store.pools.create("kongpool")
    assert pool.password_policy == PasswordPolicy(
        minimum_length=8,
        require_uppercase=True,
        require_lowercase=True,
        require_numbers=True,
        require_symbols=True,
        temporary_password_validity_days=7,
    )
    assert pool.username_attributes == ()
    assert pool.region == "us-east-1"


async def test_pool_round_trips_schema_and_policy(store: IdpStore) -> None:
    created = await store.pools.create(
        "kongpool",
        username_attributes=["email"],
        required_attributes=["email", "given_name", "family_name"],
        custom_attributes=["custom:department", CustomAttribute("tier", mutable=False)],
        password_policy=PasswordPolicy(minimum_length=12, require_symbols=False),
    )
    loaded = await store.pools.get(created.id)
    assert loaded == created
    assert loaded.email_is_username
    assert [c.claim for c in loaded.custom_attributes] == ["custom:department", "custom:tier"]
    assert await store.pools.find_by_name("kongpool") == created
    assert await store.pools.resolve("kongpool") == created
    assert await store.pools.resolve(created.id) == created
    assert [p.id for p in await store.pools.all()] == [created.id]


async def _create_pool(store: IdpStore, kwargs: dict[str, object]) -> None:
    length = kwargs.pop("password_policy_length", None)
    if length is not None:
        kwargs["password_policy"] = PasswordPolicy(minimum_length=int(str(length)))
    await store.pools.create(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": ""}, "Member must have length between 1 and 128"),
        ({"name": "bad/name"}, r"regular expression pattern: [\w\s+=,.@-]+"),
        ({"name": "p", "region": "mars"}, "Invalid region 'mars'"),
        (
            {"name": "p", "username_attributes": ["nickname"]},
            "Member must satisfy enum value set: [phone_number, email]",
        ),
        ({"name": "p", "username_attributes": ["phone_number"]}, "not supported by authgate yet"),
        ({"name": "p", "required_attributes": ["shoe_size"]}, "is not a standard attribute"),
        ({"name": "p", "custom_attributes": ["x" * 21]}, "Invalid custom attribute name"),
        (
            {"name": "p", "password_policy_length": 5},
            "Member must have value between 6 and 99",
        ),
    ],
)
async def test_invalid_pool_settings_are_refused(
    store: IdpStore, kwargs: dict[str, object], message: str
) -> None:
    kwargs = dict(kwargs)  # the table is shared by the SQLite and PostgreSQL runs
    with pytest.raises(InvalidParameterException) as caught:
        await _create_pool(store, kwargs)
    assert message in caught.value.message


async def test_duplicate_pool_name_is_refused(store: IdpStore) -> None:
    await store.pools.create("kongpool")
    with pytest.raises(InvalidParameterException, match="A user pool named kongpool already"):
        await store.pools.create("kongpool")


async def test_unknown_pool_is_resource_not_found_with_cognitos_message(store: IdpStore) -> None:
    with pytest.raises(ResourceNotFoundException, match=r"^User pool us-east-1_nope does not"):
        await store.pools.get("us-east-1_nope")
    assert await store.pools.find_by_name("nope") is None


async def test_deleting_a_pool_deletes_everything_in_it(store: IdpStore) -> None:
    pool = await store.pools.create("kongpool", username_attributes=["email"])
    await store.pools.create_domain(pool.id, "kongidp")
    client = await store.clients.create(pool.id, "kong-api", generate_secret=True)
    await store.users.create(pool.id, "ada@example.com", password=STRONG)
    await store.groups.create(pool.id, "admins")
    await store.groups.add_user(pool.id, "ada@example.com", "admins")
    await store.pools.delete(pool.id)
    assert await store.pools.all() == []
    assert await store.clients.find(client.client_id) is None
    with pytest.raises(ResourceNotFoundException):
        await store.pools.get_domain("kongidp")
    with pytest.raises(ResourceNotFoundException):
        await store.users.get(pool.id, "ada@example.com")
    # The prefix is free again.
    again = await store.pools.create("kongpool2")
    assert (await store.pools.create_domain(again.id, "kongidp")).pool_id == again.id


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        ("KongIdp", "Member must satisfy regular expression pattern"),
        ("-kong", "Member must satisfy regular expression pattern"),
        ("kong-", "Member must satisfy regular expression pattern"),
        ("a" * 64, "Member must satisfy regular expression pattern"),
        ("my_idp", "Member must satisfy regular expression pattern"),
        ("mycognito", "Domain cannot contain reserved word: cognito"),
        ("awsidp", "Domain cannot contain reserved word: aws"),
        ("amazonlogin", "Domain cannot contain reserved word: amazon"),
    ],
)
async def test_invalid_domain_prefixes_are_refused(
    store: IdpStore, prefix: str, message: str
) -> None:
    pool = await store.pools.create("kongpool")
    with pytest.raises(InvalidParameterException) as caught:
        await store.pools.create_domain(pool.id, prefix)
    assert message in caught.value.message


async def test_domain_prefix_is_unique_and_one_per_pool(store: IdpStore) -> None:
    first = await store.pools.create("first")
    second = await store.pools.create("second")
    domain = await store.pools.create_domain(first.id, "kongidp")
    assert (await store.pools.get_domain("kongidp")) == domain
    assert (await store.pools.domain_of(first.id)) == domain
    assert await store.pools.domain_of(second.id) is None
    with pytest.raises(InvalidParameterException, match="already associated with another"):
        await store.pools.create_domain(second.id, "kongidp")
    with pytest.raises(InvalidParameterException, match="already has a domain configured"):
        await store.pools.create_domain(first.id, "kongidp2")
    await store.pools.delete_domain("kongidp")
    assert await store.pools.domain_of(first.id) is None


async def test_resource_server_scopes_become_allowed_client_scopes(store: IdpStore) -> None:
    pool = await store.pools.create("kongpool")
    server = await store.resource_servers.create(
        pool.id, "orders", "Orders API", [("read", "Read orders"), ResourceServerScope("write", "")]
    )
    assert server.scope_names == ("orders/read", "orders/write")
    assert await store.resource_servers.custom_scopes(pool.id) == ("orders/read", "orders/write")
    client = await store.clients.create(
        pool.id,
        "machine",
        ClientSettings(
            allowed_oauth_flows=("client_credentials",), allowed_scopes=("orders/read",)
        ),
        generate_secret=True,
    )
    assert client.allowed_scopes == ("orders/read",)


@pytest.mark.parametrize(
    ("identifier", "scopes", "message"),
    [
        ("has space", [("read", "")], "Invalid resource server identifier"),
        ("orders", [("re/ad", "")], "Invalid scope name"),
        ("orders", [(f"s{i}", "") for i in range(101)], "at most 100 scopes"),
    ],
)
async def test_invalid_resource_servers_are_refused(
    store: IdpStore, identifier: str, scopes: list[tuple[str, str]], message: str
) -> None:
    pool = await store.pools.create("kongpool")
    with pytest.raises(InvalidParameterException, match=message):
        await store.resource_servers.create(pool.id, identifier, "API", scopes)


async def test_duplicate_resource_server_is_refused(store: IdpStore) -> None:
    pool = await store.pools.create("kongpool")
    await store.resource_servers.create(pool.id, "orders", "Orders", [("read", "")])
    with pytest.raises(InvalidParameterException, match="Resource server orders already exists"):
        await store.resource_servers.create(pool.id, "orders", "Orders", [("read", "")])


async def test_user_lookup_in_unknown_pool_names_the_pool(store: IdpStore) -> None:
    with pytest.raises(ResourceNotFoundException, match="User pool us-east-1_x does not exist"):
        await store.users.get("us-east-1_x", "anyone")
    pool = await store.pools.create("kongpool")
    with pytest.raises(UserNotFoundException, match=r"^User does not exist\.$"):
        await store.users.get(pool.id, "anyone")
