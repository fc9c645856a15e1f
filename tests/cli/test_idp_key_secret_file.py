"""`authgate idp …` after `authgate up`: the key secret comes from .authgate/idp-key-secret."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest


def _idp(cwd: Path, *args: str, secret: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTHGATE_")}
    if secret is not None:
        env["AUTHGATE_IDP_KEY_SECRET"] = secret
    command = [sys.executable, "-m", "authgate", "idp", *args]
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture
def sealed_state(tmp_path: Path) -> Path:
    """A state dir like `authgate up` leaves: the secret file and a pool with sealed keys."""
    state = tmp_path / ".authgate"
    state.mkdir()
    secret = secrets.token_urlsafe(48)
    (state / "idp-key-secret").write_text(secret + "\n", encoding="utf-8")
    made = _idp(tmp_path, "pool", "create", "demo", secret=secret)
    assert made.returncode == 0, made.stderr
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [("pool", "list"), ("user", "list", "--pool", "demo"), ("keys", "list", "--pool", "demo")],
)
def test_commands_work_with_the_state_dir_secret_and_no_env(
    sealed_state: Path, args: tuple[str, ...]
) -> None:
    result = _idp(sealed_state, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "encrypted" not in result.stdout + result.stderr


def test_listing_needs_no_secret_at_all(sealed_state: Path) -> None:
    (sealed_state / ".authgate" / "idp-key-secret").unlink()
    result = _idp(sealed_state, "pool", "list")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "demo" in result.stdout


def test_help_says_where_the_secret_comes_from(tmp_path: Path) -> None:
    result = _idp(tmp_path, "--help")
    assert "idp-key-secret" in result.stdout
