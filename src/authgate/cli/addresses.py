"""Parsing of HOST:PORT listener flags shared by every command."""

from __future__ import annotations

import typer


def parse_host_port(value: str) -> tuple[str, int]:
    """Split ``HOST:PORT`` (``[::1]:PORT`` for IPv6) and reject anything else clearly."""
    host, sep, port_text = value.rpartition(":")
    if not sep or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise typer.BadParameter(f"{value!r}: expected HOST:PORT, e.g. 127.0.0.1:8000")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, int(port_text)
