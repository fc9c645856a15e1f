"""One gateway (2 workers) with a few entities of every kind, shared by the admin API tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from admin_configs import admin_config

from authgate.testing.gateway import Gateway, start_gateway


@pytest.fixture(scope="module")
def admin_gateway(tmp_path_factory: pytest.TempPathFactory, echo_port: int) -> Iterator[Gateway]:
    """A running gateway with :func:`admin_config`."""
    config = tmp_path_factory.mktemp("admin") / "kong.yaml"
    config.write_text(admin_config(echo_port))
    gateway = start_gateway(config, workers=2)
    yield gateway
    gateway.stop()
