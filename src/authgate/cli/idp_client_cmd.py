"""`authgate idp client …`: app clients (CreateUserPoolClient and friends)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

import typer

from authgate.cli.help_format import HelpGroup
from authgate.cli.idp_output import (
    JSON,
    LIST_HELP,
    POOL,
    parse_duration,
    print_done,
    print_json,
    print_record,
    print_table,
    run_in_pool,
    split_list,
    split_lists,
    to_json_object,
)
from authgate.idp.domain.client_settings import ClientSettings, settings_of
from authgate.idp.domain.records import AppClient, UserPool
from authgate.idp.storage.store import IdpStore

app = typer.Typer(cls=HelpGroup, help="App clients.", no_args_is_help=True)

CALLBACK_URLS = typer.Option(
    None, "--callback-url", metavar="URL", help=f"Callback URLs (repeatable, or {LIST_HELP})."
)
LOGOUT_URLS = typer.Option(
    None, "--logout-url", metavar="URL", help=f"Sign-out URLs (repeatable, or {LIST_HELP})."
)
OAUTH_FLOWS = typer.Option(
    None, "--oauth-flows", help=f"OAuth flows: code, implicit, client_credentials ({LIST_HELP})."
)
SCOPES = typer.Option(None, "--scopes", help=f"Allowed scopes, {LIST_HELP}.")
AUTH_FLOWS = typer.Option(
    None,
    "--auth-flows",
    help="Explicit auth flows, e.g. ALLOW_USER_PASSWORD_AUTH,ALLOW_REFRESH_TOKEN_AUTH "
    f"({LIST_HELP}).",
)
ACCESS_VALIDITY = typer.Option(None, "--access-token-validity", help="e.g. 60m (5m-1d).")
ID_VALIDITY = typer.Option(None, "--id-token-validity", help="e.g. 1h (5m-1d).")
REFRESH_VALIDITY = typer.Option(None, "--refresh-token-validity", help="e.g. 30d (60m-3650d).")
READ_ATTRIBUTES = typer.Option(
    None, "--read-attributes", help=f"Readable attributes, {LIST_HELP} (default: all)."
)
WRITE_ATTRIBUTES = typer.Option(
    None,
    "--write-attributes",
    help=f"Writable attributes, {LIST_HELP} (default: all but *_verified).",
)
ROTATION_GRACE = typer.Option(
    0, "--rotation-grace", help="Seconds a rotated refresh token stays valid (0-60)."
)
FORMAT_HELP = "Access token shape: cognito, or rfc9068 (RFC 9068 JWT: typ at+jwt, aud)."


def client_fields(client: AppClient, *, show_secret: bool) -> list[tuple[str, object]]:
    """The rows of `client describe`."""
    secret = client.client_secret if show_secret else ("(hidden)" if client.has_secret else None)
    return [
        ("client id", client.client_id),
        ("name", client.name),
        ("pool", client.pool_id),
        ("client secret", secret),
        ("callback URLs", client.callback_urls),
        ("logout URLs", client.logout_urls),
        ("OAuth flows", client.allowed_oauth_flows),
        ("scopes", client.allowed_scopes),
        ("auth flows", client.explicit_auth_flows),
        (
            "access token",
            f"{client.access_token_validity.value} {client.access_token_validity.unit}",
        ),
        ("ID token", f"{client.id_token_validity.value} {client.id_token_validity.unit}"),
        (
            "refresh token",
            f"{client.refresh_token_validity.value} {client.refresh_token_validity.unit}",
        ),
        ("read attributes", client.read_attributes),
        ("write attributes", client.write_attributes),
        ("token revocation", client.enable_token_revocation),
        (
            "refresh rotation",
            f"{client.refresh_token_rotation} (grace {client.rotation_grace_seconds} s)",
        ),
        ("prevent user existence errors", client.prevent_user_existence_errors),
        ("access token format", client.access_token_format),
        ("created", client.created_at),
    ]


def client_json(client: AppClient) -> dict[str, object]:
    """The JSON of one client, secret included (Cognito's DescribeUserPoolClient shows it)."""
    result = to_json_object(client)
    result["client_secret"] = client.client_secret
    return result


def _client_summary(client: AppClient) -> dict[str, str]:
    """A client as ListUserPoolClients describes it: ids and name, never the secret."""
    return {"client_id": client.client_id, "name": client.name, "pool_id": client.pool_id}


def _validities(access: str | None, id_: str | None, refresh: str | None) -> dict[str, object]:
    """ClientSettings fields for the token validity options that were given."""
    changes: dict[str, object] = {}
    for kind, value in (("access", access), ("id", id_), ("refresh", refresh)):
        parsed = parse_duration(value, f"--{kind}-token-validity")
        if parsed is not None:
            changes[f"{kind}_token_validity"], changes[f"{kind}_token_unit"] = parsed
    return changes


def _print_client(client: AppClient, json_output: bool) -> None:
    if json_output:
        print_json(client_json(client))
    else:
        print_record(f"app client {client.name}", client_fields(client, show_secret=True))


def _creating(
    name: str,
    settings: ClientSettings,
    generate_secret: bool,
    client_id: str | None,
    client_secret: str | None,
) -> Callable[[IdpStore, UserPool], Awaitable[AppClient]]:
    """The store step of ``client create``: CreateUserPoolClient in the pool found."""

    async def action(store: IdpStore, found: UserPool) -> AppClient:
        return await store.clients.create(
            found.id,
            name,
            settings,
            generate_secret=generate_secret,
            client_id=client_id,
            client_secret=client_secret,
        )

    return action


@app.command("create")
def client_create(
    ctx: typer.Context,
    pool: str = POOL,
    name: str = typer.Option(..., "--name", help="Client name, e.g. kong-api."),
    generate_secret: bool = typer.Option(False, "--generate-secret", help="Generate a secret."),
    client_id: str | None = typer.Option(None, "--client-id", help="Use this id (else generated)."),
    client_secret: str | None = typer.Option(
        None, "--client-secret", help="Use this secret (24-64 characters of [A-Za-z0-9_+])."
    ),
    callback_url: list[str] | None = CALLBACK_URLS,
    logout_url: list[str] | None = LOGOUT_URLS,
    oauth_flows: str | None = OAUTH_FLOWS,
    scopes: str | None = SCOPES,
    auth_flows: str | None = AUTH_FLOWS,
    access_token_validity: str | None = ACCESS_VALIDITY,
    id_token_validity: str | None = ID_VALIDITY,
    refresh_token_validity: str | None = REFRESH_VALIDITY,
    read_attributes: str | None = READ_ATTRIBUTES,
    write_attributes: str | None = WRITE_ATTRIBUTES,
    token_revocation: bool = typer.Option(
        True,
        "--token-revocation/--no-token-revocation",
        help="Whether the client's refresh tokens can be revoked.",
    ),
    refresh_token_rotation: bool = typer.Option(
        False,
        "--refresh-token-rotation/--no-refresh-token-rotation",
        help="Whether a refresh token is replaced each time it is used.",
    ),
    rotation_grace: int = ROTATION_GRACE,
    access_token_format: str = typer.Option("cognito", "--access-token-format", help=FORMAT_HELP),
    json_output: bool = JSON,
) -> None:
    """Create an app client (CreateUserPoolClient); the secret is printed."""
    settings = ClientSettings(
        callback_urls=split_lists(callback_url) or (),
        logout_urls=split_lists(logout_url) or (),
        allowed_oauth_flows=split_list(oauth_flows) or (),
        allowed_scopes=split_list(scopes) or (),
        explicit_auth_flows=split_list(auth_flows),
        read_attributes=split_list(read_attributes),
        write_attributes=split_list(write_attributes),
        enable_token_revocation=token_revocation,
        refresh_token_rotation=refresh_token_rotation,
        rotation_grace_seconds=rotation_grace,
        access_token_format=access_token_format,
    )
    settings = replace(
        settings,
        **_validities(access_token_validity, id_token_validity, refresh_token_validity),  # type: ignore[arg-type]
    )
    action = _creating(name, settings, generate_secret, client_id, client_secret)
    _print_client(run_in_pool(ctx, pool, action), json_output)


@app.command("update")
def client_update(
    ctx: typer.Context,
    client: str = typer.Argument(..., help="Client id or name."),
    pool: str = POOL,
    name: str | None = typer.Option(None, "--name", help="New client name."),
    callback_url: list[str] | None = CALLBACK_URLS,
    logout_url: list[str] | None = LOGOUT_URLS,
    oauth_flows: str | None = OAUTH_FLOWS,
    scopes: str | None = SCOPES,
    auth_flows: str | None = AUTH_FLOWS,
    access_token_validity: str | None = ACCESS_VALIDITY,
    id_token_validity: str | None = ID_VALIDITY,
    refresh_token_validity: str | None = REFRESH_VALIDITY,
    read_attributes: str | None = READ_ATTRIBUTES,
    write_attributes: str | None = WRITE_ATTRIBUTES,
    token_revocation: bool | None = typer.Option(
        None,
        "--token-revocation/--no-token-revocation",
        help="Whether the client's refresh tokens can be revoked (default: unchanged).",
    ),
    refresh_token_rotation: bool | None = typer.Option(
        None,
        "--refresh-token-rotation/--no-refresh-token-rotation",
        help="Whether a refresh token is replaced each time it is used (default: unchanged).",
    ),
    rotation_grace: int | None = typer.Option(
        None, "--rotation-grace", help="Seconds a rotated refresh token stays valid (0-60)."
    ),
    access_token_format: str | None = typer.Option(None, "--access-token-format", help=FORMAT_HELP),
    json_output: bool = JSON,
) -> None:
    """Change an app client: only the options given change, the rest stays as it is."""
    given: dict[str, object | None] = {
        "callback_urls": split_lists(callback_url),
        "logout_urls": split_lists(logout_url),
        "allowed_oauth_flows": split_list(oauth_flows),
        "allowed_scopes": split_list(scopes),
        "explicit_auth_flows": split_list(auth_flows),
        "read_attributes": split_list(read_attributes),
        "write_attributes": split_list(write_attributes),
        "enable_token_revocation": token_revocation,
        "refresh_token_rotation": refresh_token_rotation,
        "rotation_grace_seconds": rotation_grace,
        "access_token_format": access_token_format,
    }
    changes = {key: value for key, value in given.items() if value is not None}
    changes.update(_validities(access_token_validity, id_token_validity, refresh_token_validity))

    async def action(store: IdpStore, found_pool: UserPool) -> AppClient:
        found = await store.clients.resolve(found_pool.id, client)
        settings = replace(settings_of(found), **changes)  # type: ignore[arg-type]
        return await store.clients.update(found.client_id, settings, name=name)

    _print_client(run_in_pool(ctx, pool, action), json_output)


@app.command("list")
def client_list(ctx: typer.Context, pool: str = POOL, json_output: bool = JSON) -> None:
    """List the pool's app clients (ListUserPoolClients: ids and names, no secrets)."""
    clients = run_in_pool(ctx, pool, lambda s, p: s.clients.all(p.id))
    if json_output:
        print_json([_client_summary(c) for c in clients])
        return
    rows = [
        (c.client_id, c.name, c.has_secret, c.allowed_oauth_flows, c.created_at) for c in clients
    ]
    print_table("app clients", ("client id", "name", "secret", "OAuth flows", "created"), rows)


@app.command("describe")
def client_describe(
    ctx: typer.Context,
    client: str = typer.Argument(..., help="Client id or name."),
    pool: str = POOL,
    json_output: bool = JSON,
) -> None:
    """Show one app client with its secret (DescribeUserPoolClient)."""
    found = run_in_pool(ctx, pool, lambda s, p: s.clients.resolve(p.id, client))
    _print_client(found, json_output)


@app.command("delete")
def client_delete(
    ctx: typer.Context,
    client: str = typer.Argument(..., help="Client id or name."),
    pool: str = POOL,
    json_output: bool = JSON,
) -> None:
    """Delete an app client (DeleteUserPoolClient); --json prints its ids and name."""

    async def action(store: IdpStore, found_pool: UserPool) -> AppClient:
        found = await store.clients.resolve(found_pool.id, client)
        await store.clients.delete(found.client_id)
        return found

    found = run_in_pool(ctx, pool, action)
    line = f"deleted app client {found.client_id} ({found.name})"
    print_done(json_output, _client_summary(found), line)
