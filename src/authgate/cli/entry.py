"""Console-script entry point of ``authgate``.

The root group imports each subcommand when it runs (:mod:`authgate.cli.lazy_group`), so the
long-running ``authgate gateway`` supervisor, ``authgate config validate`` and ``--help`` start
without SQLAlchemy, Alembic and the IdP (``tests/cli/test_entry_point.py``).
"""

from __future__ import annotations

__all__ = ["main"]


def main() -> None:
    """Run ``authgate``."""
    from authgate.cli.app import main as app_main

    app_main()
