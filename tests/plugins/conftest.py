"""Plugin tests run through a real gateway on uvloop, in front of the real echo upstream."""

from __future__ import annotations

import uvloop


def pytest_asyncio_loop_factories(config: object, item: object) -> dict[str, object]:
    """Run these tests on uvloop, like the gateway itself."""
    return {"uvloop": uvloop.new_event_loop}
