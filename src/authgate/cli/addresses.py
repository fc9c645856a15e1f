"""Listener flags shared by every command: HOST:PORT parsing, a bind check, log levels."""

from __future__ import annotations

import enum
import socket

import typer

__all__ = ["LogLevel", "ensure_can_listen", "parse_host_port"]


class LogLevel(enum.StrEnum):
    """uvicorn's log levels, so a typo is refused with the list instead of a traceback."""

    critical = "critical"
    error = "error"
    warning = "warning"
    info = "info"
    debug = "debug"
    trace = "trace"


def parse_host_port(value: str, flag: str | None = None) -> tuple[str, int]:
    """Split ``HOST:PORT`` (``[::1]:PORT`` for IPv6) and reject anything else clearly.

    ``flag`` (``--listen``) is named in the error when given.
    """
    host, sep, port_text = value.rpartition(":")
    if not sep or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise typer.BadParameter(
            f"{value!r}: expected HOST:PORT, e.g. 127.0.0.1:8000",
            param_hint=f"'{flag}'" if flag else None,
        )
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, int(port_text)


def ensure_can_listen(host: str, port: int, flag: str, command: str) -> None:
    """Exit 1 with one line when ``host:port`` cannot be listened on (busy, not ours, …).

    Checked before a server starts, so a busy port is not a uvicorn log line and exit code 3.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            # As the server will: a port left in TIME_WAIT by an earlier run is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        typer.echo(
            f"{command}: cannot listen on {host}:{port} ({reason}); "
            f"choose another address with {flag} HOST:PORT",
            err=True,
        )
        raise typer.Exit(1) from None
