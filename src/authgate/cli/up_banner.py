"""What `authgate up` tells its user once everything answers: the banner and demo.json.

Both come from one :class:`~authgate.cli.up_processes.Demo`, so a script reading
``.authgate/demo.json`` sees exactly the URLs, credentials and commands a person sees.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TextIO

import orjson

from authgate.cli.up_processes import Demo

__all__ = ["print_banner", "write_demo_json"]

# A URL longer than this (the hosted login link) is printed after the panel, unbroken.
PANEL_URL_MAX = 90


def print_banner(demo: Demo, out: TextIO) -> None:
    """The panels (URLs, workshop IdP), the curl tour and the browser steps."""
    from rich.console import Console
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    long = {name: url for name, url in demo.urls.items() if len(url) > PANEL_URL_MAX}
    for name, url in demo.urls.items():
        if name not in long:
            table.add_row(Text(name, style="bold"), Text(url))
    # Never cut a URL or secret short: wide when not a terminal, folded when it is narrow.
    width = None if out.isatty() else 200
    console = Console(file=out, highlight=False, soft_wrap=True, width=width)
    console.print(Panel(table, title="authgate is up", expand=False))
    for name, url in long.items():
        # Outside the panel, on one line: a folded URL can be neither clicked nor copied.
        console.print(f"{name}: {url}", markup=False, soft_wrap=True)
    credentials = demo.facts.get("credentials", {})
    if credentials:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for name, value in credentials.items():
            grid.add_row(Text(name, style="bold"), Text(str(value)))
        console.print(Panel(grid, title="workshop IdP", expand=False))
    console.print("[bold]Try[/bold] (paste in order; one shell):")
    for command in demo.commands:
        expect = f"  -> {command.expect}" if command.expect is not None else ""
        console.print(f"  # {command.title}{expect}", style="dim", markup=False)
        console.print(f"  {command.command}", markup=False)
    for line in demo.curl:
        console.print(f"  {line}", markup=False)
    if demo.browser:
        console.print("[bold]In a browser:[/bold]")
        for line in demo.browser:
            console.print(f"  {line}", markup=False)
    logs, facts = demo.facts["logs"], demo.facts["demo_json"]
    console.print(f"Logs: {logs}/  Facts for scripts: {facts}", markup=False)
    console.print("Ctrl-C stops everything.")


def write_demo_json(demo: Demo, path: Path) -> None:
    """The banner's facts for scripts; 0600 because it holds the demo's secrets."""
    payload = {
        **demo.facts,
        "urls": demo.urls,
        "commands": [c.as_json() for c in demo.commands],
        "curl": [c.command for c in demo.commands] + demo.curl,
        "browser": demo.browser,
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(orjson.dumps(payload, option=orjson.OPT_INDENT_2))
    os.chmod(path, 0o600)
