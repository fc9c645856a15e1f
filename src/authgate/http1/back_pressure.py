"""Write back-pressure of a socket: asyncio's ``pause_writing``/``resume_writing`` callbacks.

Shared by the client side (:class:`~authgate.proxy.server.client_socket.ClientSocket`) and the
upstream side (:class:`~authgate.http1.connection.UpstreamConnection`) of a proxied request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

__all__ = ["WriteBackPressure"]


class WriteBackPressure(asyncio.Protocol):
    """Tracks whether the transport's write buffer is over its high-water mark.

    ``write_paused`` is True while it is; ``resume_writing`` wakes the writer waiting on
    ``_drain_waiter`` and ``on_writable`` (a tunnel's hook) hears every change. Subclasses
    set these three attributes in ``__init__``.
    """

    write_paused: bool
    on_writable: Callable[[bool], None] | None
    _drain_waiter: asyncio.Future[None] | None

    def pause_writing(self) -> None:
        self.write_paused = True
        if self.on_writable is not None:
            self.on_writable(False)

    def resume_writing(self) -> None:
        self.write_paused = False
        waiter = self._drain_waiter
        if waiter is not None:
            self._drain_waiter = None
            if not waiter.done():
                waiter.set_result(None)
        if self.on_writable is not None:
            self.on_writable(True)
