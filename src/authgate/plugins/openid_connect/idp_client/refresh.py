"""RFC 6749 §6 refresh of a session's tokens: once per refresh token, however many requests.

Parallel requests of one browser session carry the same refresh token; they share a single
token request (single flight), and the result stays available for ``GRACE_SECONDS`` so a
request that raced with the refresh (it still carries the old cookie, hence the old — maybe
already rotated — refresh token) gets the new tokens instead of a logout (oauth2-proxy#1006,
lua-resty-openidc#190, mod_auth_openidc#204). Scope: one worker process; across workers the
IdP's own rotation grace period covers the race.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from authgate.plugins.openid_connect.idp_client.grants import TokenResponse

__all__ = ["GRACE_SECONDS", "Refresher"]

GRACE_SECONDS = 60.0
MAX_REMEMBERED = 10_000


class Refresher:
    """Single-flight refreshes keyed by a hash of the refresh token (never the token)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._inflight: dict[bytes, asyncio.Task[TokenResponse]] = {}
        self._done: OrderedDict[bytes, tuple[float, TokenResponse]] = OrderedDict()
        self.requests = 0

    @staticmethod
    def key(scope: str, refresh_token: str) -> bytes:
        """The flight key of ``refresh_token`` at the token endpoint/client ``scope``."""
        return hashlib.sha256(f"{scope}\x00{refresh_token}".encode()).digest()

    async def refresh(
        self, key: bytes, fetch: Callable[[], Awaitable[TokenResponse]]
    ) -> TokenResponse:
        """The new tokens for ``key``: a recent result, the running request, or ``fetch()``."""
        recent = self._done.get(key)
        if recent is not None:
            if self._clock() < recent[0]:
                return recent[1]
            del self._done[key]
        task = self._inflight.get(key)
        if task is None:
            self.requests += 1
            task = asyncio.get_running_loop().create_task(self._run(fetch))
            self._inflight[key] = task
            task.add_done_callback(lambda done: self._finished(key, done))
        return await asyncio.shield(task)

    @staticmethod
    async def _run(fetch: Callable[[], Awaitable[TokenResponse]]) -> TokenResponse:
        return await fetch()

    def _finished(self, key: bytes, task: asyncio.Task[TokenResponse]) -> None:
        self._inflight.pop(key, None)
        if task.cancelled() or task.exception() is not None:
            return
        self._done[key] = (self._clock() + GRACE_SECONDS, task.result())
        self._done.move_to_end(key)
        while len(self._done) > MAX_REMEMBERED:
            self._done.popitem(last=False)
