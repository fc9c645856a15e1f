"""Where ``authgate idp …`` finds the secret sealing the IdP's private signing keys.

``$AUTHGATE_IDP_KEY_SECRET`` when set; otherwise the ``idp-key-secret`` file that
``authgate up`` keeps in its state dir (``.authgate/idp-key-secret``, or the directory of
the SQLite database file), so the CLI works after ``make up`` with no extra environment.
"""

from __future__ import annotations

import os
from pathlib import Path

from authgate.idp.storage.db import normalize_url
from authgate.idp.storage.key_sealing import ENV_KEY_SECRET

__all__ = ["SECRET_HELP", "cli_key_secret"]

SECRET_FILE = "idp-key-secret"
DEFAULT_STATE_DIR = Path(".authgate")
SECRET_HELP = (
    f"Sealed signing keys open with ${ENV_KEY_SECRET}, or when unset with the "
    f"{SECRET_FILE} file authgate up keeps next to the database (.authgate/{SECRET_FILE})."
)


def _candidates(url: str | None) -> list[Path]:
    """The state dirs to look in: the SQLite file's directory, then ``.authgate``."""
    dirs: list[Path] = []
    try:
        parsed = normalize_url(url)
    except ValueError:
        parsed = None
    if parsed is not None and parsed.get_backend_name() == "sqlite" and parsed.database:
        dirs.append(Path(parsed.database).parent)
    dirs.append(DEFAULT_STATE_DIR)
    return dirs


def cli_key_secret(url: str | None) -> str | None:
    """The key secret for the store at ``url``: None means the environment variable's."""
    if os.environ.get(ENV_KEY_SECRET):
        return None
    for state_dir in _candidates(url):
        path = state_dir / SECRET_FILE
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError:
            continue
        if value:
            return value
    return None
