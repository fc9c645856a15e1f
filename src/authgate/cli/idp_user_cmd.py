"""`authgate idp user …`: the users of a pool (AdminCreateUser and friends).

Every command that changes a user takes ``--json`` and then prints ``{"user": …}`` (the
user as it is afterwards, or as it was for ``delete``), the shape ``user describe`` has.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import typer
from rich.text import Text

from authgate.cli.help_format import HelpGroup
from authgate.cli.idp_output import (
    JSON,
    POOL,
    console,
    fail,
    print_done,
    print_json,
    print_record,
    print_table,
    run_in_pool,
)
from authgate.idp.domain.passwords import generate_password
from authgate.idp.domain.records import Group, User, UserPool, UserStatus
from authgate.idp.storage.store import IdpStore

user_app = typer.Typer(cls=HelpGroup, help="Users.", no_args_is_help=True)

USERNAME = typer.Argument(..., help="Username, sub or email.")
ATTRIBUTES = typer.Option(
    None, "--attribute", "-a", help="NAME=VALUE (repeatable), e.g. given_name=Ada."
)


def _attributes(values: list[str]) -> dict[str, str]:
    result: dict[str, str] = {}
    for value in values:
        name, sep, content = value.partition("=")
        if not sep or not name:
            fail(f"--attribute: expected NAME=VALUE, got {value!r}")
        result[name.strip()] = content
    return result


def _user_fields(user: User, groups: list[Group]) -> list[tuple[str, object]]:
    return [
        ("username", user.username),
        ("sub", user.sub),
        ("status", user.status),
        ("enabled", user.enabled),
        *((f"attribute {k}", v) for k, v in sorted(user.attributes.items()) if k != "sub"),
        ("groups", [g.name for g in groups]),
        ("created", user.created_at),
        ("password changed", user.password_changed_at),
    ]


@user_app.command("create")
def user_create(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="Username, or the email when email is the username."),
    pool: str = POOL,
    attribute: list[str] | None = ATTRIBUTES,
    temporary_password: str | None = typer.Option(
        None,
        "--temporary-password",
        help="Temporary password: the user must choose a new one at first sign-in.",
    ),
    password: str | None = typer.Option(None, "--password", help="Password (with --permanent)."),
    permanent: bool = typer.Option(False, "--permanent", help="--password is permanent."),
    unconfirmed: bool = typer.Option(
        False, "--unconfirmed", help="Leave the user UNCONFIRMED (as after sign-up)."
    ),
    json_output: bool = JSON,
) -> None:
    """Create a user (AdminCreateUser). Without a password a temporary one is generated."""
    if password is not None and not permanent:
        fail("--password needs --permanent (or use --temporary-password)")
    if password is not None and temporary_password is not None:
        fail("give either --password --permanent or --temporary-password, not both")
    attributes = _attributes(attribute or [])
    generated: list[str] = []

    async def action(store: IdpStore, found: UserPool) -> User:
        temporary = temporary_password
        if password is None and temporary is None:
            temporary = generate_password(found.password_policy)
            generated.append(temporary)
        status = UserStatus.UNCONFIRMED if unconfirmed else None
        return await store.users.create(
            found.id,
            username,
            attributes,
            temporary_password=temporary,
            password=password,
            status=status,
        )

    user = run_in_pool(ctx, pool, action)
    if json_output:
        print_json({"user": user, "temporary_password": generated[0] if generated else None})
        return
    print_record(f"user {user.email or user.username}", _user_fields(user, []))
    if generated:
        console.print(Text.assemble("temporary password: ", (generated[0], "bold")))


def _who(user: User) -> str:
    return user.email or user.username


def _change(
    ctx: typer.Context,
    pool: str,
    change: Callable[[IdpStore, UserPool], Awaitable[User]],
    json_output: bool,
    verb: str,
) -> None:
    """Run ``change`` on the pool and report the user: ``{"user": …}`` or ``VERB who``."""
    user = run_in_pool(ctx, pool, change)
    print_done(json_output, {"user": user}, verb.format(who=_who(user), status=user.status))


@user_app.command("set-password")
def user_set_password(
    ctx: typer.Context,
    username: str = USERNAME,
    pool: str = POOL,
    password: str = typer.Option(..., "--password", help="The new password."),
    permanent: bool = typer.Option(
        False, "--permanent", help="Permanent (CONFIRMED); else temporary (FORCE_CHANGE_PASSWORD)."
    ),
    json_output: bool = JSON,
) -> None:
    """Set a user's password (AdminSetUserPassword); also ends a lockout."""

    async def change(store: IdpStore, found: UserPool) -> User:
        return await store.users.set_password(found.id, username, password, permanent=permanent)

    _change(ctx, pool, change, json_output, "password set for {who}: status {status}")


