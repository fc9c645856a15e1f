"""Console-script entry point: the long-running gateway starts without the IdP's imports.

``authgate gateway`` runs for days as a supervisor; importing the whole command line would
load SQLAlchemy, Alembic and the IdP for nothing (~35 MiB of RSS). Every other command goes
through the full app in :mod:`authgate.cli.app`.
"""

from __future__ import annotations

import sys

import typer

__all__ = ["main"]


def main() -> None:
    """Run ``authgate``; ``authgate gateway`` with only the gateway's imports."""
    if sys.argv[1:2] == ["gateway"]:
        from authgate.cli.gateway_cmd import gateway
        from authgate.cli.help_format import HelpGroup

        slim = typer.Typer(cls=HelpGroup, name="authgate", add_completion=False)
        slim.command("gateway")(gateway)
        # A second command keeps typer in group mode, so the usage reads `authgate gateway`.
        slim.command("version", hidden=True)(_version)
        slim()
        return
    from authgate.cli.app import main as full_main

    full_main()


def _version() -> None:
    from authgate import __version__

    typer.echo(f"authgate {__version__}")
