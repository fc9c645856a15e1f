"""What the server core runs for every request: an :class:`App`."""

from __future__ import annotations

from typing import Protocol

from authgate.proxy.server.exchange import Exchange

__all__ = ["App"]


class App(Protocol):
    """Answers each parsed request; the server closes it when it stops.

    ``handle`` is awaited for one exchange at a time per connection, in request order; an
    exception it lets through closes that connection. ``close`` releases what the app holds
    (its upstream connections) once the listener has drained or been closed.
    """

    async def handle(self, exchange: Exchange) -> None: ...

    def close(self) -> None: ...
