"""The health of one upstream target as one worker sees it (Kong's lua-resty-healthcheck rules).

A target starts healthy. Each outcome, from proxied traffic (passive) or from a probe
(active), adds to one counter: successes, HTTP failures, TCP failures or timeouts. A
counted success clears the failure counters and a failure clears the success counter. A
healthy target becomes unhealthy when a failure counter reaches its limit; an unhealthy one
becomes healthy when the success counter reaches its limit. A limit of 0 turns that check
off: with ``healthy.successes`` 0, successes are not counted at all, so failures add up
even with successes between them (as in Kong). Counters restart on every change of state.
No I/O and no clock here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from authgate.config.upstreams import ActiveHealthcheck, PassiveHealthcheck

__all__ = ["Outcome", "TargetHealth", "active_outcome", "passive_outcome"]

Outcome = Literal["success", "http", "tcp", "timeout"]


def _nothing() -> None:
    pass


class TargetHealth:
    """Counters and state of one target."""

    __slots__ = ("counts", "healthy", "on_change")

    def __init__(self) -> None:
        self.healthy = True
        self.counts = {"success": 0, "http": 0, "tcp": 0, "timeout": 0}
        self.on_change: Callable[[], None] = _nothing

    def record(self, outcome: Outcome, limit: int) -> bool:
        """Count ``outcome`` against ``limit``; True when the target changed state."""
        if limit == 0:
            return False  # that check is off
        counts = self.counts
        if outcome == "success":
            counts["http"] = counts["tcp"] = counts["timeout"] = 0
            if self.healthy:
                return False
        else:
            counts["success"] = 0
            if not self.healthy:
                return False  # it restarts the recovery, nothing more
        counts[outcome] += 1
        if counts[outcome] < limit:
            return False
        self.set(outcome == "success")
        return True

    def set(self, healthy: bool) -> None:
        """Force the state (and restart every counter)."""
        for key in self.counts:
            self.counts[key] = 0
        if healthy != self.healthy:
            self.healthy = healthy
            self.on_change()


def passive_outcome(
    checks: PassiveHealthcheck, status: int | None, error: str | None
) -> tuple[Outcome, int] | None:
    """What a proxied exchange says about its target, and that outcome's limit (or None).

    ``error`` is the upstream error kind (``timeout``, ``connect``, ``reset``, …) when the
    exchange failed, else ``status`` is the response status.
    """
    unhealthy = checks.unhealthy
    if error is not None:
        if error == "timeout":
            return "timeout", unhealthy.timeouts
        return "tcp", unhealthy.tcp_failures
    if status is None:
        return None
    if checks.type == "tcp":
        return "success", checks.healthy.successes
    if status in unhealthy.http_statuses:
        return "http", unhealthy.http_failures
    if status in checks.healthy.http_statuses:
        return "success", checks.healthy.successes
    return None


def active_outcome(
    checks: ActiveHealthcheck, status: int | None, error: str | None
) -> tuple[Outcome, int] | None:
    """What one probe says: ``error`` is ``timeout`` or ``tcp``, else ``status`` counts."""
    unhealthy = checks.unhealthy
    if error == "timeout":
        return "timeout", unhealthy.timeouts
    if error is not None:
        return "tcp", unhealthy.tcp_failures
    if checks.type == "tcp" or status in checks.healthy.http_statuses:
        return "success", checks.healthy.successes
    if status in unhealthy.http_statuses:
        return "http", unhealthy.http_failures
    return None
