"""A real IdP server (uvicorn in a thread) with a settable clock, plus seeding and browser helpers.

The store lives on the server's event loop; tests seed it through ``IdpServer.run`` so every
query happens on that loop. HTTP goes through httpx over loopback.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import secrets
import threading
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn
from joserfc.jwk import KeySet

from authgate.idp.domain.client_settings import ClientSettings
from authgate.idp.protocol.settings import IdpSettings
from authgate.idp.storage.store import IdpStore
from authgate.idp.web.app import create_app
from authgate.testing import free_port, wait_for_port
from authgate.testing.clock import FakeClock

T = TypeVar("T")
PASSWORD = "Correct-Horse-9"
CALLBACK = "http://127.0.0.1:8765/callback"
LOGOUT = "http://127.0.0.1:8765/signed-out"


_Message = MutableMapping[str, Any]
_Asgi = Callable[
    [_Message, Callable[[], Awaitable[_Message]], Callable[[_Message], Awaitable[None]]],
    Awaitable[None],
]


def _counting(app: _Asgi, counts: Counter[str]) -> _Asgi:
    """``app`` that also counts the HTTP requests it serves, by path."""

    async def counted(
        scope: _Message,
        receive: Callable[[], Awaitable[_Message]],
        send: Callable[[_Message], Awaitable[None]],
    ) -> None:
        if scope["type"] == "http":
            counts[scope["path"]] += 1
        await app(scope, receive, send)

    return counted


class IdpServer:
    """``create_app`` served by uvicorn on a free loopback port, in a background thread.

    ``requests`` counts the HTTP requests served, by path (see :meth:`calls`).
    """

    def __init__(self, db_url: str, **settings: Any) -> None:
        self.db_url = db_url
        self.clock = FakeClock()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.settings = IdpSettings(public_url=self.base, **settings)
        self.loop = asyncio.new_event_loop()
        self.store: IdpStore | None = None
        self._server: uvicorn.Server | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, daemon=True)
        self.requests: Counter[str] = Counter()

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._serve())
        except BaseException as exc:  # reported to the test thread by start()
            self._error = exc
            self._ready.set()

    async def _serve(self) -> None:
        self.store = await IdpStore.open(self.db_url, clock=self.clock)
        app = _counting(create_app(self.store, self.settings), self.requests)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._ready.set()
        try:
            await self._server.serve()
        finally:
            await self.store.close()

    def start(self) -> IdpServer:
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise self._error
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        self._thread.join(15)

    def run(self, factory: Callable[[IdpStore], Coroutine[Any, Any, T]]) -> T:
        """Run ``factory(store)`` on the server's loop and return its result."""
        assert self.store is not None
        future = asyncio.run_coroutine_threadsafe(factory(self.store), self.loop)
        return future.result(timeout=60)

    def calls(self, path_suffix: str) -> int:
        """How many requests the IdP served on paths ending in ``path_suffix``."""
        return sum(n for path, n in list(self.requests.items()) if path.endswith(path_suffix))

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.base, follow_redirects=False, timeout=30, **kwargs)

    def issuer(self, pool_id: str) -> str:
        return f"{self.base}/{pool_id}"


@dataclass
class Seeded:
    """A pool with one client and one user, as a test needs them."""

    server: IdpServer
    pool_id: str
    client_id: str
    client_secret: str | None
    email: str
    sub: str
    password: str = PASSWORD
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        return self.server.issuer(self.pool_id)

    def path(self, suffix: str) -> str:
        return f"/{self.pool_id}{suffix}"


