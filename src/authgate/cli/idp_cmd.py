"""`authgate idp …`: manage the embedded IdP the way the Cognito console does (pools, clients, …).

Every command takes the database from the group option ``--db`` (default:
``$AUTHGATE_IDP_DB`` or ``sqlite:///.authgate/idp.db``); every command but ``serve`` takes
``--json``. Invalid input exits with code 2 and Cognito's wording; a database that cannot be
reached or read exits with code 1, saying which and why.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import typer

from authgate.cli import idp_client_cmd, idp_group_cmd, idp_resource_cmd, idp_serve, idp_user_cmd
from authgate.cli.help_format import HelpGroup
from authgate.cli.idp_output import (
    JSON,
    LIST_HELP,
    POOL,
    fail,
    parse_duration,
    print_done,
    print_json,
    print_record,
    print_table,
    run,
    run_in_pool,
    split_list,
    to_json_object,
)
from authgate.cli.idp_secret import SECRET_HELP
from authgate.idp.domain.ids import DEFAULT_REGION
from authgate.idp.domain.passwords import PasswordPolicy
from authgate.idp.domain.records import Domain, SigningKey, UserPool
from authgate.idp.storage.db import DB_URL_FORMS, ENV_DB_URL
from authgate.idp.storage.store import IdpStore

app = typer.Typer(
    cls=HelpGroup,
    help="The embedded identity provider (Cognito-style user pools). " + SECRET_HELP,
    no_args_is_help=True,
)
pool_app = typer.Typer(cls=HelpGroup, help="User pools.", no_args_is_help=True)
domain_app = typer.Typer(cls=HelpGroup, help="Hosted-UI domain prefixes.", no_args_is_help=True)
keys_app = typer.Typer(cls=HelpGroup, help="Signing keys and their rotation.", no_args_is_help=True)
app.add_typer(pool_app, name="pool")
app.add_typer(idp_client_cmd.app, name="client")
app.add_typer(domain_app, name="domain")
app.add_typer(idp_user_cmd.user_app, name="user")
app.add_typer(idp_group_cmd.app, name="group")
app.add_typer(idp_resource_cmd.app, name="resource-server")
app.add_typer(keys_app, name="keys")
app.command("serve")(idp_serve.serve)


@app.callback()
def _idp(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None,
        "--db",
        envvar=ENV_DB_URL,
        help=f"The IdP database: {DB_URL_FORMS}. Default sqlite:///.authgate/idp.db "
        "(.authgate/ is created; any other directory must exist).",
    ),
) -> None:
    """Manage user pools, app clients, domains, users, groups, resource servers and keys.

    Sealed signing keys open with $AUTHGATE_IDP_KEY_SECRET or, when it is unset, with the
    idp-key-secret file authgate up keeps in .authgate/ (next to the SQLite database).
    """
    ctx.obj = {"db": db}


def _pool_fields(pool: UserPool, domain: Domain | None) -> list[tuple[str, object]]:
    policy = pool.password_policy
    return [
        ("id", pool.id),
        ("name", pool.name),
        ("region", pool.region),
        ("username attributes", pool.username_attributes),
        ("required attributes", pool.required_attributes),
        ("custom attributes", [c.claim for c in pool.custom_attributes]),
        (
            "password policy",
            f"min {policy.minimum_length}, upper={policy.require_uppercase}, "
            f"lower={policy.require_lowercase}, numbers={policy.require_numbers}, "
            f"symbols={policy.require_symbols}, temporary valid "
            f"{policy.temporary_password_validity_days} d",
        ),
        ("domain", domain.prefix if domain else None),
        ("created", pool.created_at),
    ]


@pool_app.command("create")
def pool_create(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Pool name (unique in this IdP)."),
    username_attributes: str | None = typer.Option(
        None,
        "--username-attributes",
        help="Sign in with this instead of a username: email.",
    ),
    required: str | None = typer.Option(
        None, "--required", help=f"Required standard attributes, {LIST_HELP}."
    ),
    custom: str | None = typer.Option(
        None, "--custom", help=f"Custom attributes (custom:NAME), {LIST_HELP}."
    ),
    region: str = typer.Option(DEFAULT_REGION, "--region", help="Region part of the pool id."),
    min_length: int = typer.Option(8, "--min-length", help="Password minimum length (6-99)."),
    symbols: bool = typer.Option(
        True, "--symbols/--no-symbols", help="Whether passwords must contain a symbol."
    ),
    json_output: bool = JSON,
) -> None:
    """Create a user pool (CreateUserPool)."""

    async def action(store: IdpStore) -> UserPool:
        policy = PasswordPolicy(minimum_length=min_length, require_symbols=symbols)
        return await store.pools.create(
            name,
            username_attributes=split_list(username_attributes) or (),
            required_attributes=split_list(required) or (),
            custom_attributes=split_list(custom) or (),
            password_policy=policy,
            region=region,
        )

    pool = run(ctx, action)
    if json_output:
        print_json(pool)
    else:
        print_record(f"user pool {pool.name}", _pool_fields(pool, None))


@pool_app.command("list")
def pool_list(ctx: typer.Context, json_output: bool = JSON) -> None:
    """List user pools."""
    pools = run(ctx, lambda store: store.pools.all())
    if json_output:
        print_json(pools)
        return
    rows = [
        (p.id, p.name, p.username_attributes, p.required_attributes, p.created_at) for p in pools
    ]
    print_table("user pools", ("id", "name", "username attributes", "required", "created"), rows)


@pool_app.command("describe")
def pool_describe(
    ctx: typer.Context,
    pool: str = typer.Argument(..., help="Pool id or name."),
    json_output: bool = JSON,
) -> None:
    """Show one user pool (DescribeUserPool)."""

    async def action(store: IdpStore) -> tuple[UserPool, Domain | None]:
        found = await store.pools.resolve(pool)
        return found, await store.pools.domain_of(found.id)

    found, domain = run(ctx, action)
    if json_output:
        print_json({**to_json_object(found), "domain": domain.prefix if domain else None})
    else:
        print_record(f"user pool {found.name}", _pool_fields(found, domain))


@pool_app.command("delete")
def pool_delete(
    ctx: typer.Context,
    pool: str = typer.Argument(..., help="Pool id or name."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    json_output: bool = JSON,
) -> None:
    """Delete a user pool and everything in it (DeleteUserPool); --json prints the pool."""
    if not yes:
        typer.confirm(f"Delete user pool {pool} with all its clients, users and keys?", abort=True)

    async def action(store: IdpStore) -> UserPool:
        found = await store.pools.resolve(pool)
        await store.pools.delete(found.id)
        return found

    found = run(ctx, action)
    print_done(json_output, found, f"deleted user pool {found.id} ({found.name})")


@domain_app.command("create")
def domain_create(
    ctx: typer.Context,
    prefix: str = typer.Argument(..., help="Domain prefix, e.g. kongidp."),
    pool: str = POOL,
    json_output: bool = JSON,
) -> None:
    """Give a pool its hosted-UI domain prefix (CreateUserPoolDomain)."""
    domain = run_in_pool(ctx, pool, lambda s, p: s.pools.create_domain(p.id, prefix))
    print_done(json_output, domain, f"domain {domain.prefix} -> user pool {domain.pool_id}")


@domain_app.command("describe")
def domain_describe(
    ctx: typer.Context, prefix: str = typer.Argument(...), json_output: bool = JSON
) -> None:
    """Show which pool a domain prefix belongs to (DescribeUserPoolDomain)."""
    domain = run(ctx, lambda store: store.pools.get_domain(prefix))
    if json_output:
        print_json(domain)
    else:
        print_record(f"domain {prefix}", [("prefix", domain.prefix), ("pool", domain.pool_id)])


@domain_app.command("delete")
def domain_delete(
    ctx: typer.Context, prefix: str = typer.Argument(...), json_output: bool = JSON
) -> None:
    """Remove a domain prefix (DeleteUserPoolDomain); --json prints the removed domain."""

    async def action(store: IdpStore) -> Domain:
        domain = await store.pools.get_domain(prefix)
        await store.pools.delete_domain(prefix)
        return domain

    domain = run(ctx, action)
    print_done(json_output, domain, f"deleted domain {domain.prefix}")


_KEY_COLUMNS = ("kid", "use", "state", "active from", "superseded", "published until")


def _print_keys(title: str, keys: list[SigningKey], json_output: bool) -> None:
    """Keys as a table, or as JSON with the public JWK and never the private one."""
    if json_output:
        print_json(
            [{**to_json_object(k), "private_jwk": None, "public_jwk": k.public_jwk} for k in keys]
        )
        return
    rows = [
        (k.kid, k.use, k.state, k.activates_at, k.superseded_at, k.published_until) for k in keys
    ]
    print_table(title, _KEY_COLUMNS, rows)


@keys_app.command("list")
def keys_list(
    ctx: typer.Context,
    pool: str = POOL,
    json_output: bool = JSON,
) -> None:
    """List the pool's signing keys and where they are in rotation."""
    _print_keys("signing keys", run_in_pool(ctx, pool, lambda s, p: s.keys.all(p.id)), json_output)


