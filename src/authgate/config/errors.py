"""Configuration problems: each one a path to the offending key and a short message."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

__all__ = ["ConfigError", "ConfigIssue", "join_path"]


class ConfigIssue(NamedTuple):
    """One problem in a configuration: ``path`` to the key (``services[0].port``) and a message."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(Exception):
    """A configuration was refused; ``issues`` lists every problem found, in document order."""

    def __init__(self, issues: Iterable[ConfigIssue]) -> None:
        self.issues: list[ConfigIssue] = list(issues)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(issue) for issue in self.issues)


def join_path(base: str, loc: Sequence[str | int]) -> str:
    """Append a pydantic location to a path: ``services[0].routes[1]``."""
    path = base
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else part
    return path
