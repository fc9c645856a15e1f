"""One contract for every SessionStore: round trip, timeouts, tampering, rotation, fixation."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from authgate.sessions import (
    CookieJar,
    CookieSessionStore,
    CookieSettings,
    MemorySessionStore,
    Session,
    SessionCodec,
    SessionStore,
    SessionTimeouts,
    parse_cookie_header,
)

SECRET = "s" * 32
NOW = 1_700_000_000.0
StoreFactory = Callable[..., SessionStore]


def _cookie(codec: SessionCodec, timeouts: SessionTimeouts) -> SessionStore:
    return CookieSessionStore(codec, CookieSettings("session"), timeouts)


def _memory(codec: SessionCodec, timeouts: SessionTimeouts) -> SessionStore:
    return MemorySessionStore(codec, CookieSettings("session"), timeouts)


@pytest.fixture(params=[_cookie, _memory], ids=["cookie", "memory"])
def make(request: pytest.FixtureRequest) -> StoreFactory:
    factory: StoreFactory = request.param
    return factory


def _browser(jar: CookieJar, cookies: dict[str, str] | None = None) -> dict[str, str]:
    """Apply the jar's Set-Cookie headers to a cookie dict, as a browser would."""
    cookies = dict(cookies or {})
    for header in jar.set_cookies:
        name, _, rest = header.partition("=")
        value = rest.partition(";")[0]
        if "Max-Age=0" in header:
            cookies.pop(name, None)
        else:
            cookies[name] = value
    return cookies


async def _saved(store: SessionStore, session: Session) -> dict[str, str]:
    jar = CookieJar({}, https=False)
    await store.save(jar, session)
    return _browser(jar)


async def test_saved_session_loads_back(make: StoreFactory) -> None:
    store = make(SessionCodec(SECRET), SessionTimeouts())
    session = Session.new({"sub": "ada", "at": "x" * 100}, NOW)
    cookies = await _saved(store, session)
    loaded = await store.load(CookieJar(cookies, https=False), NOW + 1)
    assert loaded is not None
    assert (loaded.id, loaded.data, loaded.created_at) == (session.id, session.data, NOW)


async def test_large_session_is_chunked_under_4kb_and_reassembled(make: StoreFactory) -> None:
    store = make(SessionCodec(SECRET), SessionTimeouts())
    session = Session.new({"tokens": "t" * 12_000}, NOW)
    jar = CookieJar({}, https=True)
    await store.save(jar, session)
    assert all(len(h.encode()) < 4096 for h in jar.set_cookies)
    loaded = await store.load(CookieJar(_browser(jar), https=True), NOW)
    assert loaded is not None
    assert loaded.data == session.data


async def test_smaller_session_deletes_stale_chunks(make: StoreFactory) -> None:
    store = make(SessionCodec(SECRET), SessionTimeouts())
    big = await _saved(store, Session.new({"t": "t" * 12_000}, NOW))
    small = Session.new({"t": "small"}, NOW)
    jar = CookieJar(big, https=False)
    await store.save(jar, small)
    cookies = _browser(jar, big)
    loaded = await store.load(CookieJar(cookies, https=False), NOW)
    assert loaded is not None
    assert loaded.data == {"t": "small"}
    if isinstance(store, CookieSessionStore):
        assert set(cookies) == {"session"}


@pytest.mark.parametrize(
    ("timeouts", "later", "alive"),
    [
        (SessionTimeouts(idling=900, rolling=3600, absolute=86400), 899, True),
        (SessionTimeouts(idling=900, rolling=3600, absolute=86400), 900, False),
        (SessionTimeouts(idling=0, rolling=3600, absolute=86400), 3599, True),
        (SessionTimeouts(idling=0, rolling=3600, absolute=86400), 3600, False),
        (SessionTimeouts(idling=0, rolling=0, absolute=100), 99, True),
        (SessionTimeouts(idling=0, rolling=0, absolute=100), 100, False),
        (SessionTimeouts(idling=0, rolling=0, absolute=0), 10**8, True),
    ],
)
async def test_timeouts_end_sessions(
    make: StoreFactory, timeouts: SessionTimeouts, later: float, alive: bool
) -> None:
    store = make(SessionCodec(SECRET), timeouts)
    cookies = await _saved(store, Session.new({"sub": "ada"}, NOW))
    loaded = await store.load(CookieJar(cookies, https=False), NOW + later)
    assert (loaded is not None) is alive


