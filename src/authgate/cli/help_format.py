"""How every ``--help`` of the command line reads.

Recent Typer prints a type next to every option, flags included: ``--json <bool>`` reads as
if the flag took a value, and it writes arguments as ``{name}``. :class:`HelpGroup`, the
group class of every ``authgate`` command group, clears the type of flags (``--json``,
``--yes``, ``--help``) and names arguments the usual way (``NAME``), in its own help and in
that of each command it hands out; options that take a value keep their type.
"""

from __future__ import annotations

from typing import Any

import typer.core

__all__ = ["HelpGroup"]


def _tidy(command: Any, ctx: Any) -> None:
    """Flags get an empty metavar (Typer then shows no type), arguments an upper-case one."""
    for param in command.get_params(ctx):
        if param.metavar is not None:
            continue
        if getattr(param, "is_flag", False):
            param.metavar = ""
        elif param.param_type_name == "argument" and param.name:
            param.metavar = param.name.upper()


class HelpGroup(typer.core.TyperGroup):
    """A Typer group whose help, and its commands' help, reads as above."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _tidy(self, ctx)
        super().format_help(ctx, formatter)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _tidy(command, ctx)
        return command
