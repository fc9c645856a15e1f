"""The IdP's one notion of time: a :class:`Clock` whose ``now()`` is an aware UTC datetime.

The store, the token and code issuers and the hosted pages all read the same injected
clock, so a test moves every timestamp of the IdP (``exp`` and ``iat`` claims, code and
session expiry, lockouts, key rotation) by moving one object, and nothing ever sleeps.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import UTC, datetime

__all__ = ["Clock", "SystemClock", "system_clock"]


class Clock(ABC):
    """Where the IdP reads the time; ``seconds()`` is the JWT view of it (RFC 7519 §2)."""

    @abstractmethod
    def now(self) -> datetime:
        """The current time as an aware UTC datetime."""

    def seconds(self) -> int:
        """The current time as whole seconds since the epoch (``NumericDate``, RFC 7519 §2)."""
        return int(self.now().timestamp())

    def this_second(self) -> datetime:
        """:meth:`seconds` as an aware UTC datetime: what a token's ``iat`` says."""
        return datetime.fromtimestamp(self.seconds(), UTC)


class SystemClock(Clock):
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


system_clock = SystemClock()
"""The clock of a running IdP."""
