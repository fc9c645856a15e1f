"""`authgate idp serve`: run the IdP's OpenID Provider endpoints with uvicorn."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from authgate.cli.addresses import LogLevel, ensure_can_listen, parse_host_port
from authgate.cli.idp_secret import cli_key_secret
from authgate.idp.storage.db import DB_URL_FORMS, ENV_DB_URL

__all__ = ["default_public_url", "serve"]

_ANY_HOST = {"0.0.0.0", "::", ""}


def default_public_url(host: str, port: int) -> str:
    """The base URL browsers and RPs use when ``--public-url`` is not given."""
    if host in _ANY_HOST:
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


async def _serve(
    host: str, port: int, db: str | None, public_url: str, log_level: str, purge_interval: float
) -> None:
    import uvicorn

    from authgate.idp.protocol.settings import IdpSettings
    from authgate.idp.storage.store import IdpStore
    from authgate.idp.web.app import create_app

    store = await IdpStore.open(db, key_secret=cli_key_secret(db))
    try:
        app = create_app(store, IdpSettings(public_url=public_url, purge_interval=purge_interval))
        config = uvicorn.Config(
            app, host=host, port=port, log_level=log_level, server_header=False, access_log=True
        )
        await uvicorn.Server(config).serve()
    finally:
        await store.close()


def serve(
    ctx: typer.Context,
    listen: str = typer.Option("127.0.0.1:9000", "--listen", help="HOST:PORT to listen on."),
    db: str | None = typer.Option(
        None,
        "--db",
        envvar=ENV_DB_URL,
        help=f"The IdP database: {DB_URL_FORMS} "
        "(default: the idp group's --db, or sqlite:///.authgate/idp.db).",
    ),
    public_url: str | None = typer.Option(
        None,
        "--public-url",
        help="Base URL clients reach the IdP at; issuers are {public-url}/{pool-id} "
        "(default http://HOST:PORT).",
    ),
    log_level: Annotated[
        LogLevel, typer.Option("--log-level", help="uvicorn log level.")
    ] = LogLevel.info,
    purge_interval: float = typer.Option(
        600.0,
        "--purge-interval",
        min=0,
        help="Seconds between purges of expired codes, sessions and refresh tokens "
        "(0: only at start).",
    ),
) -> None:
    """Serve discovery, JWKS, authorize, hosted login, token, userInfo, introspect, revoke
    and logout for every user pool in the database."""
    from authgate.idp.storage.db_open import DatabaseOpenError

    host, port = parse_host_port(listen, "--listen")
    if public_url is not None and not public_url.startswith(("http://", "https://")):
        raise typer.BadParameter("must start with http:// or https://", param_hint="'--public-url'")
    group_db = ctx.obj.get("db") if isinstance(ctx.obj, dict) else None
    url = public_url or default_public_url(host, port)
    ensure_can_listen(host, port, "--listen", "authgate idp serve")
    try:
        asyncio.run(_serve(host, port, db or group_db, url, log_level.value, purge_interval))
    except DatabaseOpenError as exc:
        typer.echo(f"authgate idp serve: {exc}", err=True)
        raise typer.Exit(1) from None
    except ValueError as exc:  # a bad --db, or keys sealed with another key secret
        typer.echo(f"authgate idp serve: {exc}", err=True)
        raise typer.Exit(2) from None