@keys_app.command("rotate")
def keys_rotate(
    ctx: typer.Context,
    pool: str = POOL,
    publish_delay: str = typer.Option(
        "5m", help="How long the new keys are published before they sign (e.g. 0, 30s, 5m)."
    ),
    json_output: bool = JSON,
) -> None:
    """Add new ID and access keys: published now, used after the delay; old keys stay
    published until their tokens have expired (1 day), then they are dropped."""
    parsed = parse_duration(publish_delay, "--publish-delay")
    assert parsed is not None
    delay = timedelta(**{parsed[1] or "seconds": parsed[0]})
    if delay > timedelta(days=1):
        fail("--publish-delay: at most 1 day")
    keys = run_in_pool(ctx, pool, lambda s, p: s.keys.rotate(p.id, publish_delay=delay))
    _print_keys("new signing keys", keys, json_output)


SPEC = typer.Option(Path("examples/workshop/idp.yaml"), "--spec", help="Workshop spec (YAML).")
STATE_DIR = typer.Option(Path(".authgate"), help="Where the generated demo password is kept.")


@app.command("seed")
def seed(
    ctx: typer.Context,
    spec: Path = SPEC,
    gateway_url: str = typer.Option(
        "http://127.0.0.1:8000", help="Gateway URL, for the callback and logout URLs."
    ),
    state_dir: Path = STATE_DIR,
    json_output: bool = JSON,
) -> None:
    """Create the workshop's pool, client, domain and demo user if missing (idempotent)."""
    from authgate.idp.storage.seed import seed_workshop

    if state_dir.exists() and not state_dir.is_dir():
        fail(f"--state-dir {state_dir} is not a directory")
    if not gateway_url.startswith(("http://", "https://")):
        fail(f"--gateway-url must start with http:// or https://, got {gateway_url!r}")
    facts = run(ctx, lambda store: seed_workshop(store, spec, gateway_url, state_dir=state_dir))
    if json_output:
        print_json(facts)
        return
    user = facts["user"] or {}
    print_record(
        "workshop IdP",
        [
            ("pool", f"{facts['pool_id']} ({facts['pool_name']})"),
            ("domain", facts["domain"]),
            ("client id", facts["client_id"]),
            ("client secret", facts["client_secret"]),
            ("user", user.get("username")),
            ("password", user.get("password")),
            ("changed", facts["changed"] or "nothing"),
        ],
    )
