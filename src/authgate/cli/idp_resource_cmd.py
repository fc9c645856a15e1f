"""`authgate idp resource-server …`: APIs with custom scopes for client_credentials."""

from __future__ import annotations

import typer

from authgate.cli.help_format import HelpGroup
from authgate.cli.idp_output import (
    JSON,
    POOL,
    fail,
    print_done,
    print_json,
    print_table,
    run_in_pool,
)
from authgate.idp.domain.records import ResourceServerScope

app = typer.Typer(
    cls=HelpGroup, help="Resource servers and their custom scopes.", no_args_is_help=True
)

SCOPES = typer.Option(
    None, "--scope", help="NAME or NAME=DESCRIPTION (repeatable); clients use IDENTIFIER/NAME."
)


def _scopes(values: list[str]) -> list[ResourceServerScope]:
    result = []
    for value in values:
        name, _, description = value.partition("=")
        if not name:
            fail(f"--scope: expected NAME or NAME=DESCRIPTION, got {value!r}")
        result.append(ResourceServerScope(name, description or name))
    return result


@app.command("create")
def resource_server_create(
    ctx: typer.Context,
    identifier: str = typer.Argument(..., help="Identifier, e.g. orders or https://api.example."),
    pool: str = POOL,
    name: str = typer.Option(..., "--name", help="Display name."),
    scope: list[str] | None = SCOPES,
    json_output: bool = JSON,
) -> None:
    """Create a resource server with custom scopes (CreateResourceServer)."""
    scopes = _scopes(scope or [])
    server = run_in_pool(
        ctx, pool, lambda s, p: s.resource_servers.create(p.id, identifier, name, scopes)
    )
    line = f"created resource server {server.identifier}: {', '.join(server.scope_names)}"
    print_done(json_output, server, line)


@app.command("list")
def resource_server_list(
    ctx: typer.Context,
    pool: str = POOL,
    json_output: bool = JSON,
) -> None:
    """List the pool's resource servers (ListResourceServers)."""
    servers = run_in_pool(ctx, pool, lambda s, p: s.resource_servers.all(p.id))
    if json_output:
        print_json(servers)
        return
    rows = [(s.identifier, s.name, s.scope_names) for s in servers]
    print_table("resource servers", ("identifier", "name", "scopes"), rows)
