"""`authgate upstream …`: the demo upstream services."""

from __future__ import annotations

from typing import Annotated

import typer

from authgate.cli.addresses import LogLevel, ensure_can_listen, parse_host_port
from authgate.cli.help_format import HelpGroup

app = typer.Typer(cls=HelpGroup, help="Demo upstream services.", no_args_is_help=True)


@app.command("echo")
def echo(
    listen: str = typer.Option("127.0.0.1:8080", "--listen", help="HOST:PORT to listen on."),
    log_level: Annotated[
        LogLevel, typer.Option("--log-level", help="uvicorn log level.")
    ] = LogLevel.warning,
) -> None:
    """Run the echo upstream: it answers every request with what it received, as JSON."""
    import uvicorn

    from authgate.upstream.echo import create_app

    host, port = parse_host_port(listen, "--listen")
    ensure_can_listen(host, port, "--listen", "authgate upstream echo")
    uvicorn.run(create_app(), host=host, port=port, log_level=log_level.value, lifespan="off")
