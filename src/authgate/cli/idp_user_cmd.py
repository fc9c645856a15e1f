"""`authgate idp user …` and `authgate idp group …`: users and groups of a pool."""

from __future__ import annotations

import typer

from authgate.cli.idp_output import (
    JSON,
    POOL,
    console,
    fail,
    print_json,
    print_record,
    print_table,
    run_in_pool,
)
from authgate.idp.passwords import generate_password
from authgate.idp.records import Group, User, UserPool, UserStatus
from authgate.idp.store import IdpStore

user_app = typer.Typer(help="Users.", no_args_is_help=True)
group_app = typer.Typer(help="Groups.", no_args_is_help=True)

USERNAME = typer.Argument(..., help="Username, sub or email.")
GROUP = typer.Argument(..., help="Group name.")
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
        None, help="Temporary password: the user must choose a new one at first sign-in."
    ),
    password: str | None = typer.Option(None, help="Password (with --permanent)."),
    permanent: bool = typer.Option(False, "--permanent", help="--password is permanent."),
    unconfirmed: bool = typer.Option(False, help="Leave the user UNCONFIRMED (as after sign-up)."),
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
        return await store.create_user(
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
        console.print(f"temporary password: [bold]{generated[0]}[/]", highlight=False)


@user_app.command("set-password")
def user_set_password(
    ctx: typer.Context,
    username: str = USERNAME,
    pool: str = POOL,
    password: str = typer.Option(..., "--password", help="The new password."),
    permanent: bool = typer.Option(
        False, "--permanent", help="Permanent (CONFIRMED); else temporary (FORCE_CHANGE_PASSWORD)."
    ),
) -> None:
    """Set a user's password (AdminSetUserPassword); also ends a lockout."""
    user = run_in_pool(
        ctx, pool, lambda s, p: s.set_password(p.id, username, password, permanent=permanent)
    )
    typer.echo(f"password set for {user.email or user.username}: status {user.status}")


@user_app.command("confirm")
def user_confirm(ctx: typer.Context, username: str = USERNAME, pool: str = POOL) -> None:
    """Confirm an UNCONFIRMED user (AdminConfirmSignUp)."""
    user = run_in_pool(ctx, pool, lambda s, p: s.confirm_user(p.id, username))
    typer.echo(f"confirmed {user.email or user.username}")


@user_app.command("disable")
def user_disable(ctx: typer.Context, username: str = USERNAME, pool: str = POOL) -> None:
    """Disable a user (AdminDisableUser)."""
    user = run_in_pool(ctx, pool, lambda s, p: s.disable_user(p.id, username))
    typer.echo(f"disabled {user.email or user.username}")


@user_app.command("enable")
def user_enable(ctx: typer.Context, username: str = USERNAME, pool: str = POOL) -> None:
    """Enable a disabled user (AdminEnableUser)."""
    user = run_in_pool(ctx, pool, lambda s, p: s.enable_user(p.id, username))
    typer.echo(f"enabled {user.email or user.username}")


@user_app.command("update")
def user_update(
    ctx: typer.Context,
    username: str = USERNAME,
    pool: str = POOL,
    attribute: list[str] | None = ATTRIBUTES,
) -> None:
    """Change attributes (AdminUpdateUserAttributes)."""
    attributes = _attributes(attribute or [])
    user = run_in_pool(ctx, pool, lambda s, p: s.update_attributes(p.id, username, attributes))
    typer.echo(f"updated {user.email or user.username}")


@user_app.command("delete")
def user_delete(ctx: typer.Context, username: str = USERNAME, pool: str = POOL) -> None:
    """Delete a user (AdminDeleteUser)."""

    async def action(store: IdpStore, found: UserPool) -> User:
        user = await store.get_user(found.id, username)
        await store.delete_user(found.id, user.username)
        return user

    user = run_in_pool(ctx, pool, action)
    typer.echo(f"deleted {user.email or user.username}")


@user_app.command("list")
def user_list(ctx: typer.Context, pool: str = POOL, json_output: bool = JSON) -> None:
    """List the pool's users (ListUsers)."""
    users = run_in_pool(ctx, pool, lambda s, p: s.list_users(p.id))
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
        user = await store.get_user(found.id, username)
        return user, await store.groups_for_user(found.id, user.username)

    user, groups = run_in_pool(ctx, pool, action)
    if json_output:
        print_json({"user": user, "groups": [g.name for g in groups]})
    else:
        print_record(f"user {user.email or user.username}", _user_fields(user, groups))


@group_app.command("create")
def group_create(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Group name."),
    pool: str = POOL,
    description: str | None = typer.Option(None, help="Description."),
    precedence: int | None = typer.Option(None, help="Lower comes first in cognito:groups."),
) -> None:
    """Create a group (CreateGroup)."""
    group = run_in_pool(ctx, pool, lambda s, p: s.create_group(p.id, name, description, precedence))
    typer.echo(f"created group {group.name}")


@group_app.command("add-user")
def group_add_user(
    ctx: typer.Context,
    group: str = GROUP,
    username: str = USERNAME,
    pool: str = POOL,
) -> None:
    """Add a user to a group (AdminAddUserToGroup)."""
    run_in_pool(ctx, pool, lambda s, p: s.add_user_to_group(p.id, username, group))
    typer.echo(f"added {username} to {group}")


@group_app.command("remove-user")
def group_remove_user(
    ctx: typer.Context,
    group: str = GROUP,
    username: str = USERNAME,
    pool: str = POOL,
) -> None:
    """Remove a user from a group (AdminRemoveUserFromGroup)."""
    run_in_pool(ctx, pool, lambda s, p: s.remove_user_from_group(p.id, username, group))
    typer.echo(f"removed {username} from {group}")


@group_app.command("list")
def group_list(ctx: typer.Context, pool: str = POOL, json_output: bool = JSON) -> None:
    """List the pool's groups by precedence (ListGroups)."""
    groups = run_in_pool(ctx, pool, lambda s, p: s.list_groups(p.id))
    if json_output:
        print_json(groups)
        return
    rows = [(g.name, g.precedence, g.description, g.created_at) for g in groups]
    print_table("groups", ("name", "precedence", "description", "created"), rows)


@group_app.command("delete")
def group_delete(
    ctx: typer.Context, name: str = typer.Argument(..., help="Group name."), pool: str = POOL
) -> None:
    """Delete a group (DeleteGroup)."""
    run_in_pool(ctx, pool, lambda s, p: s.delete_group(p.id, name))
    typer.echo(f"deleted group {name}")
