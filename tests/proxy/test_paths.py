"""Request path normalization (RFC 3986 §6.2.2) and Kong's upstream path rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from authgate.proxy.paths import normalize_path, upstream_path

NORMALIZED = [
    ("/", "/"),
    ("/bar", "/bar"),
    ("//bar", "/bar"),
    ("/bar//x///y", "/bar/x/y"),
    ("/%62ar", "/bar"),
    ("/%7Euser/%41%2d%5F%2E", "/~user/A-_."),
    ("/bar/../admin", "/admin"),
    ("/bar/%2e%2e/admin", "/admin"),
    ("/bar/%2E%2e/admin", "/admin"),
    ("/bar/.%2e/admin", "/admin"),
    ("/bar/x/../../admin", "/admin"),
    ("/../../etc/passwd", "/etc/passwd"),
    ("/a/./b/.", "/a/b/"),
    ("/a/b/..", "/a/"),
    ("/..", "/"),
    ("/a//../b", "/b"),  # slashes merged first, as nginx does
    ("/a/.../b", "/a/.../b"),
    ("/a/..b/c", "/a/..b/c"),
    ("/%2fbar", "/%2Fbar"),
    ("/a%2fb", "/a%2Fb"),
    ("/a%2e%2fb", "/a.%2Fb"),
    ("/%25", "/%25"),
    ("/%2541", "/%2541"),
    ("/a%20b", "/a%20b"),
    ("/caf%c3%a9", "/caf%C3%A9"),
    ("/a:b@c!$&'()*+,;=", "/a:b@c!$&'()*+,;="),
]

INVALID = [
    "",
    "bar",
    "*",
    "/a b",
    "/a\x00",
    "/a%00",
    "/a\r\nX: y",
    "/\x7f",
    "/%",
    "/%4",
    "/%zz",
    "/a%g0",
]


@pytest.mark.parametrize(("raw", "expected"), NORMALIZED)
def test_normalize_path(raw: str, expected: str) -> None:
    assert normalize_path(raw) == expected


@pytest.mark.parametrize("raw", INVALID)
def test_invalid_paths_are_refused(raw: str) -> None:
    assert normalize_path(raw) is None


_PATH_CHARS = st.sampled_from([*"/./.%%2e2E2f2F41aZ~-_:@!x", "%2e", "%2E", "..", "//"])


@given(st.lists(_PATH_CHARS, max_size=30).map(lambda parts: "/" + "".join(parts)))
def test_normalize_path_is_idempotent(raw: str) -> None:
    once = normalize_path(raw)
    if once is not None:
        assert normalize_path(once) == once
        assert "//" not in once
        assert not any(segment in (".", "..") for segment in once.split("/"))


@given(st.text(max_size=40).map(lambda s: "/" + s))
def test_normalize_path_is_idempotent_on_any_text(raw: str) -> None:
    once = normalize_path(raw)
    if once is not None:
        assert normalize_path(once) == once


# Kong's documented path_handling table: service.path /s, request = route path + suffix.
KONG_TABLE = [
    ("/fv0", "req", False, "v0", "/s/fv0req"),
    ("/fv1", "req", False, "v1", "/sfv1req"),
    ("/tv0", "", True, "v0", "/s"),
    ("/tv1", "", True, "v1", "/s"),
    ("/fv0", "", False, "v0", "/s/fv0"),
    ("/fv1", "", False, "v1", "/sfv1"),
    ("/tv0", "req", True, "v0", "/s/req"),
    ("/tv1", "req", True, "v1", "/sreq"),
    ("/fv0/", "req", False, "v0", "/s/fv0/req"),
    ("/fv1/", "req", False, "v1", "/sfv1/req"),
    ("/tv0/", "req", True, "v0", "/s/req"),
    ("/tv1/", "req", True, "v1", "/sreq"),
]


@pytest.mark.parametrize(("route_path", "suffix", "strip", "handling", "expected"), KONG_TABLE)
def test_upstream_path_follows_kongs_table(
    route_path: str, suffix: str, strip: bool, handling: str, expected: str
) -> None:
    request = route_path + suffix
    assert upstream_path("/s", request, route_path, strip, handling) == expected


MORE = [
    # service path, request, matched, strip, handling, upstream
    (None, "/bar/x", "/bar", True, "v0", "/x"),
    (None, "/bar", "/bar", True, "v0", "/"),
    (None, "/bar/", "/bar", True, "v0", "/"),
    (None, "/barx", "/bar", True, "v0", "/x"),
    (None, "/bar/x", "/bar", False, "v0", "/bar/x"),
    ("/", "/bar/x", "/bar", True, "v1", "/x"),
    ("/anything", "/cognito/x", "/cognito", True, "v0", "/anything/x"),
    ("/anything", "/cognito", "/cognito", True, "v0", "/anything"),
    ("/s", "/bar/", "/bar", True, "v0", "/s/"),
    ("/s", "/bar/", "/bar", True, "v1", "/s/"),
    ("/s/", "/bar/x", "/bar", True, "v0", "/s/x"),
    ("/s/", "/bar", "/bar", True, "v0", "/s"),
    ("/s/", "/bar/", "/bar", True, "v0", "/s/"),
    ("/s/", "/barx", "/bar", True, "v0", "/s/x"),
    ("/s/", "/bar/x", "/bar", False, "v0", "/s/bar/x"),
    ("/s/", "/bar/x", "/bar", True, "v1", "/s/x"),
    ("/s/", "/bar/x", "/bar", False, "v1", "/s/bar/x"),
    ("/s", "/", "/", False, "v0", "/s"),
    # no path matched (a route by host or method only): the whole path follows
    ("/s", "/foo", None, True, "v0", "/s/foo"),
    ("/s", "/", None, True, "v0", "/s"),
    (None, "/foo", None, True, "v0", "/foo"),
    ("/s", "/foo", None, True, "v1", "/sfoo"),
    # a leading dot segment left after stripping is dropped, as in Kong
    (None, "/bar../admin", "/bar", True, "v0", "/admin"),
    (None, "/bar..", "/bar", True, "v0", "/"),
    (None, "/bar./x", "/bar", True, "v0", "/x"),
    # a regex route strips what the regex matched
    ("/svc", "/users/42/posts", "/users/42", True, "v0", "/svc/posts"),
]


@pytest.mark.parametrize(
    ("service", "request_path", "matched", "strip", "handling", "expected"), MORE
)
def test_upstream_path(
    service: str | None,
    request_path: str,
    matched: str | None,
    strip: bool,
    handling: str,
    expected: str,
) -> None:
    assert upstream_path(service, request_path, matched, strip, handling) == expected