DEFAULT_FLOWS = ("ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
DEFAULT_SCOPES = ("openid", "email", "profile", "aws.cognito.signin.user.admin")


def client_settings(**overrides: Any) -> ClientSettings:
    values: dict[str, Any] = {
        "callback_urls": (CALLBACK,),
        "logout_urls": (LOGOUT,),
        "allowed_oauth_flows": ("code",),
        "allowed_scopes": DEFAULT_SCOPES,
        "explicit_auth_flows": DEFAULT_FLOWS,
    }
    values.update(overrides)
    return ClientSettings(**values)


def seed(
    server: IdpServer,
    *,
    secret: bool = True,
    temporary: bool = False,
    groups: tuple[str, ...] = (),
    **overrides: Any,
) -> Seeded:
    """A fresh pool (sign-in by email), a client and a confirmed user."""
    name = "pool" + uuid.uuid4().hex[:10]
    email = f"{name}@example.com"

    async def make(store: IdpStore) -> Seeded:
        pool = await store.pools.create(
            name,
            username_attributes=["email"],
            required_attributes=["email"],
            now=server.clock.now(),
        )
        client = await store.clients.create(
            pool.id,
            "web",
            client_settings(**overrides),
            generate_secret=secret,
            now=server.clock.now(),
        )
        attrs = {"email": email, "email_verified": "true", "given_name": "Ada"}
        if temporary:
            user = await store.users.create(
                pool.id, email, attrs, temporary_password=PASSWORD, now=server.clock.now()
            )
        else:
            user = await store.users.create(
                pool.id, email, attrs, password=PASSWORD, now=server.clock.now()
            )
        for group in groups:
            await store.groups.create(pool.id, group)
            await store.groups.add_user(pool.id, user.username, group)
        return Seeded(server, pool.id, client.client_id, client.client_secret, email, user.sub)

    return server.run(make)


def add_client(
    seeded: Seeded, name: str = "other", *, secret: bool = True, **overrides: Any
) -> Any:
    async def make(store: IdpStore) -> Any:
        return await store.clients.create(
            seeded.pool_id,
            name,
            client_settings(**overrides),
            generate_secret=secret,
            now=seeded.server.clock.now(),
        )

    return seeded.server.run(make)


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_params(seeded: Seeded, **extra: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": seeded.client_id,
        "redirect_uri": CALLBACK,
        "scope": "openid email profile",
        "state": "st-" + secrets.token_hex(4),
    }
    params.update(extra)
    return {k: v for k, v in params.items() if v != ""}


_CSRF = re.compile(r'name="_csrf" value="([^"]+)"')
_CHALLENGE = re.compile(r'name="challenge" value="([^"]+)"')
_ACTION = re.compile(r'<form method="post" action="([^"]+)"')


def form_fields(html: str) -> tuple[str, str]:
    """The CSRF token and form action of a hosted page."""
    csrf, action = _CSRF.search(html), _ACTION.search(html)
    assert csrf, html
    assert action, html
    return csrf.group(1), action.group(1).replace("&amp;", "&")


def challenge_of(html: str) -> str:
    found = _CHALLENGE.search(html)
    assert found, html
    return found.group(1)


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def browser_login(
    http: httpx.Client, seeded: Seeded, params: dict[str, str], password: str | None = None
) -> httpx.Response:
    """GET authorize, follow to the form, POST credentials; the response after the POST."""
    first = http.get(seeded.path("/oauth2/authorize"), params=params)
    assert first.status_code == 302, first.text
    page = http.get(first.headers["location"])
    assert page.status_code == 200, page.text
    csrf, action = form_fields(page.text)
    return http.post(
        action,
        data={"username": seeded.email, "password": password or seeded.password, "_csrf": csrf},
    )


def login_for_code(http: httpx.Client, seeded: Seeded, **extra: str) -> tuple[str, dict[str, str]]:
    """The code of a full hosted login, and the authorize parameters used."""
    params = authorize_params(seeded, **extra)
    done = browser_login(http, seeded, params)
    assert done.status_code == 303, done.text
    query = query_of(done.headers["location"])
    assert query["state"] == params["state"]
    return query["code"], params


def authorize(http: httpx.Client, seeded: Seeded, **extra: str) -> httpx.Response:
    """GET the authorize endpoint with :func:`authorize_params` (changed by ``extra``)."""
    return http.get(seeded.path("/oauth2/authorize"), params=authorize_params(seeded, **extra))


def code_flow_tokens(http: httpx.Client, seeded: Seeded) -> dict[str, Any]:
    """Sign in on the hosted page and trade the code: the token endpoint's JSON answer."""
    code, _ = login_for_code(http, seeded)
    tokens: dict[str, Any] = exchange(http, seeded, code).json()
    return tokens


def signing_keys(idp: IdpServer, seeded: Seeded) -> KeySet:
    """The pool's published JWKS."""
    with idp.client() as http:
        return KeySet.import_key_set(http.get(seeded.path("/.well-known/jwks.json")).json())


def exchange(http: httpx.Client, seeded: Seeded, code: str, **extra: str) -> httpx.Response:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    data.update(extra)
    assert seeded.client_secret is not None
    return http.post(
        seeded.path("/oauth2/token"), data=data, auth=(seeded.client_id, seeded.client_secret)
    )


def password_tokens(
    http: httpx.Client, seeded: Seeded, scope: str = "openid email"
) -> dict[str, Any]:
    assert seeded.client_secret is not None
    response = http.post(
        seeded.path("/oauth2/token"),
        data={
            "grant_type": "password",
            "username": seeded.email,
            "password": seeded.password,
            "scope": scope,
        },
        auth=(seeded.client_id, seeded.client_secret),
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def serve(db_url: str, **settings: Any) -> Iterator[IdpServer]:
    server = IdpServer(db_url, **settings).start()
    try:
        yield server
    finally:
        server.stop()


async def _admin(url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def throwaway_postgres(base_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database next to ``base_url``'s, dropped afterwards."""
    name = "authgate_idp_" + uuid.uuid4().hex[:12]
    asyncio.run(_admin(base_url, f'CREATE DATABASE "{name}"'))
    try:
        yield base_url.rsplit("/", 1)[0] + "/" + name
    finally:
        asyncio.run(_admin(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def idp(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[IdpServer]:
    """A real IdP for the whole test module, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("idp") / "idp.db"
        yield from serve(f"sqlite:///{path}")
        return
    base_url = request.getfixturevalue("postgres_url")
    for url in throwaway_postgres(base_url):
        yield from serve(url)
