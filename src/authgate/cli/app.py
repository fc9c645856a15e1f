"""Root of the `authgate` command line; each command group lives in its own module.

Subcommands are imported when run (:class:`~authgate.cli.lazy_group.LazyGroup`): ``authgate
gateway``, ``authgate config validate`` and ``authgate --help`` never import the IdP.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import typer

from authgate import __version__
from authgate.cli.lazy_group import LazyCommand, LazyGroup


class _Root(LazyGroup):
    lazy: ClassVar[Mapping[str, LazyCommand]] = {
        "gateway": LazyCommand("authgate.cli.gateway_cmd:gateway"),
        "up": LazyCommand(
            "authgate.cli.up_cmd:up",
            "Start the workshop: IdP (seeded), echo upstream, gateway; print how to use them.",
        ),
        "upstream": LazyCommand("authgate.cli.upstream_cmd:app"),
        "config": LazyCommand("authgate.cli.config_cmd:app"),
        "idp": LazyCommand(
            "authgate.cli.idp_cmd:app",
            "The embedded identity provider (Cognito-style user pools). Sealed signing keys"
            " open with $AUTHGATE_IDP_KEY_SECRET, or when unset with the idp-key-secret file"
            " authgate up keeps next to the database (.authgate/idp-key-secret).",
        ),
    }


app = typer.Typer(
    cls=_Root,
    name="authgate",
    help="An API gateway with OpenID Connect built in, and an embedded identity provider.",
    no_args_is_help=True,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"authgate {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """authgate: gateway, openid-connect plugin and embedded IdP."""


def main() -> None:
    """Console-script entry point."""
    app()
