"""Serving the admin API with uvicorn inside the supervisor's event loop."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette

__all__ = ["AdminServer"]


class AdminServer(uvicorn.Server):
    """uvicorn without its own signal handling: the supervisor owns SIGTERM, SIGINT, SIGHUP."""

    def __init__(self, app: Starlette) -> None:
        super().__init__(uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False))

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def serve_on(self, sock: socket.socket) -> None:
        """Serve on an already bound socket (bound early so a busy port fails fast)."""
        await self.serve(sockets=[sock])
