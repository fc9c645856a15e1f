"""A server-side session store in process memory: the cookie carries only a sealed ticket.

Single-process only (tests, ``authgate gateway`` with one worker); it shows the ticket
pattern a Redis store follows, and it makes revocation real: :meth:`clear` forgets the
session, so a copied cookie stops working at once. Bounded: the oldest sessions go first.
"""

from __future__ import annotations

from collections import OrderedDict

import orjson

from authgate.sessions.codec import SessionCodec
from authgate.sessions.cookie_store import decode_session, encode_session
from authgate.sessions.cookies import CookieJar, CookieSettings
from authgate.sessions.store import Session, SessionTimeouts

__all__ = ["MemorySessionStore"]

DEFAULT_MAX_SESSIONS = 100_000


class MemorySessionStore:
    """Sessions in a dict keyed by id; the cookie holds the id, sealed."""

    def __init__(
        self,
        codec: SessionCodec,
        settings: CookieSettings,
        timeouts: SessionTimeouts,
        max_sessions: int = DEFAULT_MAX_SESSIONS,
    ) -> None:
        self.codec = codec
        self.settings = settings
        self.timeouts = timeouts
        self.max_sessions = max_sessions
        self._sessions: OrderedDict[str, bytes] = OrderedDict()

    def _ticket(self, jar: CookieJar) -> str | None:
        value = jar.read(self.settings.name)
        raw = self.codec.open(value, self.settings.name) if value is not None else None
        if raw is None:
            return None
        try:
            ticket = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None
        return ticket if isinstance(ticket, str) else None

    async def load(self, jar: CookieJar, now: float) -> Session | None:
        """See :class:`~authgate.sessions.store.SessionStore`."""
        ticket = self._ticket(jar)
        stored = self._sessions.get(ticket) if ticket is not None else None
        session = decode_session(stored) if stored is not None else None
        if session is None or session.id != ticket:
            return None
        if not self.timeouts.valid(session, now):
            self._sessions.pop(session.id, None)
            return None
        return session

    async def save(self, jar: CookieJar, session: Session) -> None:
        """See :class:`~authgate.sessions.store.SessionStore`."""
        sessions = self._sessions
        sessions[session.id] = encode_session(session)
        sessions.move_to_end(session.id)
        while len(sessions) > self.max_sessions:
            sessions.popitem(last=False)
        ticket = orjson.dumps(session.id)
        jar.write(self.settings, self.codec.seal(ticket, self.settings.name))

    async def clear(self, jar: CookieJar, session: Session | None) -> None:
        """See :class:`~authgate.sessions.store.SessionStore`."""
        if session is not None:
            self._sessions.pop(session.id, None)
        ticket = self._ticket(jar)
        if ticket is not None:
            self._sessions.pop(ticket, None)
        jar.delete(self.settings)

    def __len__(self) -> int:
        return len(self._sessions)
