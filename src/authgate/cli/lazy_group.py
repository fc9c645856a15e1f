"""A command group whose subcommands are imported when run, not when the command line starts.

``authgate --help`` and ``authgate config validate`` should not pay for the IdP's imports
(SQLAlchemy, Alembic: most of a second). :class:`LazyGroup` names each subcommand by where
it lives (``"authgate.cli.idp_cmd:app"``) and imports it on first use. Listing the commands
in ``--help`` would import them too, to read their help; a subcommand marked with its
``listed`` help line is shown with that line instead, and stays unimported
(``tests/cli/test_help_text.py`` checks the line against the loaded command's).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
import typer.core
import typer.main

from authgate.cli.help_format import HelpGroup

__all__ = ["LazyCommand", "LazyGroup"]


@dataclass(frozen=True)
class LazyCommand:
    """A subcommand at ``target`` (``module:attribute``: a Typer app or a command function).

    ``listed`` is its line in the parent's ``--help``; when given, listing does not import it.
    """

    target: str
    listed: str | None = None

    def load(self, name: str) -> Any:
        """The click command of ``target``, named ``name``."""
        module, _, attribute = self.target.partition(":")
        found = getattr(importlib.import_module(module), attribute)
        if isinstance(found, typer.Typer):
            group = typer.main.get_group(found)
            group.name = name
            return group
        single = typer.Typer(add_completion=False)
        single.command(name)(found)
        return typer.main.get_command(single)


class LazyGroup(HelpGroup):
    """A :class:`HelpGroup` with subcommands listed in ``lazy`` (in their ``--help`` order)."""

    lazy: ClassVar[Mapping[str, LazyCommand]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return [*self.lazy, *(name for name in super().list_commands(ctx) if name not in self.lazy)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        entry = self.lazy.get(cmd_name)
        if entry is None or cmd_name in self.commands:
            return super().get_command(ctx, cmd_name)
        if self._listing and entry.listed is not None:
            return typer.core.TyperCommand(cmd_name, help=entry.listed)
        self.add_command(entry.load(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False
