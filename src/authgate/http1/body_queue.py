"""A bounded body buffer between a producing transport and a consuming coroutine.

The producer (a parser callback) calls :meth:`BodyQueue.feed`; when more than ``HIGH_WATER``
bytes wait, the producer's transport is paused, and it is resumed once the consumer has taken
them. This is what keeps a 1 GiB upload or download at constant memory.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

__all__ = ["HIGH_WATER", "BodyQueue"]

HIGH_WATER = 256 * 1024


class BodyQueue:
    """Chunks of one message body, with back-pressure on the producer."""

    __slots__ = (
        "_chunks",
        "_discarding",
        "_done",
        "_error",
        "_interrupted",
        "_on_first_read",
        "_pause",
        "_paused",
        "_resume",
        "_size",
        "_waiter",
        "received",
    )

    def __init__(
        self,
        pause: Callable[[], None],
        resume: Callable[[], None],
        on_first_read: Callable[[], None] | None = None,
    ) -> None:
        self._chunks: deque[bytes] = deque()
        self._size = 0
        self._done = False
        self._error: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._pause = pause
        self._resume = resume
        self._paused = False
        self._on_first_read = on_first_read
        self._interrupted = False
        self._discarding = False
        self.received = 0

    @property
    def done(self) -> bool:
        """True once the whole body has arrived (it may still be buffered)."""
        return self._done

    @property
    def failed(self) -> bool:
        """True when the producer gave up (timeout, reset, bad framing)."""
        return self._error is not None

    @property
    def continue_pending(self) -> bool:
        """The client waits for ``100 Continue`` before it sends the body, and got none yet."""
        return self._on_first_read is not None

    def feed(self, data: bytes) -> None:
        """Producer side: one more chunk."""
        if self._discarding:
            self.received += len(data)
            return
        self._chunks.append(data)
        self._size += len(data)
        self.received += len(data)
        if self._size > HIGH_WATER and not self._paused:
            self._paused = True
            self._pause()
        self._wake()

    def finish(self) -> None:
        """Producer side: the body is complete."""
        self._done = True
        self._wake()

    def fail(self, error: BaseException) -> None:
        """Producer side: the body will not complete."""
        if not self._done:
            self._error = error
            self._wake()

    def release(self) -> None:
        """Consumer gave up on the body: never leave the producer paused because of us."""
        self._chunks.clear()
        self._size = 0
        if self._paused:
            self._paused = False
            self._resume()

    def discard(self) -> None:
        """Drop what is buffered and everything still to come (only ``received`` counts)."""
        self._discarding = True
        self.release()

    def interrupt(self) -> None:
        """Make a pending :meth:`read` (and later ones with nothing buffered) return ``b""``."""
        self._interrupted = True
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def take_complete(self) -> bytes | None:
        """The whole body if it has fully arrived and nobody read from it yet, else None."""
        if not self._done or self._error is not None or self.received != self._size:
            return None
        data = b"".join(self._chunks)
        self._chunks.clear()
        self._size = 0
        if self._paused:
            self._paused = False
            self._resume()
        return data

    async def read(self) -> bytes:
        """Consumer side: the next bytes, ``b""`` at the end; raises the producer's failure."""
        if self._on_first_read is not None:
            callback, self._on_first_read = self._on_first_read, None
            callback()
        while not self._chunks:
            if self._error is not None:
                raise self._error
            if self._done or self._interrupted:
                return b""
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
        chunks = self._chunks
        data = chunks.popleft() if len(chunks) == 1 else b"".join(chunks)
        if len(chunks) != 0:
            chunks.clear()
        self._size = 0
        if self._paused:
            self._paused = False
            self._resume()
        return data
