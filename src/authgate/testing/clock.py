"""A clock that moves only when a test says so, for the IdP and the openid-connect plugin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from authgate.idp.domain.clock import Clock

__all__ = ["FakeClock"]


class FakeClock(Clock):
    """The IdP's :class:`~authgate.idp.domain.clock.Clock` and, called, the plugin's epoch clock.

    Starts at ``start`` (an aware datetime or epoch seconds; default: the current whole
    second), so one object drives an IdP and a gateway that share a test's time.
    """

    def __init__(self, start: datetime | float | None = None) -> None:
        self._now = datetime.now(UTC)
        self.set(int(self._now.timestamp()) if start is None else start)

    def set(self, at: datetime | float) -> None:
        """Put the time at ``at`` (an aware datetime or epoch seconds)."""
        if isinstance(at, datetime):
            if at.tzinfo is None:
                raise ValueError("the time must be an aware datetime")
            self._now = at.astimezone(UTC)
        else:
            self._now = datetime.fromtimestamp(at, UTC)

    def now(self) -> datetime:
        return self._now

    def __call__(self) -> float:
        """Epoch seconds (what ``OidcServices(clock=...)`` calls)."""
        return self._now.timestamp()

    def advance(self, seconds: float) -> None:
        """Move the time forward (or back, with a negative number)."""
        self._now += timedelta(seconds=seconds)
