"""Fixtures for the lifecycle tests: gateways started as real process trees on free ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lifecycle_configs import GatewayFactory, bar_config

from authgate.testing.gateway import Gateway, start_gateway


@pytest.fixture
def gateways(tmp_path: Path, echo_port: int) -> Iterator[GatewayFactory]:
    """``gateways(workers=2, config_text=None, args=())`` starts a gateway; all stop after."""
    started: list[Gateway] = []

    def start(
        workers: int = 2, config_text: str | None = None, args: tuple[str, ...] = ()
    ) -> Gateway:
        config = tmp_path / f"kong-{len(started)}.yaml"
        config.write_text(config_text or bar_config(echo_port))
        gateway = start_gateway(config, workers=workers, args=args)
        started.append(gateway)
        return gateway

    yield start
    for gateway in started:
        gateway.stop()
