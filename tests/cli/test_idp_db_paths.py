"""Where `authgate idp --db …` puts the SQLite file: plain paths work, only .authgate/ is made."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def _idp(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTHGATE_")}
    return subprocess.run(
        [sys.executable, "-m", "authgate", "idp", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip


def _pools(db: Path) -> list[str]:
    with sqlite3.connect(db) as connection:
        return [row[0] for row in connection.execute("SELECT name FROM user_pools")]


@pytest.mark.parametrize("given", ["data/idp.db", "./data/idp.db", "sqlite:///data/idp.db"])
def test_a_plain_path_is_a_sqlite_file(tmp_path: Path, given: str) -> None:
    (tmp_path / "data").mkdir()
    made = _idp(tmp_path, "--db", given, "pool", "create", "demo")
    assert made.returncode == 0, made.stderr
    assert _pools(tmp_path / "data" / "idp.db") == ["demo"]
    listed = _idp(tmp_path, "--db", given, "pool", "list", "--json")
    assert '"name": "demo"' in listed.stdout


def test_an_absolute_path_is_a_sqlite_file(tmp_path: Path) -> None:
    db = tmp_path / "idp.db"
    made = _idp(tmp_path / "..", "--db", str(db), "pool", "create", "demo")
    assert made.returncode == 0, made.stderr
    assert _pools(db) == ["demo"]


def test_the_default_state_dir_is_the_one_directory_created(tmp_path: Path) -> None:
    made = _idp(tmp_path, "pool", "create", "demo")
    assert made.returncode == 0, made.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".authgate"]
    assert _pools(tmp_path / ".authgate" / "idp.db") == ["demo"]


def test_a_missing_directory_is_named_and_not_created(tmp_path: Path) -> None:
    done = _idp(tmp_path, "--db", "sqlite:///some/missing/dir/idp.db", "pool", "list")
    assert done.returncode == 1
    assert "directory some/missing/dir does not exist" in done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and writes every file")
def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    db = tmp_path / "idp.db"
    assert _idp(tmp_path, "--db", str(db), "pool", "list").returncode == 0
    db.chmod(0)
    done = _idp(tmp_path, "--db", str(db), "pool", "list")
    assert done.returncode == 1
    assert f"{db} cannot be read and written (permission denied)" in done.stderr
    assert "Traceback" not in done.stderr
