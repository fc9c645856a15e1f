"""Kong vault references: a string ``{vault://env/NAME}`` is replaced by an environment variable.

As in Kong's env vault, ``NAME`` is upper-cased and ``-`` becomes ``_``
(``{vault://env/client-secret}`` reads ``CLIENT_SECRET``); ``{vault://env/NAME/KEY}`` reads
the variable as a JSON object and takes its ``KEY``. Only whole-string references are
resolved, like Kong. Resolved values never appear in messages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from authgate.config.issues import ConfigIssue

__all__ = ["MAX_VALUES", "resolve_references"]

# A YAML alias bomb expands to billions of values; refuse documents past this size.
MAX_VALUES = 200_000

_REFERENCE = re.compile(r"\{vault://([^/}]+)/([^}]*)\}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


class _TooLarge(Exception):
    pass


def resolve_references(
    data: object, environ: Mapping[str, str]
) -> tuple[object, list[ConfigIssue]]:
    """A copy of ``data`` with every vault reference replaced, and the issues found."""
    issues: list[ConfigIssue] = []
    budget = [MAX_VALUES]
    try:
        resolved = _walk(data, "", environ, issues, budget)
    except _TooLarge:
        message = f"document too large: more than {MAX_VALUES} values (check YAML aliases)"
        return data, [ConfigIssue("", message)]
    return resolved, issues


def _walk(
    value: object,
    path: str,
    environ: Mapping[str, str],
    issues: list[ConfigIssue],
    budget: list[int],
) -> object:
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge
    if isinstance(value, dict):
        return {
            key: _walk(item, f"{path}.{key}" if path else str(key), environ, issues, budget)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [
            _walk(item, f"{path}[{index}]", environ, issues, budget)
            for index, item in enumerate(value)
        ]
    if isinstance(value, str) and value.startswith("{vault://"):
        return _resolve(value, path, environ, issues)
    return value


def _resolve(value: str, path: str, environ: Mapping[str, str], issues: list[ConfigIssue]) -> str:
    match = _REFERENCE.fullmatch(value)
    if match is None:
        issues.append(
            ConfigIssue(path, f"invalid vault reference {value}; use {{vault://env/NAME}}")
        )
        return value
    vault, rest = match.groups()
    if vault != "env":
        issues.append(
            ConfigIssue(path, f'unknown vault "{vault}": only {{vault://env/NAME}} is supported')
        )
        return value
    name, _, key = rest.partition("/")
    if not _ENV_NAME.fullmatch(name):
        issues.append(ConfigIssue(path, f'invalid environment variable name "{name}"'))
        return value
    variable = name.upper().replace("-", "_")
    found = environ.get(variable)
    if found is None:
        issues.append(
            ConfigIssue(path, f"environment variable {variable} is not set (from {value})")
        )
        return value
    if not key:
        return found
    return _json_key(found, key, variable, path, issues)


def _json_key(found: str, key: str, variable: str, path: str, issues: list[ConfigIssue]) -> str:
    try:
        document = json.loads(found)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        issues.append(ConfigIssue(path, f"environment variable {variable} is not a JSON object"))
        return found
    item = document.get(key)
    if not isinstance(item, str):
        issues.append(ConfigIssue(path, f'environment variable {variable} has no string "{key}"'))
        return found
    return item
