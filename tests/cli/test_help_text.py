"""Every ``--help`` reads naturally: flags without a type, no double negatives, one default."""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
import typer
import typer.core
from typer.testing import CliRunner

from authgate.cli.app import app
from authgate.cli.lazy_group import LazyGroup

runner = CliRunner()


Command = typer.core.TyperCommand | typer.core.TyperGroup
Group = typer.core.TyperGroup
ROOT = typer.main.get_command(app)


def _sub(command: Command, name: str) -> Command:
    """Subcommand ``name`` of group ``command``, imported if the group loads it lazily."""
    assert isinstance(command, Group)
    sub = command.get_command(typer.Context(command), name)
    assert sub is not None, name
    return sub


def _commands(command: Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The path of every group and command under ``command``."""
    yield path
    if isinstance(command, Group):
        for name in command.list_commands(typer.Context(command)):
            yield from _commands(_sub(command, name), (*path, name))


COMMANDS = list(_commands(ROOT))
JSON_EXEMPT = {"gateway", "up", "upstream echo", "config validate", "idp serve"}


def _help(*path: str) -> str:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) or "authgate" for p in COMMANDS])
def test_help_shows_no_type_on_flags_and_no_double_negative(path: tuple[str, ...]) -> None:
    text = _help(*path)
    assert "<bool>" not in text
    assert "--no-no-" not in text
    assert not re.search(r"\{[a-z_]+\}", text), "arguments read NAME, not {name}"


def test_pool_create_offers_symbols_as_a_pair_that_defaults_on() -> None:
    text = _help("idp", "pool", "create")
    assert re.search(r"--symbols\s+--no-symbols\s+Whether passwords must contain a symbol", text)
    assert "[default: symbols]" in text


def test_client_create_offers_token_revocation_as_a_pair_that_defaults_on() -> None:
    text = _help("idp", "client", "create")
    assert re.search(r"--token-revocation\s+--no-token-revocation", text)
    assert "[default: token-revocation]" in text


def test_every_idp_command_that_changes_something_takes_json() -> None:
    missing = []
    for path in COMMANDS:
        command = ROOT
        for name in path:
            command = _sub(command, name)
        if isinstance(command, Group) or " ".join(path) in JSON_EXEMPT:
            continue
        if not any("--json" in param.opts for param in command.params):
            missing.append(" ".join(path))
    assert missing == []


def test_gateway_help_shows_one_default_for_workers() -> None:
    """Through the console entry point's slim path, as `authgate gateway --help` runs."""
    env = {**os.environ, "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-m", "authgate", "gateway", "--help"],
        capture_output=True, text=True, timeout=60, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    row = next(line for line in done.stdout.splitlines() if "--workers" in line)
    assert row.count("default") == 1, row
    assert "the number of CPUs" in row
    assert "<bool>" not in done.stdout


def test_idp_help_says_what_forms_db_takes() -> None:
    text = " ".join(_help("idp").split())
    for form in ("a file path", "sqlite:///", "postgresql://"):
        assert form in text


def test_the_root_help_lines_of_unimported_commands_are_those_of_the_commands() -> None:
    """``authgate --help`` lists ``up`` and ``idp`` from stored lines, without importing them."""
    assert isinstance(ROOT, LazyGroup)
    for name, entry in ROOT.lazy.items():
        if entry.listed is not None:
            loaded = _sub(ROOT, name).help or ""
            assert entry.listed == inspect.cleandoc(loaded).split("\n\n")[0], name
