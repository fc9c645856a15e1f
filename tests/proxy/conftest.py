"""An in-process gateway on a real socket, in front of the real echo upstream."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import uvloop

from authgate.testing.in_process import Gateway, echo_config, running_gateway


def pytest_asyncio_loop_factories(config: object, item: object) -> dict[str, object]:
    """Run these tests on uvloop, like the gateway itself."""
    return {"uvloop": uvloop.new_event_loop}


@pytest.fixture
async def gateway(echo_port: int) -> AsyncIterator[Gateway]:
    """The gateway with a catch-all route to the echo upstream."""
    async with running_gateway(echo_config(echo_port)) as gw:
        yield gw
