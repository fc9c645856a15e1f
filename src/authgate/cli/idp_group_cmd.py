"""`authgate idp group …`: the groups of a pool (CreateGroup and friends).

With ``--json``, ``create`` and ``delete`` print the group; ``add-user`` and ``remove-user``
print ``{"user": …, "groups": […]}``, the user's groups afterwards (``user describe``'s shape).
"""

from __future__ import annotations

import typer

from authgate.cli.help_format import HelpGroup
from authgate.cli.idp_output import JSON, POOL, print_done, print_json, print_table, run_in_pool
from authgate.idp.domain.records import Group, User, UserPool
from authgate.idp.storage.store import IdpStore

app = typer.Typer(cls=HelpGroup, help="Groups.", no_args_is_help=True)

GROUP = typer.Argument(..., help="Group name.")
USERNAME = typer.Argument(..., help="Username, sub or email.")


@app.command("create")
def group_create(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Group name."),
    pool: str = POOL,
    description: str | None = typer.Option(None, "--description", help="Description."),
    precedence: int | None = typer.Option(
        None, "--precedence", help="Lower comes first in cognito:groups."
    ),
    json_output: bool = JSON,
) -> None:
    """Create a group (CreateGroup)."""
    group = run_in_pool(
        ctx, pool, lambda s, p: s.groups.create(p.id, name, description, precedence)
    )
    print_done(json_output, group, f"created group {group.name}")


async def _membership(
    store: IdpStore, pool: UserPool, username: str, group: str, *, add: bool
) -> tuple[User, list[Group]]:
    user = await store.users.get(pool.id, username)
    if add:
        await store.groups.add_user(pool.id, user.username, group)
    else:
        await store.groups.remove_user(pool.id, user.username, group)
    return user, await store.groups.of_user(pool.id, user.username)


def _print_membership(found: tuple[User, list[Group]], json_output: bool, line: str) -> None:
    user, groups = found
    print_done(json_output, {"user": user, "groups": [g.name for g in groups]}, line)


@app.command("add-user")
def group_add_user(
    ctx: typer.Context,
    group: str = GROUP,
    username: str = USERNAME,
    pool: str = POOL,
    json_output: bool = JSON,
) -> None:
    """Add a user to a group (AdminAddUserToGroup)."""
    found = run_in_pool(ctx, pool, lambda s, p: _membership(s, p, username, group, add=True))
    _print_membership(found, json_output, f"added {username} to {group}")


@app.command("remove-user")
def group_remove_user(
    ctx: typer.Context,
    group: str = GROUP,
    username: str = USERNAME,
    pool: str = POOL,
    json_output: bool = JSON,
) -> None:
    """Remove a user from a group (AdminRemoveUserFromGroup)."""
    found = run_in_pool(ctx, pool, lambda s, p: _membership(s, p, username, group, add=False))
    _print_membership(found, json_output, f"removed {username} from {group}")


@app.command("list")
def group_list(ctx: typer.Context, pool: str = POOL, json_output: bool = JSON) -> None:
    """List the pool's groups by precedence (ListGroups)."""
    groups = run_in_pool(ctx, pool, lambda s, p: s.groups.all(p.id))
    if json_output:
        print_json(groups)
        return
    rows = [(g.name, g.precedence, g.description, g.created_at) for g in groups]
    print_table("groups", ("name", "precedence", "description", "created"), rows)


@app.command("delete")
def group_delete(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Group name."),
    pool: str = POOL,
    json_output: bool = JSON,
) -> None:
    """Delete a group (DeleteGroup); --json prints the group as it was."""

    async def action(store: IdpStore, found: UserPool) -> Group:
        group = await store.groups.get(found.id, name)
        await store.groups.delete(found.id, name)
        return group

    group = run_in_pool(ctx, pool, action)
    print_done(json_output, group, f"deleted group {group.name}")
