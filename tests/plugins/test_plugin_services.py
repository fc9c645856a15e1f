"""The worker's services reach plugins through ``Runtime.build``: the clock a plugin reads is
the one the gateway was built with, and a plugin's shared state outlives config reloads."""

from __future__ import annotations

import orjson

from authgate.plugins.services import PluginServices
from authgate.testing.in_process import echo_config, running_gateway
from authgate.testing.raw_client import RawResponse, send_get
from plugins import sample_plugins

assert sample_plugins.ClockStamp.name == "test-clock"  # registered on import

ROUTE = "        plugins:\n          - name: test-clock\n"


def _upstream_header(response: RawResponse, name: str) -> str:
    echoed = orjson.loads(response.body)
    [value] = [v for k, v in echoed["headers"] if k == name]
    return str(value)


async def test_plugins_get_the_clock_and_shared_state_of_the_services(echo_port: int) -> None:
    services = PluginServices(clock=lambda: 1234.5)
    async with running_gateway(echo_config(echo_port, ROUTE), services=services) as gateway:
        first = await send_get(gateway.port, "/")
        assert _upstream_header(first, "x-clock") == "1234.5"
        assert _upstream_header(first, "x-tally") == "1"
        gateway.load(echo_config(echo_port, ROUTE))  # a reload: new plugin instances
        assert gateway.services is services
        second = await send_get(gateway.port, "/")
        assert _upstream_header(second, "x-tally") == "2"  # the same tally after the reload
