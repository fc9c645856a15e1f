"""``session_storage: cookie``: the whole session, sealed (:mod:`.codec`), in chunked cookies.

Nothing is kept server-side, so any worker or instance with the same ``session_secret`` reads
the session. The flip side (as in Kong): a cookie session cannot be revoked before its
timeouts except by changing the secret.
"""

from __future__ import annotations

import orjson

from authgate.sessions.codec import SessionCodec
from authgate.sessions.cookies import CookieJar, CookieSettings
from authgate.sessions.store import Session, SessionTimeouts

__all__ = ["CookieSessionStore", "decode_session", "encode_session"]


def encode_session(session: Session) -> bytes:
    """The JSON form of a session."""
    return orjson.dumps(
        {"id": session.id, "c": session.created_at, "s": session.last_seen, "d": session.data}
    )


def decode_session(raw: bytes) -> Session | None:
    """A session from its JSON form; None if it is not one."""
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(document, dict):
        return None
    sid, created, seen, data = (document.get(k) for k in ("id", "c", "s", "d"))
    if not isinstance(sid, str) or not isinstance(data, dict):
        return None
    if not all(isinstance(t, int | float) and not isinstance(t, bool) for t in (created, seen)):
        return None
    return Session(sid, float(created), float(seen), data)  # type: ignore[arg-type]


class CookieSessionStore:
    """Sessions sealed into the cookie named by ``settings``."""

    def __init__(
        self, codec: SessionCodec, settings: CookieSettings, timeouts: SessionTimeouts
    ) -> None:
        self.codec = codec
        self.settings = settings
        self.timeouts = timeouts

    async def load(self, jar: CookieJar, now: float) -> Session | None:
        """See :class:`~authgate.sessions.store.SessionStore`."""
        value = jar.read(self.settings.name)
        if value is None:
            return None
        raw = self.codec.open(value, self.settings.name)
        session = decode_session(raw) if raw is not None else None
        if session is None or not self.timeouts.valid(session, now):
            return None
        return session

    async def save(self, jar: CookieJar, session: Session) -> None:
        """See :class:`~authgate.sessions.store.SessionStore`."""
        jar.write(self.settings, self.codec.seal(encode_session(session), self.settings.name))

    async def clear(self, jar: CookieJar, session: Session | None) -> None:
        """See :class:`~authgate.sessions.store.SessionStore`."""
        jar.delete(self.settings)