async def test_absolute_timeout_is_not_extended_by_use(make: StoreFactory) -> None:
    timeouts = SessionTimeouts(idling=900, rolling=3600, absolute=1000)
    store = make(SessionCodec(SECRET), timeouts)
    session = Session.new({}, NOW)
    session.last_seen = NOW + 990
    cookies = await _saved(store, session)
    assert await store.load(CookieJar(cookies, https=False), NOW + 999) is not None
    assert await store.load(CookieJar(cookies, https=False), NOW + 1000) is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda v: v[:-4] + ("AAAA" if not v.endswith("AAAA") else "BBBB"),
        lambda v: v[: len(v) // 2],
        lambda v: "",
        lambda v: "not-base64!!",
        lambda v: "9." + v,
        lambda v: "A" * 40_000,
    ],
    ids=["tampered", "truncated", "empty", "garbage", "bad-chunk-count", "huge"],
)
async def test_damaged_cookie_is_no_session(
    make: StoreFactory, damage: Callable[[str], str]
) -> None:
    store = make(SessionCodec(SECRET), SessionTimeouts())
    cookies = await _saved(store, Session.new({"sub": "ada"}, NOW))
    cookies["session"] = damage(cookies["session"])
    assert await store.load(CookieJar(cookies, https=False), NOW) is None


async def test_cookie_store_with_a_missing_chunk_has_no_session() -> None:
    store = _cookie(SessionCodec(SECRET), SessionTimeouts())
    cookies = await _saved(store, Session.new({"t": "t" * 9000}, NOW))
    del cookies["session2"]
    assert await store.load(CookieJar(cookies, https=False), NOW) is None


async def test_cookie_sealed_with_another_secret_is_no_session(make: StoreFactory) -> None:
    foreign = make(SessionCodec("f" * 32), SessionTimeouts())
    cookies = await _saved(foreign, Session.new({"sub": "mallory"}, NOW))
    store = make(SessionCodec(SECRET), SessionTimeouts())
    assert await store.load(CookieJar(cookies, https=False), NOW) is None


async def test_rotated_secret_still_opens_sessions_sealed_with_the_old_one(
    make: StoreFactory,
) -> None:
    old = make(SessionCodec("old-" * 8), SessionTimeouts())
    new = make(SessionCodec("new-" * 8, fallbacks=["old-" * 8]), SessionTimeouts())
    if isinstance(old, MemorySessionStore) and isinstance(new, MemorySessionStore):
        new._sessions = old._sessions  # one server-side store, two gateway configs
    session = Session.new({"sub": "ada"}, NOW)
    cookies = await _saved(old, session)
    loaded = await new.load(CookieJar(cookies, https=False), NOW)
    assert loaded is not None
    assert loaded.id == session.id
    resaved = await _saved(new, loaded)
    assert await old.load(CookieJar(resaved, https=False), NOW) is None


async def test_cleared_session_is_gone_and_its_cookies_expire(make: StoreFactory) -> None:
    store = make(SessionCodec(SECRET), SessionTimeouts())
    session = Session.new({"t": "t" * 9000}, NOW)
    cookies = await _saved(store, session)
    jar = CookieJar(cookies, https=False)
    await store.clear(jar, session)
    assert {h.partition("=")[0] for h in jar.set_cookies} == set(cookies)
    assert all("Max-Age=0" in h for h in jar.set_cookies)
    assert _browser(jar, cookies) == {}
    if isinstance(store, MemorySessionStore):
        # server-side: a copy of the old cookie no longer works either
        assert await store.load(CookieJar(cookies, https=False), NOW) is None


async def test_clearing_twice_sends_one_set_cookie_per_cookie_name(make: StoreFactory) -> None:
    store = make(SessionCodec(SECRET), SessionTimeouts())
    cookies = await _saved(store, Session.new({"t": "t" * 9000}, NOW))
    jar = CookieJar(cookies, https=False)
    await store.clear(jar, None)
    await store.clear(jar, None)
    names = [h.partition("=")[0] for h in jar.set_cookies]
    assert sorted(names) == sorted(cookies)


async def test_new_sessions_never_take_an_id_from_the_request(make: StoreFactory) -> None:
    store = make(SessionCodec(SECRET), SessionTimeouts())
    planted = {"session": "attacker-chosen-value"}
    session = Session.new({"sub": "ada"}, NOW)
    jar = CookieJar(planted, https=False)
    assert await store.load(jar, NOW) is None
    await store.save(jar, session)
    cookies = _browser(jar, planted)
    assert cookies["session"] != "attacker-chosen-value"
    loaded = await store.load(CookieJar(cookies, https=False), NOW)
    assert loaded is not None
    assert loaded.id == session.id != "attacker-chosen-value"
    assert Session.new({}, NOW).id != Session.new({}, NOW).id


def test_cookie_attributes_default_to_httponly_lax_and_secure_on_https() -> None:
    settings = CookieSettings("session")
    assert settings.header("session", "v", https=True) == (
        "session=v; Path=/; Secure; HttpOnly; SameSite=Lax"
    )
    assert "Secure" not in settings.header("session", "v", https=False)
    default = CookieSettings("authorization", same_site="Default", secure=True, domain="a.test")
    assert default.header("authorization", "v", https=False, max_age=600) == (
        "authorization=v; Path=/; Domain=a.test; Max-Age=600; Secure; HttpOnly"
    )


def test_cookie_header_parsing_takes_the_first_of_a_repeated_name() -> None:
    assert parse_cookie_header(['a=1; b="2"; a=3; junk; =x', "c=4"]) == {
        "a": "1",
        "b": "2",
        "c": "4",
    }
