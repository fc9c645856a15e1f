"""Root of the `authgate` command line; each command group lives in its own module."""

from __future__ import annotations

import typer

from authgate import __version__
from authgate.cli import config_cmd, gateway_cmd, idp_cmd, up_cmd, upstream_cmd
from authgate.cli.help_format import HelpGroup

app = typer.Typer(
    cls=HelpGroup,
    name="authgate",
    help="An API gateway with OpenID Connect built in, and an embedded identity provider.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(upstream_cmd.app, name="upstream")
app.add_typer(config_cmd.app, name="config")
app.add_typer(idp_cmd.app, name="idp")
app.command("gateway")(gateway_cmd.gateway)
app.command("up")(up_cmd.up)


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
