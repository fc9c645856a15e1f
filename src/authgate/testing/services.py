"""Decide what a test does when PostgreSQL, Redis or Chromium is missing.

Locally such a test skips with a loud reason; with ``CI=true`` it fails, because CI
installs and starts everything the suite needs.
"""

from __future__ import annotations

import os

import pytest

__all__ = ["require_service"]


def require_service(available: bool, what: str) -> None:
    """Skip (locally) or fail (CI=true) the calling test when ``what`` is not available."""
    if available:
        return
    message = f"REQUIRED COMPONENT MISSING: {what}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true makes this a failure)")
    pytest.skip(message)
