"""``session_storage: cookie``: the whole session, sealed (:mod:`.codec`), in chunked cookies.

Nothing is kept server-side, so any worker or instance with the same ``session_secret`` reads
the session. The flip side (as in Kong): a cookie session cannot be revoked before its
timeouts except by changing the secret.

Opening a cookie (HKDF, AES-GCM, JSON) is the expensive part of a session request, and one
browser sends the same cookie value again and again, so each store keeps what recent cookie
values opened to, keyed by the SHA-256 of the value (a store belongs to one config: secrets,
cookie name and timeouts are fixed for it). Opening is a pure function of the value and the
secrets, so a cached result is what decrypting again would give; the timeouts are checked
on every load either way, and an entry is dropped at the latest when its session would
expire (idle, rolling or absolute), after ``OPENED_CACHE_SECONDS``, or when the cache is
full (``OPENED_CACHE_ENTRIES``, oldest first). Values that do not open are never cached.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any

import orjson

from authgate.json_object import loads_object
from authgate.sessions.codec import SessionCodec
from authgate.sessions.cookies import CookieJar, CookieSettings
from authgate.sessions.store import Session, SessionTimeouts

__all__ = [
    "OPENED_CACHE_ENTRIES",
    "OPENED_CACHE_SECONDS",
    "CookieSessionStore",
    "decode_session",
    "encode_session",
]

OPENED_CACHE_ENTRIES = 1024
OPENED_CACHE_SECONDS = 60.0

# (drop at, id, created_at, last_seen, data) of a session as its cookie value holds it.
_Opened = tuple[float, str, float, float, dict[str, Any]]


def encode_session(session: Session) -> bytes:
    """The JSON form of a session."""
    return orjson.dumps(
        {"id": session.id, "c": session.created_at, "s": session.last_seen, "d": session.data}
    )


def decode_session(raw: bytes) -> Session | None:
    """A session from its JSON form; None if it is not one."""
    document = loads_object(raw)
    if document is None:
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
        self,
        codec: SessionCodec,
        settings: CookieSettings,
        timeouts: SessionTimeouts,
        *,
        cache_entries: int = OPENED_CACHE_ENTRIES,
    ) -> None:
        self.codec = codec
        self.settings = settings
        self.timeouts = timeouts
        self._cache_entries = cache_entries
        self._opened: OrderedDict[bytes, _Opened] = OrderedDict()

    async def load(self, jar: CookieJar, now: float) -> Session | None:
        """See :class:`~authgate.sessions.store.SessionStore`."""
        value = jar.read(self.settings.name)
        if value is None:
            return None
        key = hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()
        entry = self._opened.get(key)
        if entry is not None and now < entry[0]:
            # A fresh Session (and data dict) per request: callers change them.
            session: Session | None = Session(entry[1], entry[2], entry[3], dict(entry[4]))
        else:
            if entry is not None:
                del self._opened[key]
            raw = self.codec.open(value, self.settings.name)
            session = decode_session(raw) if raw is not None else None
            if session is not None:
                self._remember(key, session, now)
        if session is None or not self.timeouts.valid(session, now):
            return None
        return session

    @property
    def cached_sessions(self) -> int:
        """How many opened cookie values are remembered."""
        return len(self._opened)

    def _remember(self, key: bytes, session: Session, now: float) -> None:
        if self._cache_entries <= 0:
            return
        until = min(now + OPENED_CACHE_SECONDS, self.timeouts.expires_at(session))
        if until <= now:
            return
        opened = self._opened
        opened[key] = (until, session.id, session.created_at, session.last_seen, dict(session.data))
        opened.move_to_end(key)
        while len(opened) > self._cache_entries:
            opened.popitem(last=False)

    async def save(self, jar: CookieJar, session: Session) -> None:
        """See :class:`~authgate.sessions.store.SessionStore`."""
        jar.write(self.settings, self.codec.seal(encode_session(session), self.settings.name))

    async def clear(self, jar: CookieJar, session: Session | None) -> None:
        """See :class:`~authgate.sessions.store.SessionStore`."""
        jar.delete(self.settings)
