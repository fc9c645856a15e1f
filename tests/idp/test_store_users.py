"""Users and groups: usernames and email aliases, required attributes, status changes."""

from __future__ import annotations

import pytest
from idp_store_fixtures import NAMES, STRONG, T0, create_email_pool

from authgate.idp.domain.cognito_errors import (
    AliasExistsException,
    GroupExistsException,
    InvalidParameterException,
    InvalidPasswordException,
    NotAuthorizedException,
    ResourceNotFoundException,
    UsernameExistsException,
    UserNotFoundException,
)
from authgate.idp.domain.records import UserPool, UserStatus
from authgate.idp.storage.store import IdpStore


@pytest.fixture
async def email_pool(store: IdpStore) -> UserPool:
    return await create_email_pool(store, custom_attributes=["department"])


@pytest.fixture
async def name_pool(store: IdpStore) -> UserPool:
    return await store.pools.create("plain")


async def test_email_pool_user_gets_uuid_username_and_email_alias(
    store: IdpStore, email_pool: UserPool
) -> None:
    user = await store.users.create(email_pool.id, "Ada@Example.com", NAMES, password=STRONG)
    assert user.username == user.sub
    assert len(user.sub) == 36
    assert user.email == "Ada@Example.com"
    assert user.status is UserStatus.CONFIRMED
    assert user.enabled
    assert user.attributes["sub"] == user.sub
    for name in ("ada@example.com", "ADA@EXAMPLE.COM", user.sub, user.sub.upper()):
        assert (await store.users.get(email_pool.id, name)) == user


async def test_username_pool_is_case_insensitive(store: IdpStore, name_pool: UserPool) -> None:
    user = await store.users.create(name_pool.id, "Ada", password=STRONG)
    assert user.username == "Ada"
    assert (await store.users.get(name_pool.id, "ada")) == user
    with pytest.raises(UsernameExistsException, match=r"^User account already exists$"):
        await store.users.create(name_pool.id, "ADA", password=STRONG)


async def test_duplicate_email_is_refused_with_cognitos_message(
    store: IdpStore, email_pool: UserPool
) -> None:
    await store.users.create(email_pool.id, "ada@example.com", NAMES, password=STRONG)
    with pytest.raises(UsernameExistsException, match=r"An account with the given email already"):
        await store.users.create(email_pool.id, "ADA@example.com", NAMES, password=STRONG)


@pytest.mark.parametrize(
    ("username", "attributes", "message"),
    [
        ("not-an-email", NAMES, "Username should be an email."),
        (
            "ada@example.com",
            {"given_name": "Ada"},
            "family_name: The attribute family_name is required",
        ),
        ("ada@example.com", {**NAMES, "shoe_size": "9"}, "Type for attribute {shoe_size} could"),
        ("ada@example.com", {**NAMES, "sub": "x"}, "sub: Attribute cannot be updated"),
        ("ada@example.com", {**NAMES, "email_verified": "yes"}, "Value must be 'true' or 'false'"),
        ("ada@example.com", {**NAMES, "custom:department": "x" * 2049}, "no longer than 2048"),
        ("ada@example.com", {**NAMES, "email": "other@example.com"}, "must equal the username"),
    ],
)
async def test_invalid_users_are_refused(
    store: IdpStore, email_pool: UserPool, username: str, attributes: dict[str, str], message: str
) -> None:
    with pytest.raises(InvalidParameterException) as caught:
        await store.users.create(email_pool.id, username, attributes, password=STRONG)
    assert message in caught.value.message


async def test_password_rules_apply_at_creation(store: IdpStore, email_pool: UserPool) -> None:
    with pytest.raises(InvalidPasswordException, match="Password not long enough"):
        await store.users.create(email_pool.id, "ada@example.com", NAMES, password="Sh0rt!")
    with pytest.raises(InvalidParameterException, match="exactly one of"):
        await store.users.create(email_pool.id, "ada@example.com", NAMES)


async def test_temporary_password_means_force_change_password(
    store: IdpStore, email_pool: UserPool
) -> None:
    user = await store.users.create(
        email_pool.id, "ada@example.com", NAMES, temporary_password=STRONG
    )
    assert user.status is UserStatus.FORCE_CHANGE_PASSWORD
    user = await store.users.set_password(
        email_pool.id, "ada@example.com", STRONG + "x", permanent=True
    )
    assert user.status is UserStatus.CONFIRMED
    user = await store.users.set_password(email_pool.id, user.sub, STRONG, permanent=False)
    assert user.status is UserStatus.FORCE_CHANGE_PASSWORD
    with pytest.raises(InvalidPasswordException, match="must have symbol characters"):
        await store.users.set_password(email_pool.id, user.sub, "NoSymbols123", permanent=True)


async def test_confirm_only_unconfirmed_users(store: IdpStore, email_pool: UserPool) -> None:
    user = await store.users.create(
        email_pool.id, "ada@example.com", NAMES, password=STRONG, status=UserStatus.UNCONFIRMED
    )
    assert user.status is UserStatus.UNCONFIRMED
    assert (await store.users.confirm(email_pool.id, user.sub)).status is UserStatus.CONFIRMED
    with pytest.raises(
        NotAuthorizedException, match=r"User cannot be confirmed\. Current status is CONFIRMED"
    ):
        await store.users.confirm(email_pool.id, user.sub)


async def test_disable_and_enable(store: IdpStore, email_pool: UserPool) -> None:
    await store.users.create(email_pool.id, "ada@example.com", NAMES, password=STRONG)
    assert not (await store.users.disable(email_pool.id, "ada@example.com")).enabled
    assert (await store.users.enable(email_pool.id, "ada@example.com")).enabled


