"""Why the IdP database did not open, said in one line a person can act on.

:meth:`authgate.idp.storage.store.IdpStore.open` turns every failure to reach or read the database
into :class:`DatabaseOpenError`: what failed, where (the URL, its password hidden) and why
(``connection refused``, ``database "x" does not exist``, ``… is not a SQLite database``).

A SQLite file is checked before SQLite sees it, because SQLite's own answer to a missing
directory or a directory given as the file is only "unable to open database file". Only the
default state directory ``.authgate`` is created for the file; any other missing directory
is an error, so a typo in ``--db`` never leaves a tree of new directories behind.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

__all__ = [
    "DEFAULT_STATE_DIR",
    "OPEN_ERRORS",
    "DatabaseOpenError",
    "open_failure",
    "prepare_sqlite_file",
]

DEFAULT_STATE_DIR = Path(".authgate")
# What connecting to, migrating or first reading a database raises when it cannot be used.
OPEN_ERRORS = (OSError, DBAPIError)

# SQLite's (first-line) messages, said about the file.
_SQLITE_REASONS = {
    "file is not a database": "is not a SQLite database",
    "unable to open database file": "cannot be opened",
    "attempt to write a readonly database": "is read-only",
    "database disk image is malformed": "is damaged (database disk image is malformed)",
}


class DatabaseOpenError(Exception):
    """The IdP database cannot be reached or used; ``str()`` is the whole message."""


def shown_url(url: URL) -> str:
    """``url`` as the user wrote it (no async driver name), its password hidden."""
    return url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)


def _refuse(url: URL, reason: str) -> DatabaseOpenError:
    return DatabaseOpenError(f"cannot open the IdP database {shown_url(url)}: {reason}")


def _is_default_state_dir(directory: Path) -> bool:
    return directory.absolute() == DEFAULT_STATE_DIR.absolute()


def prepare_sqlite_file(url: URL) -> None:
    """Check that ``url``'s SQLite file can be opened; create ``.authgate`` if it is its home."""
    assert url.database
    path = Path(url.database)
    directory = path.parent
    if path.is_dir():
        raise _refuse(url, f"{path} is a directory, not a SQLite database file")
    if not directory.exists():
        if not _is_default_state_dir(directory):
            raise _refuse(
                url,
                f"directory {directory} does not exist (create it first; only "
                f"{DEFAULT_STATE_DIR}/ is created automatically)",
            )
        try:
            directory.mkdir()
        except OSError as exc:
            raise _refuse(url, f"cannot create {directory}: {exc.strerror or exc}") from None
    elif not directory.is_dir():
        raise _refuse(url, f"{directory} is not a directory")
    if path.exists():
        if not os.access(path, os.R_OK | os.W_OK):
            raise _refuse(url, f"{path} cannot be read and written (permission denied)")
    elif not os.access(directory, os.W_OK | os.X_OK):
        raise _refuse(url, f"cannot create {path} (permission denied in {directory})")


def _os_reason(exc: OSError, url: URL) -> str:
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    if isinstance(exc, ConnectionRefusedError):
        return f"connection refused (is PostgreSQL running on {where}?)"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve host {url.host!r} ({exc.strerror or exc})"
    if isinstance(exc, TimeoutError):
        return f"no answer from {where} in time"
    return exc.strerror or str(exc) or type(exc).__name__


def _dbapi_reason(exc: DBAPIError, url: URL) -> str:
    text = str(exc.orig if exc.orig is not None else exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    if url.get_backend_name() == "sqlite":
        said = _SQLITE_REASONS.get(first)
        if said is not None:
            return f"{url.database} {said}"
    return first


def open_failure(exc: BaseException, url: URL) -> DatabaseOpenError:
    """The one-line :class:`DatabaseOpenError` for ``exc`` raised while opening ``url``."""
    if isinstance(exc, DBAPIError):
        reason = _dbapi_reason(exc, url)
    elif isinstance(exc, OSError):
        reason = _os_reason(exc, url)
    else:
        reason = str(exc) or type(exc).__name__
    verb = "open" if url.get_backend_name() == "sqlite" else "connect to"
    return DatabaseOpenError(f"cannot {verb} the IdP database {shown_url(url)}: {reason}")
