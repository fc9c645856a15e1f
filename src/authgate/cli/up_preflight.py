"""What `authgate up` checks before it starts anything, so a mistake costs one clear line.

- Every listen address: two flags naming the same port, or a port another program holds,
  is refused naming the address and the flag that moves it (a half-started demo whose
  banner lies is worse than no demo).
- The state directory: it must be creatable and writable.
- The IdP database URL (``--idp-db``): it must parse, and a SQLite file's directory must
  exist. Whether PostgreSQL answers is said by the IdP itself, in one line, as it starts.
- The user's ``--config``: validated as the user wrote it, so every problem names the
  user's own file (and its line, where the loader knows one), never the copy ``up``
  generates under the state directory. The ``{vault://env/AUTHGATE_*}`` references the
  workshop uses are filled with stand-ins here; the real values exist only once the IdP
  has been seeded.
"""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Mapping
from pathlib import Path

from authgate.cli.addresses import parse_host_port
from authgate.config import ConfigError
from authgate.config.loader import load_gateway_config

__all__ = [
    "ConfigPreflightError",
    "PreflightError",
    "check_config",
    "check_idp_db",
    "check_listeners",
    "make_state_dir",
]

_WILDCARDS = ("0.0.0.0", "::", "")


class PreflightError(Exception):
    """A reason not to start; ``str()`` is the whole message for the user, ``code`` the exit."""

    code = 1


class ConfigPreflightError(PreflightError):
    """The user's ``--config`` is invalid: exit 2, as with ``authgate gateway``."""

    code = 2


def _overlap(first: tuple[str, int], second: tuple[str, int]) -> bool:
    """Whether two listeners would collide (same port, same host or either a wildcard)."""
    return first[1] == second[1] and (
        first[0] == second[0] or first[0] in _WILDCARDS or second[0] in _WILDCARDS
    )


def _bind_probe(host: str, port: int) -> None:
    """Bind (and release) ``host:port`` the way a server would; OSError when it cannot."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As every server does: a port left in TIME_WAIT by an earlier run is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        probe.listen(1)


def check_listeners(listeners: Mapping[str, tuple[str, str]]) -> None:
    """Refuse the first listener that collides or cannot be bound.

    ``listeners`` maps each flag (``--listen``) to what listens there and the address
    (``("the gateway proxy", "127.0.0.1:8000")``).
    """
    seen: list[tuple[str, tuple[str, int]]] = []
    for flag, (what, address) in listeners.items():
        host_port = parse_host_port(address)
        for other_flag, other in seen:
            if _overlap(host_port, other):
                raise PreflightError(
                    f"{flag} {address} collides with {other_flag}; give {what} its own port"
                )
        seen.append((flag, host_port))
        try:
            _bind_probe(*host_port)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                reason = "is already in use by another program"
            else:
                reason = f"cannot be listened on ({exc.strerror or exc})"
            raise PreflightError(
                f"{address} {reason}: stop that program or move {what} with {flag} HOST:PORT"
            ) from None


def make_state_dir(state_dir: Path) -> Path:
    """Create ``state_dir`` and its ``logs`` folder; the logs folder."""
    logs = state_dir / "logs"
    try:
        logs.mkdir(parents=True, exist_ok=True)
        if not os.access(state_dir, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, "Permission denied", str(state_dir))
    except OSError as exc:
        where = exc.filename or state_dir
        raise PreflightError(
            f"cannot use {where} for --state-dir {state_dir}: {exc.strerror or exc}"
        ) from None
    return logs


def check_idp_db(url: str) -> None:
    """Refuse an IdP database URL that cannot work (exit 2 for the URL, 1 for the file)."""
    from authgate.idp.storage.db import normalize_url
    from authgate.idp.storage.db_open import DatabaseOpenError, prepare_sqlite_file

    try:
        parsed = normalize_url(url)
    except ValueError as exc:
        raise ConfigPreflightError(f"--idp-db: {exc}") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        try:
            prepare_sqlite_file(parsed)
        except DatabaseOpenError as exc:
            raise PreflightError(f"--idp-db: {exc}") from None


def check_config(path: Path, stand_ins: Mapping[str, str]) -> None:
    """Validate the user's gateway config; every problem names ``path``."""
    from authgate.plugins.registry import plugin_schemas

    try:
        load_gateway_config(path, plugin_schemas(), {**os.environ, **stand_ins})
    except ConfigError as exc:
        # Every line reads ``PATH:LINE:COLUMN: …`` (or ``PATH: …`` for an unreadable file).
        lines = [f"  {line}" for line in exc.report()]
        raise ConfigPreflightError(f"--config {path} is invalid:\n" + "\n".join(lines)) from None
