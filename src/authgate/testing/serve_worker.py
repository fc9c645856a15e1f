"""One gateway worker in its own process, for memory measurements.

``python -m authgate.testing.serve_worker CONFIG PORT``
"""

from __future__ import annotations

import asyncio
import sys

import uvloop

from authgate.config import load_gateway_config
from authgate.plugins.registry import plugin_schemas
from authgate.plugins.services import PluginServices
from authgate.proxy.runtime import Runtime, RuntimeHolder
from authgate.proxy.start import start_server


async def main(config_path: str, port: int) -> None:
    config = load_gateway_config(config_path, plugin_schemas())
    holder = RuntimeHolder(Runtime.build(config, PluginServices()))
    await start_server(holder, "127.0.0.1", port)
    await asyncio.Event().wait()


if __name__ == "__main__":
    uvloop.run(main(sys.argv[1], int(sys.argv[2])))
