"""Screenshots the browser tests take: checked on every run, written to docs/img/ on demand.

The README and docs show pictures the tests produce. Writing them on every run would dirty
the working tree (the pages carry fresh tokens and times), so a test run saves them under a
temporary directory and checks they are real PNG images; ``make screenshots`` (which sets
``AUTHGATE_WRITE_SCREENSHOTS=1``) writes them to ``docs/img/``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

__all__ = ["DOCS_IMG", "ENV_WRITE", "save_screenshot"]

ENV_WRITE = "AUTHGATE_WRITE_SCREENSHOTS"
DOCS_IMG = Path(__file__).resolve().parents[3] / "docs" / "img"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class _Page(Protocol):
    def screenshot(self, *, path: str) -> bytes: ...


def save_screenshot(page: _Page, name: str) -> Path:
    """Screenshot ``page`` as ``name`` (``docs/img/`` when asked to, else a temp dir)."""
    if os.environ.get(ENV_WRITE) == "1":
        folder = DOCS_IMG
    else:
        folder = Path(tempfile.gettempdir()) / "authgate-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    page.screenshot(path=str(target))
    data = target.read_bytes()
    if not data.startswith(_PNG_SIGNATURE) or len(data) < 1024:
        raise AssertionError(f"{target} is not a PNG screenshot ({len(data)} bytes)")
    return target
