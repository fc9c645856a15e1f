"""The request body as plugins see it (RFC 9110 §6.4): buffered on demand, replayed upstream.

Only routes whose plugins call ``ctx.read_body``/``ctx.set_body`` pay for this; every other
request streams its body from the client straight to the upstream.
"""

from __future__ import annotations

from authgate.http1.body_queue import BodyQueue
from authgate.plugins.base import RequestBodyTooLarge

__all__ = ["ExchangeBody"]


class ExchangeBody:
    """The body source of one request's :class:`~authgate.plugins.base.RequestContext`.

    ``prefix`` holds what plugins made us read from the client (all of it once ``complete``);
    the forwarder sends it before streaming the rest. ``replacement`` is what a plugin set.
    """

    __slots__ = ("_length", "_queue", "_whole", "complete", "prefix", "replacement")

    def __init__(self, queue: BodyQueue | None, content_length: int | None) -> None:
        self._queue = queue
        self._length = content_length
        self._whole: bytes | None = None if queue is not None else b""
        self.complete = queue is None
        self.prefix = bytearray()
        self.replacement: bytes | None = None

    async def read(self, limit: int) -> bytes:
        """The whole body (or the replacement); RequestBodyTooLarge when over ``limit``."""
        if self.replacement is not None:
            return _within(self.replacement, limit)
        if self._whole is not None:
            return _within(self._whole, limit)
        if self._length is not None and self._length > limit:
            raise RequestBodyTooLarge(limit)
        queue = self._queue
        assert queue is not None
        prefix = self.prefix
        while len(prefix) <= limit:
            data = await queue.read()
            if not data:
                self.complete = True
                self._whole = bytes(prefix)
                return self._whole
            prefix += data
        raise RequestBodyTooLarge(limit)

    def replace(self, data: bytes) -> None:
        """Send ``data`` upstream instead of the client's body."""
        self.replacement = bytes(data)

    @property
    def whole(self) -> bytes | None:
        """The body to send when it is fully known (the replacement or all of the client's)."""
        if self.replacement is not None:
            return self.replacement
        return self._whole if self._queue is not None else None


def _within(data: bytes, limit: int) -> bytes:
    if len(data) > limit:
        raise RequestBodyTooLarge(limit)
    return data
