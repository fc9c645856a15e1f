"""Browser sessions: sealed cookies (AES-256-GCM, HKDF) and the ``SessionStore`` protocol."""

from __future__ import annotations

from authgate.sessions.codec import SessionCodec
from authgate.sessions.cookie_store import CookieSessionStore
from authgate.sessions.cookies import (
    CookieJar,
    CookieSettings,
    parse_cookie_header,
    strip_cookies,
)
from authgate.sessions.memory_store import MemorySessionStore
from authgate.sessions.store import Session, SessionStore, SessionTimeouts

__all__ = [
    "CookieJar",
    "CookieSessionStore",
    "CookieSettings",
    "MemorySessionStore",
    "Session",
    "SessionCodec",
    "SessionStore",
    "SessionTimeouts",
    "parse_cookie_header",
    "strip_cookies",
]
