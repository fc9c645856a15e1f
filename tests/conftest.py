"""Shared fixtures: real services on loopback, skipped loudly when absent (failed when CI=true)."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator

import pytest

from authgate.testing import ServerProcess, free_port, require_service

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"
CHROMIUM = "/usr/bin/chromium"


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """URL of the local PostgreSQL's `test` database."""
    require_service(_listening("127.0.0.1", 5432), "PostgreSQL on 127.0.0.1:5432")
    return POSTGRES_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of the local Redis."""
    require_service(_listening("127.0.0.1", 6379), "Redis on 127.0.0.1:6379")
    return REDIS_URL


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of Debian's chromium for Playwright."""
    found = shutil.which("chromium") or (CHROMIUM if os.path.exists(CHROMIUM) else None)
    require_service(found is not None, "Debian's chromium (apt-get install chromium)")
    assert found is not None
    return found


@pytest.fixture(scope="session")
def echo_port() -> Iterator[int]:
    """A real echo upstream process shared by the whole session."""
    port = free_port()
    with ServerProcess(["upstream", "echo", "--listen", f"127.0.0.1:{port}"], wait_port=port):
        yield port


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
