"""The demo echo upstream, over real sockets: JSON for API clients, a page for browsers."""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import orjson
import pytest
import uvicorn

from authgate.pages import PAGE_CSP
from authgate.testing import free_port, wait_for_port
from authgate.upstream.echo import ECHO_PAGE_CSP, create_app
from authgate.upstream.masking import masked_header, shorten
from authgate.upstream.negotiation import prefers_html

CHROMIUM_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
FIREFOX_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
JSON_KEYS = {
    "method", "path", "raw_path", "query", "http_version", "headers", "body", "body_length",
    "body_sha256",
}  # fmt: skip


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwt(claims: dict[str, Any]) -> str:
    """An unsigned-looking JWS: the upstream decodes, never verifies, so any signature does."""
    header = _b64url(orjson.dumps({"alg": "RS256", "kid": "k1"}))
    return f"{header}.{_b64url(orjson.dumps(claims))}.{_b64url(b'x' * 256)}"


ID_CLAIMS = {
    "sub": "597323ed-4f3e-4c51-9d1b-3b1f8b2b7c11",
    "token_use": "id",
    "email": "demo@example.com",
    "given_name": "Demo",
    "family_name": "User",
    "cognito:username": "597323ed-4f3e-4c51-9d1b-3b1f8b2b7c11",
    "aud": "kong-api-client",
    "auth_time": 1718000000,
    "exp": 1718003600,
}
ACCESS_CLAIMS = {"sub": ID_CLAIMS["sub"], "token_use": "access", "client_id": "kong-api-client",
                 "scope": "openid", "username": ID_CLAIMS["sub"]}  # fmt: skip
ID_TOKEN = _jwt(ID_CLAIMS)
ACCESS_TOKEN = _jwt(ACCESS_CLAIMS)


def _signed_in(**extra: str) -> dict[str, str]:
    """The headers the workshop's /bar sends upstream after a browser login."""
    return {
        "accept": CHROMIUM_ACCEPT,
        "authorization": f"Bearer {ACCESS_TOKEN}",
        "x-id-token": ID_TOKEN,
        "x-authenticated-user": ID_CLAIMS["sub"],
        "x-client-id": "kong-api-client",
        "x-scope": "openid",
        "x-credential-identifier": ID_CLAIMS["sub"],
        "x-forwarded-prefix": "/bar",
        "x-forwarded-path": "/bar",
    } | extra


