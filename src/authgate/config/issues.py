"""Configuration problems: each one a path to the offending key and a short message.

A :class:`ConfigError` read from a file also knows the file's name and, for each problem, the
line and column of the key in question, so it can be reported the way compilers do
(``kong.yaml:12:9: services[0].port: must be between 1 and 65535``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

__all__ = ["ConfigError", "ConfigIssue", "Position", "join_path"]


class ConfigIssue(NamedTuple):
    """One problem in a configuration: ``path`` to the key (``services[0].port``) and a message."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class Position(NamedTuple):
    """Where a problem is in its file: 1-based line and column."""

    line: int
    column: int


class ConfigError(Exception):
    """A configuration was refused; ``issues`` lists every problem found, in document order.

    ``source`` names the file (or ``<string>``) once the issues have been located in it;
    ``positions[i]`` is where ``issues[i]`` is, or None when it has no place in the file
    (a YAML syntax error or an unreadable file already names its place in its path).
    """

    def __init__(
        self,
        issues: Iterable[ConfigIssue],
        source: str = "",
        positions: Sequence[Position | None] = (),
    ) -> None:
        self.issues: list[ConfigIssue] = list(issues)
        self.source = source
        self.positions: list[Position | None] = [
            positions[i] if i < len(positions) else None for i in range(len(self.issues))
        ]
        super().__init__(str(self))

    def report(self) -> list[str]:
        """One line per issue, ``FILE:LINE:COLUMN: path: message``, in the file's order."""
        located = sorted(
            zip(self.positions, self.issues, strict=True),
            key=lambda pair: pair[0] or Position(0, 0),
        )
        return [
            f"{self.source}:{where.line}:{where.column}: {issue}" if where else str(issue)
            for where, issue in located
        ]

    def __str__(self) -> str:
        return "\n".join(self.report())


def join_path(base: str, loc: Sequence[str | int]) -> str:
    """Append a pydantic location to a path: ``services[0].routes[1]``."""
    path = base
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else part
    return path
