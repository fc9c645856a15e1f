"""Active health checks: each worker probes its upstreams' targets on a timer (Kong's model).

A healthy target is probed every ``healthchecks.active.healthy.interval`` seconds, an
unhealthy one every ``unhealthy.interval`` (0: not probed in that state). A probe is a TCP
connect (``type: tcp``) or a ``GET http_path`` over http or https with ``Connection: close``;
its status or error goes through
:func:`authgate.proxy.upstreams.target_health.active_outcome`. The clock and the sleep are injected;
:meth:`ActiveChecker.probe_due` runs one round without any timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Awaitable, Callable

from authgate.proxy.upstreams.balancer import Balancer, Peer
from authgate.proxy.upstreams.target_health import active_outcome

__all__ = ["ActiveChecker"]

logger = logging.getLogger("authgate.proxy")


class ActiveChecker:
    """The probes of one upstream; :meth:`start` and :meth:`stop` bound its timer task."""

    def __init__(
        self,
        balancer: Balancer,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.balancer = balancer
        self.checks = balancer.upstream.healthchecks.active
        self._clock = clock
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None
        self._due: dict[str, float] = {}
        intervals = [i for i in (self.checks.healthy.interval, self.checks.unhealthy.interval) if i]
        self.tick = min(intervals) if intervals else 0.0
        self._tls: ssl.SSLContext | None = None
        if self.checks.type == "https":
            self._tls = ssl.create_default_context()
            if not self.checks.https_verify_certificate:
                self._tls.check_hostname = False
                self._tls.verify_mode = ssl.CERT_NONE

    @property
    def enabled(self) -> bool:
        """Whether any state is probed (an interval above 0)."""
        return self.tick > 0

    @property
    def running(self) -> bool:
        """Whether the timer task is alive."""
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start probing on the running loop (no-op when disabled or already started)."""
        if self.enabled and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> None:
        """Stop the timer and any probe in progress."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.probe_due()
            except Exception:
                logger.exception("health checks of upstream %s failed", self.balancer.name)
            await self._sleep(self.tick)

    def _now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    async def probe_due(self) -> None:
        """Probe every target whose interval (for its current state) has passed."""
        now = self._now()
        due = []
        for peer in self.balancer.peers:
            if peer.weight == 0:
                continue
            interval = (
                self.checks.healthy.interval if peer.health.healthy
                else self.checks.unhealthy.interval
            )  # fmt: skip
            if not interval:
                continue
            next_at = self._due.setdefault(peer.id, now + interval)
            if now >= next_at:
                due.append(peer)
        if not due:
            return
        gate = asyncio.Semaphore(self.checks.concurrency)

        async def one(peer: Peer) -> None:
            async with gate:
                await self.check(peer)

        await asyncio.gather(*(one(peer) for peer in due))

    async def check(self, peer: Peer) -> None:
        """Probe ``peer`` once and count the outcome."""
        status, error = await self.probe(peer)
        outcome = active_outcome(self.checks, status, error)
        if outcome is not None:
            peer.health.record(*outcome)
        checks = self.checks
        interval = checks.healthy.interval if peer.health.healthy else checks.unhealthy.interval
        self._due[peer.id] = self._now() + interval

    async def probe(self, peer: Peer) -> tuple[int | None, str | None]:
        """(status, None) after an answer, (None, "tcp" | "timeout") after a failure."""
        try:
            return await asyncio.wait_for(self._exchange(peer), self.checks.timeout), None
        except TimeoutError:
            return None, "timeout"
        except (OSError, ssl.SSLError, ValueError, asyncio.IncompleteReadError):
            return None, "tcp"

    async def _exchange(self, peer: Peer) -> int | None:
        checks = self.checks
        tls = self._tls
        sni = (checks.https_sni or peer.host) if tls is not None else None
        reader, writer = await asyncio.open_connection(
            peer.host, peer.port, ssl=tls, server_hostname=sni
        )
        try:
            if checks.type == "tcp":
                return None
            writer.write(self._request(peer))
            line = await reader.readuntil(b"\r\n")
            parts = line.split(None, 2)
            if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
                raise ValueError(f"not an HTTP status line: {line[:80]!r}")
            return int(parts[1])
        finally:
            writer.close()
            with contextlib.suppress(OSError, ssl.SSLError):
                await writer.wait_closed()

    def _request(self, peer: Peer) -> bytes:
        checks = self.checks
        name = self.balancer.upstream.host_header or (
            f"[{peer.host}]" if ":" in peer.host else peer.host
        )
        default_port = 443 if checks.type == "https" else 80
        host = name if peer.port == default_port else f"{name}:{peer.port}"
        lines = [f"GET {checks.http_path} HTTP/1.1", f"host: {host}"]
        for header, values in (checks.headers or {}).items():
            lines.extend(f"{header}: {value}" for value in values)
        lines += ["user-agent: authgate-healthcheck", "connection: close", "", ""]
        return "\r\n".join(lines).encode("latin-1", "replace")
