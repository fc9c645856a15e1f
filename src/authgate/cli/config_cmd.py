"""`authgate config …`: check declarative config files without starting anything."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from authgate.cli.help_format import HelpGroup
from authgate.cli.plural import plural

app = typer.Typer(
    cls=HelpGroup, help="Declarative configuration (Kong 3.x format).", no_args_is_help=True
)


@app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="The YAML or JSON config file to check.")],
) -> None:
    """Check FILE, plugin configs included; print every problem and exit 1 if there is any."""
    from authgate.config import ConfigError, load_gateway_config
    from authgate.plugins.registry import plugin_schemas

    try:
        config = load_gateway_config(file, plugin_schemas())
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        typer.echo(f"{file}: {plural(len(exc.issues), 'problem')} found", err=True)
        raise typer.Exit(1) from None
    counts = [
        plural(len(config.services), "service"),
        plural(len(config.routes), "route"),
        plural(len(config.consumers), "consumer"),
        plural(len(config.plugins), "plugin"),
    ]
    if config.upstreams:
        counts.append(plural(len(config.upstreams), "upstream"))
        counts.append(plural(len(config.targets), "target"))
    typer.echo("OK: " + ", ".join(counts))