def _page(base: str, headers: Mapping[str, str | bytes], path: str = "/") -> httpx.Response:
    response = httpx.get(base + path, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return response


@pytest.fixture(scope="module")
def echo(echo_port: int) -> str:
    return f"http://127.0.0.1:{echo_port}"


# --- JSON for API clients, as before -------------------------------------------------------


def test_echo_returns_method_path_query_headers_and_body(echo_port: int) -> None:
    r = httpx.post(
        f"http://127.0.0.1:{echo_port}/a/b?x=1", content=b"hello", headers={"X-Test": "yes"}
    )
    data = r.json()
    assert r.status_code == 200
    assert data["method"] == "POST"
    assert data["path"] == "/a/b"
    assert data["query"] == "x=1"
    assert ["x-test", "yes"] in data["headers"]
    assert data["body"] == "hello"
    assert data["body_sha256"] == hashlib.sha256(b"hello").hexdigest()


def test_status_route_answers_with_that_status(echo_port: int) -> None:
    assert httpx.get(f"http://127.0.0.1:{echo_port}/status/418").status_code == 418


def test_bytes_route_streams_exact_length(echo_port: int) -> None:
    r = httpx.get(f"http://127.0.0.1:{echo_port}/bytes/100000")
    assert len(r.content) == 100000
    assert r.headers["content-length"] == "100000"


def test_stream_route_sends_n_lines(echo_port: int) -> None:
    r = httpx.get(f"http://127.0.0.1:{echo_port}/stream/5")
    assert r.text.count("\n") == 5


# Chromium and Firefox rank text/html first; curl and httpx send */* (a tie: JSON, as before).
NEGOTIATION = [
    (None, False),
    ("*/*", False),
    ("application/json", False),
    (CHROMIUM_ACCEPT, True),
    (FIREFOX_ACCEPT, True),
    ("text/html", True),
    ("TEXT/HTML", True),
    ("text/*", True),
    ("text/html, application/json", False),  # a tie keeps today's JSON
    ("text/html;q=0", False),  # q=0: not acceptable
    ("application/json, text/html;q=0.9", False),
    ("text/html;q=0.9, application/json;q=0.8", True),
    ("text/html;q=0.5, */*", False),  # */* gives JSON 1
    ("text/html, */*;q=0.1", True),
    ("application/*;q=0.2, text/html", True),
    ("text/html;level=1;q=0.7, application/json;q=0.6", True),
    ("text/html;q=abc, application/json;q=0.1", False),  # a malformed q drops the range
    ("text/html;q=1.5", False),
    ("text/html;q=0.0001", False),  # more than three decimals is malformed
    ("*/html", False),  # not a media range
    ("garbage", False),
]


@pytest.mark.parametrize(("accept", "html"), NEGOTIATION)
def test_accept_negotiation_picks_html_only_when_text_html_outranks_json(
    echo: str, accept: str | None, html: bool
) -> None:
    assert prefers_html(accept) is html
    headers = {"accept": accept} if accept is not None else {}
    with httpx.Client() as client:
        request = client.build_request("GET", echo + "/anything", headers=headers)
        if accept is None:
            del request.headers["accept"]
        response = client.send(request)
    assert response.status_code == 200
    expected = "text/html; charset=utf-8" if html else "application/json"
    assert response.headers["content-type"] == expected
    assert response.headers["vary"] == "Accept"
    if not html:
        assert set(response.json()) == JSON_KEYS


def test_json_for_api_clients_still_carries_the_full_tokens(echo: str) -> None:
    headers = _signed_in(accept="*/*")
    data = httpx.get(echo + "/", headers=headers).json()
    assert ["x-id-token", ID_TOKEN] in data["headers"]
    assert ["authorization", f"Bearer {ACCESS_TOKEN}"] in data["headers"]


def test_a_huge_accept_header_is_cut_not_refused(echo: str) -> None:
    accept = "application/xml;q=0.1," * 400 + "text/html"
    response = httpx.get(echo + "/", headers={"accept": accept})
    assert response.headers["content-type"] == "application/json", "text/html is past the cap"


# --- the page a browser sees ----------------------------------------------------------------


def test_browser_page_says_who_is_signed_in_and_shows_the_id_token_claims(echo: str) -> None:
    text = _page(echo, _signed_in()).text
    assert "Signed in as Demo User (demo@example.com)" in text
    assert "<h2>ID token claims</h2>" in text
    assert "<strong>not verified</strong>" in text
    assert '<th scope="row"><code>email</code></th><td>demo@example.com</td>' in text
    assert '<th scope="row"><code>given_name</code></th><td>Demo</td>' in text
    assert '1718003600 <span class="note">(2024-06-10 07:13:20 UTC)</span>' in text
    assert "Decoded from the <code>x-id-token</code> header" in text


def test_browser_page_lists_the_identity_headers_the_gateway_added(echo: str) -> None:
    text = _page(echo, _signed_in()).text
    identity = text.split("<h2>Identity headers from the gateway</h2>")[1].split("<details>")[0]
    for name in ("authorization", "x-id-token", "x-authenticated-user", "x-client-id",
                 "x-scope", "x-credential-identifier"):  # fmt: skip
        assert f"<code>{name}</code>" in identity
    for browser_header in ("user-agent", "accept", "host", "x-forwarded-prefix"):
        assert f"<code>{browser_header}</code>" not in identity
    assert f"<td>{ID_CLAIMS['sub']}</td>" in identity, "a UUID is not a token: shown whole"
    assert "<summary>All " in text


def test_browser_page_never_shows_a_whole_token(echo: str) -> None:
    session_cookie = "session=" + "S" * 20 + "0123456789abcdefghijKLMNOP"
    text = _page(echo, _signed_in(cookie=session_cookie, **{"x-refresh-token": "r" * 800})).text
    for token in (ID_TOKEN, ACCESS_TOKEN, "r" * 800, session_cookie.partition("=")[2]):
        assert token not in text
        assert token[:12] + "…" + token[-6:] in text
    assert f"Bearer {ACCESS_TOKEN[:12]}…{ACCESS_TOKEN[-6:]}" in text


def test_sign_out_posts_to_the_gateway_logout_under_the_forwarded_prefix(echo: str) -> None:
    text = _page(echo, _signed_in()).text
    assert (
        '<form method="post" action="/bar/logout"><button type="submit">Sign out</button>' in text
    )


@pytest.mark.parametrize(
    ("forwarded", "action"),
    [
        ({"x-forwarded-prefix": "/bar"}, "/bar/logout"),
        ({"x-forwarded-prefix": "/shop/"}, "/shop/logout"),
        ({"x-forwarded-path": "/web/page"}, "/web/page/logout"),  # strip_path off: no prefix
        ({"x-forwarded-prefix": "//evil.example"}, None),
        ({"x-forwarded-prefix": "https://evil.example/"}, None),
        ({"x-forwarded-prefix": "/\\evil.example"}, None),
        ({}, None),
    ],
)
def test_the_logout_url_is_derived_from_the_forwarded_route_and_stays_on_this_site(
    echo: str, forwarded: dict[str, str], action: str | None
) -> None:
    headers = _signed_in()
    del headers["x-forwarded-prefix"], headers["x-forwarded-path"]
    text = _page(echo, headers | forwarded).text
    assert "Signed in as Demo User" in text
    if action is None:
        assert "<form" not in text
    else:
        assert f'<form method="post" action="{action}">' in text


@pytest.fixture(scope="module")
def configured_echo() -> Iterator[str]:
    """An echo built with an explicit logout URL, on a real socket."""
    port = free_port()
    app = create_app(logout_url="/sso/sign-out?from=echo&x=1")
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for_port(port)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_an_explicit_logout_url_wins_over_the_forwarded_prefix(configured_echo: str) -> None:
    text = _page(configured_echo, _signed_in()).text
    assert '<form method="post" action="/sso/sign-out?from=echo&amp;x=1">' in text


def test_browser_page_headers_keep_it_uncached_unframed_and_script_free(echo: str) -> None:
    response = _page(echo, _signed_in())
    csp = response.headers["content-security-policy"]
    assert csp == ECHO_PAGE_CSP
    assert csp.startswith(PAGE_CSP + ";"), "the shared policy: no scripts, no framing"
    assert "script-src" not in csp
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["vary"] == "Accept"
    assert "<script" not in response.text


def test_without_identity_the_page_says_not_signed_in_and_offers_no_sign_out(echo: str) -> None:
    text = _page(echo, {"accept": CHROMIUM_ACCEPT, "x-forwarded-prefix": "/bar"}).text
    assert "Not signed in." in text
    assert "Signed in as" not in text
    assert "<form" not in text
    assert "claims</h2>" not in text


def test_the_anonymous_consumer_is_not_signed_in(echo: str) -> None:
    headers = {"accept": CHROMIUM_ACCEPT, "x-anonymous-consumer": "true",
               "x-consumer-username": "anonymous", "x-forwarded-prefix": "/bar"}  # fmt: skip
    text = _page(echo, headers).text
    assert "Not signed in." in text
    assert "anonymous consumer" in text


def test_userinfo_alone_names_the_user(echo: str) -> None:
    userinfo = base64.b64encode(orjson.dumps({"sub": "u1", "name": "Zoë Example",
                                              "email": "zoe@example.com"})).decode()  # fmt: skip
    text = _page(echo, {"accept": CHROMIUM_ACCEPT, "x-userinfo": userinfo}).text
    assert "Signed in as Zoë Example (zoe@example.com)" in text


def test_a_client_credentials_token_is_a_client_not_a_person(echo: str) -> None:
    token = _jwt({"sub": "svc-1", "token_use": "access", "client_id": "svc-1",
                  "scope": "bar-api/read"})  # fmt: skip
    text = _page(echo, {"accept": CHROMIUM_ACCEPT, "authorization": f"Bearer {token}"}).text
    assert "Signed in as client svc-1" in text
    assert "<h2>Access token claims</h2>" in text
    assert "Decoded from the <code>authorization</code> header" in text


def test_header_names_sent_as_utf8_are_shown_as_text(echo: str) -> None:
    headers = {"accept": CHROMIUM_ACCEPT, "x-authenticated-user": "Zoë".encode()}
    assert "Signed in as Zoë" in _page(echo, headers).text


# --- escaping ---------------------------------------------------------------------------


XSS = '<script>alert("x")</script>'


def test_everything_from_the_request_is_html_escaped(echo: str) -> None:
    claims = ID_CLAIMS | {"given_name": XSS, "family_name": "<img src=x onerror=alert(1)>",
                          "<b>claim</b>": XSS, "groups": [XSS]}  # fmt: skip
    headers = _signed_in(**{
        "x-id-token": _jwt(claims), "x-authenticated-user": XSS, "x-evil": XSS,
        "x-forwarded-prefix": '/bar"><script>alert(1)</script>',
    })  # fmt: skip
    text = _page(echo, headers, path="/<script>?q=<script>").text
    assert "<script" not in text
    assert "<img" not in text
    assert "<b>claim" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    assert 'action="/bar&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;/logout"' in text


def test_a_malformed_token_is_shown_shortened_not_decoded(echo: str) -> None:
    headers = {"accept": CHROMIUM_ACCEPT, "x-id-token": "not.a.jwt" + "A" * 50}
    text = _page(echo, headers).text
    assert "Not signed in." in text
    assert "claims</h2>" not in text


# --- shortening, without sockets -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("authorization", "Bearer " + "a" * 12 + "M" * 30 + "z" * 6, "Bearer aaaaaaaaaaaa…zzzzzz"),
        ("authorization", "Basic ZGVtbzpwYXNz", "Basic ZGV…"),
        ("x-id-token", "short-token", "sh…"),
        ("cookie", "a=1; session=" + "s" * 50, "a=…; session=ssssssssssss…ssssss"),
        ("x-upstream-token", "t=" + "T" * 60, "t=TTTTTTTTTTTT…TTTTTT"),  # a token, any header
        ("x-authenticated-user", "597323ed-4f3e-4c51-9d1b-3b1f8b2b7c11",
         "597323ed-4f3e-4c51-9d1b-3b1f8b2b7c11"),
        ("x-scope", "openid email profile", "openid email profile"),
    ],
)  # fmt: skip
def test_masked_header_shortens_every_token(name: str, value: str, shown: str) -> None:
    assert masked_header(name, value) == shown


def test_shorten_keeps_first_12_and_last_6_and_never_the_whole_token() -> None:
    token = "abcdefghijkl" + "x" * 30 + "uvwxyz"
    assert shorten(token) == "abcdefghijkl…uvwxyz"
    for length in range(1, 80):
        assert shorten("q" * length) != "q" * length
