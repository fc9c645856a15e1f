"""Header hygiene: client copies of plugin headers, in any case or `_` spelling, are dropped."""

from __future__ import annotations

from authgate.plugins.base import Headers
from authgate.plugins.openid_connect.rs.bearer import find_bearer, find_pair
from authgate.plugins.openid_connect.rs.headers import (
    HeaderTarget,
    claim_header_value,
    strip_spoofable,
)


def test_spoofed_identity_headers_are_removed_in_every_spelling() -> None:
    headers = Headers(
        [
            ("X-Consumer-ID", "admin"),
            ("X_Consumer_ID", "admin"),
            ("x-consumer_username", "root"),
            ("X-USERINFO", "e30="),
            ("Accept", "*/*"),
        ]
    )
    strip_spoofable(headers, ["x-consumer-id", "x-consumer-username", "x-userinfo"])
    assert headers.items() == [("accept", "*/*")]


def test_header_values_from_claims_cannot_inject_lines() -> None:
    assert claim_header_value("a\r\nX-Admin: 1") is None
    assert claim_header_value(["a", "b"]) == "a,b"
    assert claim_header_value({"k": 1}) == '{"k":1}'
    assert claim_header_value("Zoë") == "Zoë".encode().decode("latin-1")


def test_upstream_header_spec_with_scheme() -> None:
    headers = Headers()
    HeaderTarget("authorization:bearer").set(headers, "tok")
    HeaderTarget("x-id-token").set(headers, "id")
    assert headers.items() == [("authorization", "Bearer tok"), ("x-id-token", "id")]


def test_bearer_search_order_and_sources() -> None:
    both = Headers([("authorization", "Bearer from-header"), ("x-access-token", "x")])
    assert find_bearer(both, {}, None, ["header"], None).value == "from-header"  # type: ignore[union-attr]
    alt = Headers([("access-token", "alt")])
    found = find_bearer(alt, {"access_token": ["q"]}, None, ["query", "header"], None)
    assert found is not None
    assert (found.value, found.source) == ("alt", "header:access-token")
    query = find_bearer(Headers(), {"access_token": ["q"]}, None, ["header", "query"], None)
    assert query is not None
    assert query.source == "query:access_token"
    cookie = Headers([("cookie", "a=1; at=tok")])
    found = find_bearer(cookie, {}, None, ["cookie"], "at")
    assert found is not None
    assert found.value == "tok"
    assert find_bearer(Headers([("authorization", "Bearer x")]), {}, None, ["query"], None) is None


def test_basic_credentials_pair() -> None:
    headers = Headers([("authorization", "Basic YWxpY2U6cyNjcjN0")])
    assert find_pair(headers, {}, None, ["header"], ("username", "password")) == (
        "alice",
        "s#cr3t",
        "header:authorization",
    )
