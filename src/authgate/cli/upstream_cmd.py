"""`authgate upstream …`: the demo upstream services."""

from __future__ import annotations

import typer

from authgate.cli.addresses import parse_host_port

app = typer.Typer(help="Demo upstream services.", no_args_is_help=True)


@app.command("echo")
def echo(
    listen: str = typer.Option("127.0.0.1:8080", help="HOST:PORT to listen on."),
    log_level: str = typer.Option("warning", help="uvicorn log level."),
) -> None:
    """Run the echo upstream: it answers every request with what it received, as JSON."""
    import uvicorn

    from authgate.upstream.echo import create_app

    host, port = parse_host_port(listen)
    uvicorn.run(create_app(), host=host, port=port, log_level=log_level, lifespan="off")
