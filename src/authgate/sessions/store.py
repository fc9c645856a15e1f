"""The ``SessionStore`` protocol every session backend implements, and the session timeouts.

A store keeps :class:`Session` records for the plugin: in the cookie itself
(:mod:`.cookie_store`), or server-side behind an opaque ticket cookie (:mod:`.memory_store`;
Redis in cluster mode). Every store applies the same timeouts on load, and
``tests/sessions/test_store_contract.py`` runs one contract suite against each of them.
A session's id is always minted here (:meth:`Session.new`), never taken from a request, so a
cookie planted in a browser is never adopted (session fixation).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any, Protocol

from authgate.sessions.cookies import CookieJar

__all__ = ["Session", "SessionStore", "SessionTimeouts"]

# A used session is written back at most this often (idle-timeout precision).
MAX_TOUCH_INTERVAL = 60.0


@dataclass
class Session:
    """One signed-in browser: an id, timestamps and the plugin's data (tokens)."""

    id: str
    created_at: float
    last_seen: float
    data: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def new(cls, data: dict[str, Any], now: float) -> Session:
        """A fresh session with a new random id."""
        return cls(secrets.token_urlsafe(24), now, now, data)


@dataclass(frozen=True, slots=True)
class SessionTimeouts:
    """Kong's ``session_idling_timeout``, ``_rolling_timeout``, ``_absolute_timeout`` (0: off).

    Idle: no use for that long ends the session. Rolling: a session must be renewed (it is,
    on use) within that long. Absolute: never extended.
    """

    idling: float = 900
    rolling: float = 3600
    absolute: float = 86400

    def valid(self, session: Session, now: float) -> bool:
        """Whether ``session`` is still alive at ``now``."""
        if session.created_at > now + MAX_TOUCH_INTERVAL:
            return False
        inactive = now - session.last_seen
        if self.idling and inactive >= self.idling:
            return False
        if self.rolling and inactive >= self.rolling:
            return False
        return not (self.absolute and now - session.created_at >= self.absolute)

    def expires_at(self, session: Session) -> float:
        """When ``session`` stops being :meth:`valid` unless it is used and saved again."""
        ends = [session.last_seen + t for t in (self.idling, self.rolling) if t]
        if self.absolute:
            ends.append(session.created_at + self.absolute)
        return min(ends, default=float("inf"))

    def needs_touch(self, session: Session, now: float) -> bool:
        """Whether ``session`` should be written back to record this use."""
        limits = [t / 10 for t in (self.idling, self.rolling) if t]
        interval = min([MAX_TOUCH_INTERVAL, *limits])
        return now - session.last_seen >= interval


class SessionStore(Protocol):
    """Loads, saves and clears the session of one request (see module docstring)."""

    async def load(self, jar: CookieJar, now: float) -> Session | None:
        """The request's live session; None when absent, foreign, tampered or expired."""
        ...

    async def save(self, jar: CookieJar, session: Session) -> None:
        """Store ``session`` and add its cookie(s) to ``jar``."""
        ...

    async def clear(self, jar: CookieJar, session: Session | None) -> None:
        """Forget ``session`` (if any) and expire every session cookie the request carried."""
        ...
