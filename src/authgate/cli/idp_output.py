"""Shared plumbing of the `authgate idp …` commands: the store, errors, tables and JSON.

Everything printed here is literal text: values and error messages are never read as Rich
markup (a Cognito message quoting ``[code, implicit]`` or a regular expression keeps its
brackets).
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import json
import re
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy.exc import DBAPIError

from authgate.cli.idp_secret import cli_key_secret
from authgate.idp.domain.cognito_errors import CognitoError
from authgate.idp.domain.records import UserPool
from authgate.idp.storage.db_open import DatabaseOpenError
from authgate.idp.storage.store import IdpStore

__all__ = [
    "FAILURE",
    "JSON",
    "LIST_HELP",
    "POOL",
    "USAGE_ERROR",
    "fail",
    "parse_duration",
    "print_done",
    "print_json",
    "print_record",
    "print_table",
    "run",
    "run_in_pool",
    "split_list",
    "split_lists",
    "to_json_object",
    "to_jsonable",
]

T = TypeVar("T")
USAGE_ERROR = 2
FAILURE = 1  # the input was fine, the database or a file was not
_DURATION = re.compile(r"(\d+)\s*([smhd]?)")
_LIST_SEPARATORS = re.compile(r"[\s,]+")
LIST_HELP = "separated by commas or spaces"
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}

# Options every `authgate idp …` command module shares.
JSON = typer.Option(False, "--json", help="Print JSON (for scripts) instead of text.")
POOL = typer.Option(..., "--pool", help="Pool id or name.")

console = Console()
error_console = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = USAGE_ERROR) -> NoReturn:
    """Print ``message`` literally to stderr and exit with ``code`` (default: usage error, 2)."""
    error_console.print(Text.assemble(("error:", "bold red"), " ", message), highlight=False)
    raise typer.Exit(code)


def run(ctx: typer.Context, action: Callable[[IdpStore], Awaitable[T]]) -> T:
    """Open the store named by ``--db`` and run ``action``; every failure is one line.

    Exit 2 for what the user typed (Cognito's errors, a bad URL), 1 for a database that
    cannot be reached or read and for files that cannot be written.
    """
    url: str | None = (ctx.obj or {}).get("db")

    async def _main() -> T:
        store = await IdpStore.open(url, key_secret=cli_key_secret(url), verify_sealed=False)
        try:
            return await action(store)
        finally:
            await store.close()

    try:
        return asyncio.run(_main())
    except CognitoError as exc:
        fail(f"{exc.type_name}: {exc.message}")
    except DatabaseOpenError as exc:
        fail(str(exc), FAILURE)
    except ValueError as exc:
        fail(str(exc))
    except DBAPIError as exc:  # the database went away after it opened
        reason = str(exc.orig or exc).strip().splitlines() or [type(exc).__name__]
        fail(f"IdP database error: {reason[0]}", FAILURE)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        fail(f"{where}{exc.strerror or exc}", FAILURE)


def run_in_pool(
    ctx: typer.Context, pool: str, action: Callable[[IdpStore, UserPool], Awaitable[T]]
) -> T:
    """`run` ``action`` with the user pool that ``--pool`` names (id or name)."""

    async def in_pool(store: IdpStore) -> T:
        return await action(store, await store.pools.resolve(pool))

    return run(ctx, in_pool)


def split_list(value: str | None) -> tuple[str, ...] | None:
    """``"a,b c"``, ``"a, b"`` or ``"a b"`` -> ``("a", "b", …)``; None stays None (the default).

    The one parser of every list option: people type ``--scopes "email openid"`` (as in an
    OAuth ``scope`` parameter) as often as ``--scopes email,openid`` (as in the Cognito
    console). No scope, flow or attribute name holds either separator; a URL that holds a
    comma is written with ``%2C``.
    """
    if value is None:
        return None
    return tuple(item for item in _LIST_SEPARATORS.split(value) if item)


def split_lists(values: Sequence[str] | None) -> tuple[str, ...] | None:
    """`split_list` of a repeatable option: ``--callback-url A --callback-url "B,C"``."""
    if not values:
        return None
    return tuple(item for value in values for item in split_list(value) or ())


def parse_duration(value: str | None, option: str) -> tuple[int, str | None] | None:
    """``30d`` -> (30, "days"); a bare number keeps Cognito's default unit."""
    if value is None:
        return None
    match = _DURATION.fullmatch(value.strip())
    if match is None:
        fail(
            f"{option}: expected a number with an optional unit s, m, h or d (e.g. 30d), "
            f"got {value!r}"
        )
    number, unit = match.groups()
    return int(number), _UNITS.get(unit) if unit else None


def to_jsonable(value: Any) -> Any:
    """Records, enums and datetimes as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        result = {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return result
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def to_json_object(record: object) -> dict[str, object]:
    """One record as a JSON object (`to_jsonable` of a dataclass instance)."""
    result = to_jsonable(record)
    assert isinstance(result, dict)
    return result


def print_json(value: Any) -> None:
    """Write ``value`` as indented JSON to stdout (no colour, for scripts)."""
    sys.stdout.write(json.dumps(to_jsonable(value), indent=2, sort_keys=True) + "\n")


def print_done(json_output: bool, value: Any, line: str) -> None:
    """What a command made or changed: ``value`` as JSON with ``--json``, else ``line``."""
    if json_output:
        print_json(value)
    else:
        sys.stdout.write(line + "\n")


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value) or "-"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items()) or "-"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")
    return str(value)


def print_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A rich table with one row per item."""
    table = Table(title=Text(title), title_justify="left")
    for column in columns:
        table.add_column(Text(column), overflow="fold")
    for row in rows:
        table.add_row(*(Text(_cell(v)) for v in row))
    console.print(table)


def print_record(title: str, fields: Sequence[tuple[str, Any]]) -> None:
    """A two-column rich table describing one item."""
    print_table(title, ("field", "value"), fields)
