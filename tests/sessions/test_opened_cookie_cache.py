"""The cookie store remembers what recent cookie values opened to, without changing answers.

A hit skips HKDF + AES-GCM, never the timeouts: a remembered session still ends at its idle
and absolute timeouts, each load gets its own Session, and the cookie's own ``last_seen``
decides (so rolling re-issues still happen). Values that do not open are never remembered.
"""

from __future__ import annotations

from authgate.sessions import (
    CookieJar,
    CookieSessionStore,
    CookieSettings,
    Session,
    SessionCodec,
    SessionTimeouts,
)

SECRET = "s" * 32
NOW = 1_700_000_000.0


def _store(timeouts: SessionTimeouts, entries: int = 1024) -> CookieSessionStore:
    return CookieSessionStore(
        SessionCodec(SECRET), CookieSettings("session"), timeouts, cache_entries=entries
    )


async def _cookie(store: CookieSessionStore, session: Session) -> dict[str, str]:
    jar = CookieJar({}, https=False)
    await store.save(jar, session)
    name, _, rest = jar.set_cookies[0].partition("=")
    return {name: rest.partition(";")[0]}


async def test_a_remembered_session_still_ends_at_the_idle_timeout() -> None:
    store = _store(SessionTimeouts(idling=30, rolling=0, absolute=0))
    cookies = await _cookie(store, Session.new({"sub": "ada"}, NOW))
    assert await store.load(CookieJar(cookies, https=False), NOW) is not None
    assert store.cached_sessions == 1
    assert await store.load(CookieJar(cookies, https=False), NOW + 29) is not None
    assert await store.load(CookieJar(cookies, https=False), NOW + 30) is None
    assert store.cached_sessions == 0


async def test_a_remembered_session_still_ends_at_the_absolute_timeout() -> None:
    store = _store(SessionTimeouts(idling=900, rolling=3600, absolute=1000))
    session = Session.new({"sub": "ada"}, NOW)
    session.last_seen = NOW + 990
    cookies = await _cookie(store, session)
    assert await store.load(CookieJar(cookies, https=False), NOW + 990) is not None
    assert store.cached_sessions == 1
    assert await store.load(CookieJar(cookies, https=False), NOW + 999) is not None
    assert await store.load(CookieJar(cookies, https=False), NOW + 1000) is None


async def test_each_load_is_a_fresh_session_and_the_cookie_decides_last_seen() -> None:
    store = _store(SessionTimeouts(idling=900, rolling=3600, absolute=86400))
    old = await _cookie(store, Session.new({"at": "token-1"}, NOW))
    first = await store.load(CookieJar(old, https=False), NOW + 1)
    assert first is not None
    first.last_seen = NOW + 120  # what the plugin does before re-issuing the cookie
    first.data["at"] = "token-2"
    again = await store.load(CookieJar(old, https=False), NOW + 2)
    assert again is not None
    assert (again.last_seen, again.data) == (NOW, {"at": "token-1"})
    touched = await _cookie(store, first)
    renewed = await store.load(CookieJar(touched, https=False), NOW + 890)
    assert renewed is not None
    assert (renewed.last_seen, renewed.data) == (NOW + 120, {"at": "token-2"})
    assert await store.load(CookieJar(old, https=False), NOW + 900) is None


async def test_cookies_that_do_not_open_are_never_remembered() -> None:
    store = _store(SessionTimeouts())
    cookies = await _cookie(store, Session.new({"sub": "ada"}, NOW))
    tampered = {"session": cookies["session"][:-4] + "AAAA"}
    foreign = await _cookie(
        CookieSessionStore(SessionCodec("f" * 32), CookieSettings("session"), SessionTimeouts()),
        Session.new({"sub": "mallory"}, NOW),
    )
    for jar in (tampered, foreign, {"session": "garbage"}):
        assert await store.load(CookieJar(jar, https=False), NOW) is None
    assert store.cached_sessions == 0


async def test_the_cache_is_bounded_oldest_first() -> None:
    store = _store(SessionTimeouts(), entries=2)
    cookies = [await _cookie(store, Session.new({"n": n}, NOW)) for n in range(3)]
    for jar in cookies:
        assert await store.load(CookieJar(jar, https=False), NOW) is not None
    assert store.cached_sessions == 2
    for n, jar in enumerate(cookies):
        loaded = await store.load(CookieJar(jar, https=False), NOW + 1)
        assert loaded is not None
        assert loaded.data == {"n": n}