@user_app.command("confirm")
def user_confirm(
    ctx: typer.Context, username: str = USERNAME, pool: str = POOL, json_output: bool = JSON
) -> None:
    """Confirm an UNCONFIRMED user (AdminConfirmSignUp)."""
    _change(ctx, pool, lambda s, p: s.users.confirm(p.id, username), json_output, "confirmed {who}")


@user_app.command("disable")
def user_disable(
    ctx: typer.Context, username: str = USERNAME, pool: str = POOL, json_output: bool = JSON
) -> None:
    """Disable a user (AdminDisableUser)."""
    _change(ctx, pool, lambda s, p: s.users.disable(p.id, username), json_output, "disabled {who}")


@user_app.command("enable")
def user_enable(
    ctx: typer.Context, username: str = USERNAME, pool: str = POOL, json_output: bool = JSON
) -> None:
    """Enable a disabled user (AdminEnableUser)."""
    _change(ctx, pool, lambda s, p: s.users.enable(p.id, username), json_output, "enabled {who}")


@user_app.command("update")
def user_update(
    ctx: typer.Context,
    username: str = USERNAME,
    pool: str = POOL,
    attribute: list[str] | None = ATTRIBUTES,
    json_output: bool = JSON,
) -> None:
    """Change attributes (AdminUpdateUserAttributes)."""
    attributes = _attributes(attribute or [])

    async def change(store: IdpStore, found: UserPool) -> User:
        return await store.users.update_attributes(found.id, username, attributes)

    _change(ctx, pool, change, json_output, "updated {who}")


@user_app.command("delete")
def user_delete(
    ctx: typer.Context, username: str = USERNAME, pool: str = POOL, json_output: bool = JSON
) -> None:
    """Delete a user (AdminDeleteUser); --json prints the user as it was."""

    async def change(store: IdpStore, found: UserPool) -> User:
        user = await store.users.get(found.id, username)
        await store.users.delete(found.id, user.username)
        return user

    _change(ctx, pool, change, json_output, "deleted {who}")


@user_app.command("list")
def user_list(ctx: typer.Context, pool: str = POOL, json_output: bool = JSON) -> None:
    """List the pool's users (ListUsers)."""
    users = run_in_pool(ctx, pool, lambda s, p: s.users.all(p.id))
    if json_output:
        print_json(users)
        return
    rows = [(u.username, u.email, u.status, u.enabled, u.created_at) for u in users]
    print_table("users", ("username", "email", "status", "enabled", "created"), rows)


@user_app.command("describe")
def user_describe(
    ctx: typer.Context, username: str = USERNAME, pool: str = POOL, json_output: bool = JSON
) -> None:
    """Show one user with attributes and groups (AdminGetUser)."""

    async def action(store: IdpStore, found: UserPool) -> tuple[User, list[Group]]:
        user = await store.users.get(found.id, username)
        return user, await store.groups.of_user(found.id, user.username)

    user, groups = run_in_pool(ctx, pool, action)
    if json_output:
        print_json({"user": user, "groups": [g.name for g in groups]})
    else:
        print_record(f"user {user.email or user.username}", _user_fields(user, groups))