async def test_changing_email_unverifies_it_and_moves_the_alias(
    store: IdpStore, email_pool: UserPool
) -> None:
    user = await store.users.create(
        email_pool.id,
        "ada@example.com",
        {**NAMES, "email_verified": "true"},
        password=STRONG,
    )
    updated = await store.users.update_attributes(
        email_pool.id, user.sub, {"email": "ada@new.example", "custom:department": "R&D"}
    )
    assert updated.attributes["email_verified"] == "false"
    assert updated.attributes["custom:department"] == "R&D"
    assert (await store.users.get(email_pool.id, "ada@new.example")).sub == user.sub
    assert await store.users.find(email_pool.id, "ada@example.com") is None


async def test_email_alias_cannot_be_taken_twice(store: IdpStore, email_pool: UserPool) -> None:
    await store.users.create(email_pool.id, "ada@example.com", NAMES, password=STRONG)
    bob = await store.users.create(email_pool.id, "bob@example.com", NAMES, password=STRONG)
    with pytest.raises(AliasExistsException, match="An account with the given email already"):
        await store.users.update_attributes(email_pool.id, bob.sub, {"email": "ADA@example.com"})


async def test_required_attributes_cannot_be_emptied_or_deleted(
    store: IdpStore, email_pool: UserPool
) -> None:
    user = await store.users.create(email_pool.id, "ada@example.com", NAMES, password=STRONG)
    with pytest.raises(InvalidParameterException, match="given_name is required"):
        await store.users.update_attributes(email_pool.id, user.sub, {"given_name": ""})
    with pytest.raises(InvalidParameterException, match="family_name is required"):
        await store.users.delete_attributes(email_pool.id, user.sub, ["family_name"])
    await store.users.update_attributes(email_pool.id, user.sub, {"nickname": "countess"})
    after = await store.users.delete_attributes(email_pool.id, user.sub, ["nickname"])
    assert "nickname" not in after.attributes


async def test_deleted_user_is_gone(store: IdpStore, email_pool: UserPool) -> None:
    user = await store.users.create(email_pool.id, "ada@example.com", NAMES, password=STRONG)
    await store.users.delete(email_pool.id, "ada@example.com")
    with pytest.raises(UserNotFoundException, match=r"^User does not exist\.$"):
        await store.users.get(email_pool.id, user.sub)
    assert await store.users.all(email_pool.id) == []


async def test_list_users_oldest_first(store: IdpStore, name_pool: UserPool) -> None:
    for name in ("carol", "alice", "bob"):
        await store.users.create(name_pool.id, name, password=STRONG)
    assert {u.username for u in await store.users.all(name_pool.id)} == {"alice", "bob", "carol"}


async def test_groups_are_ordered_by_precedence_then_name(
    store: IdpStore, name_pool: UserPool
) -> None:
    await store.users.create(name_pool.id, "ada", password=STRONG)
    await store.groups.create(name_pool.id, "zeta", precedence=None)
    await store.groups.create(name_pool.id, "readers", "Read only", precedence=10)
    await store.groups.create(name_pool.id, "admins", precedence=1)
    await store.groups.create(name_pool.id, "alpha", precedence=None)
    for group in ("zeta", "readers", "admins", "alpha"):
        await store.groups.add_user(name_pool.id, "ada", group)
    await store.groups.add_user(name_pool.id, "ADA", "admins")  # idempotent
    names = [g.name for g in await store.groups.of_user(name_pool.id, "ada")]
    assert names == ["admins", "readers", "alpha", "zeta"]
    assert [g.name for g in await store.groups.all(name_pool.id)] == names
    assert [u.username for u in await store.groups.members(name_pool.id, "admins")] == ["ada"]
    await store.groups.remove_user(name_pool.id, "ada", "admins")
    assert "admins" not in [g.name for g in await store.groups.of_user(name_pool.id, "ada")]


async def test_group_errors_use_cognitos_names(store: IdpStore, name_pool: UserPool) -> None:
    await store.groups.create(name_pool.id, "admins")
    with pytest.raises(
        GroupExistsException, match=r"A group with the name admins already exists\."
    ):
        await store.groups.create(name_pool.id, "admins")
    with pytest.raises(ResourceNotFoundException, match=r"^Group not found\.$"):
        await store.groups.add_user(name_pool.id, "ada", "nobody")
    with pytest.raises(UserNotFoundException):
        await store.groups.add_user(name_pool.id, "ghost", "admins")
    with pytest.raises(InvalidParameterException, match="greater than or equal to 0"):
        await store.groups.create(name_pool.id, "neg", precedence=-1)
    await store.groups.delete(name_pool.id, "admins")
    assert await store.groups.all(name_pool.id) == []


async def test_deleting_a_user_removes_memberships(store: IdpStore, name_pool: UserPool) -> None:
    await store.users.create(name_pool.id, "ada", password=STRONG)
    await store.groups.create(name_pool.id, "admins")
    await store.groups.add_user(name_pool.id, "ada", "admins")
    await store.users.delete(name_pool.id, "ada")
    assert await store.groups.members(name_pool.id, "admins") == []


async def test_timestamps_come_from_the_injected_clock(
    store: IdpStore, name_pool: UserPool
) -> None:
    user = await store.users.create(name_pool.id, "ada", password=STRONG)
    assert user.created_at == T0 == user.password_changed_at
