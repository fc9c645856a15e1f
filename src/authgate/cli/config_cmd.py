"""`authgate config …`: check declarative config files without starting anything."""

from __future__ import annotations

from collections.abc import Sized
from pathlib import Path
from typing import Annotated

import typer

from authgate.cli.help_format import HelpGroup

app = typer.Typer(
    cls=HelpGroup, help="Declarative configuration (Kong 3.x format).", no_args_is_help=True
)


@app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="The YAML or JSON config file to check.")],
) -> None:
    """Check FILE, plugin configs included; print every problem and exit 1 if there is any."""
    from authgate.config import ConfigError, load_config_file
    from authgate.plugins.registry import plugin_schemas

    try:
        config = load_config_file(file, plugin_schemas())
    except ConfigError as exc:
        count = len(exc.issues)
        typer.echo(str(exc), err=True)
        typer.echo(f"{file}: {count} problem{'s' if count != 1 else ''} found", err=True)
        raise typer.Exit(1) from None
    counts = [
        _count(config.services, "service"),
        _count(config.routes, "route"),
        _count(config.consumers, "consumer"),
        _count(config.plugins, "plugin"),
    ]
    if config.upstreams:
        counts.append(_count(config.upstreams, "upstream"))
        counts.append(_count(config.targets, "target"))
    typer.echo("OK: " + ", ".join(counts))


def _count(items: Sized, noun: str) -> str:
    return f"{len(items)} {noun}{'s' if len(items) != 1 else ''}"
