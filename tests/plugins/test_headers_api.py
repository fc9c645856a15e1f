"""The Headers multi-map plugins edit: case-insensitive, ordered, and refusing fields that
would split a message head (CR/LF/NUL) or are not RFC 9110 tokens."""

from __future__ import annotations

import pytest

from authgate.plugins.base import BufferedBody, Headers, RequestBodyTooLarge, RequestContext


def test_set_replaces_every_value_at_the_first_position() -> None:
    headers = Headers([("A", "1"), ("B", "2"), ("a", "3")])
    headers.set("a", "x")
    assert headers.items() == [("a", "x"), ("b", "2")]


def test_underscore_and_dash_names_are_different_fields() -> None:
    headers = Headers([("X_User", "m"), ("X-User", "a")])
    assert headers.get("x_user") == "m"
    assert headers.get_all("x-user") == ["a"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("x-a", "1\r\nx-injected: 1"),
        ("x-a", "line\nbreak"),
        ("x-a", "nul\x00"),
        ("x a", "1"),
        ("x:a", "1"),
        ("", "1"),
        ("x-\u00e9", "1"),
    ],
)
@pytest.mark.parametrize("method", ["set", "add"])
def test_fields_that_cannot_be_sent_are_refused(method: str, name: str, value: str) -> None:
    headers = Headers()
    with pytest.raises(ValueError, match="header"):
        getattr(headers, method)(name, value)
    assert len(headers) == 0


def _ctx(content_type: str | None, body: bytes) -> RequestContext:
    headers = Headers([("content-type", content_type)] if content_type else [])
    return RequestContext(
        request_id="r",
        method="POST",
        path="/",
        query="",
        headers=headers,
        client_ip="127.0.0.1",
        scheme="http",
        host="h",
        port=80,
        http_version="1.1",
        body_source=BufferedBody(body),
    )


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/x-www-form-urlencoded", {"a": ["1", "2"], "b": [""], "c": ["é d"]}),
        (
            "Application/X-WWW-Form-Urlencoded; charset=utf-8",
            {"a": ["1", "2"], "b": [""], "c": ["é d"]},
        ),
        ("application/json", None),
        (None, None),
    ],
)
async def test_read_form_parses_only_form_bodies(
    content_type: str | None, expected: dict[str, list[str]] | None
) -> None:
    ctx = _ctx(content_type, b"a=1&a=2&b=&c=%C3%A9+d")
    assert await ctx.read_form(1000) == expected


async def test_read_body_over_the_limit_raises_and_set_form_replaces_it() -> None:
    ctx = _ctx("application/x-www-form-urlencoded", b"user=a&secret=b")
    with pytest.raises(RequestBodyTooLarge):
        await ctx.read_body(5)
    ctx.set_form({"user": ["a b"]})
    assert await ctx.read_body(100) == b"user=a+b"
