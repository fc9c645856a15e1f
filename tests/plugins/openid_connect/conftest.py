"""Fixtures shared by the openid-connect tests: one real embedded IdP per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from authgate.testing.clock import FakeClock
from idp.oidc_harness import IdpServer, Seeded, seed


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdpServer]:
    """A real embedded IdP on loopback (SQLite) for one test module."""
    server = IdpServer(f"sqlite:///{tmp_path_factory.mktemp('idp') / 'idp.db'}").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def pool(idp: IdpServer) -> Seeded:
    """The IdP seeded with one pool, its client and a user."""
    return seed(idp)


@pytest.fixture
def clock(idp: IdpServer) -> Iterator[FakeClock]:
    """The IdP's fake clock (shared with the gateway), set back after the test."""
    start = idp.clock.now()
    yield idp.clock
    idp.clock.set(start)
