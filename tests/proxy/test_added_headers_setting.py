"""Parsing ``--headers`` (Kong's ``headers``): what each value enables, and every bad entry
named in one message with the allowed values (no sockets: the proxy tests are elsewhere)."""

from __future__ import annotations

import pytest

from authgate.proxy.added_headers import (
    ALLOWED,
    DEFAULT_HEADERS,
    KONG_DEFAULT_HEADERS,
    parse_headers,
)

KONG_LATENCY = {
    "x-kong-proxy-latency",
    "x-kong-response-latency",
    "x-kong-upstream-latency",
    "x-kong-admin-latency",
}
AUTHGATE_LATENCY = {
    "x-authgate-proxy-latency",
    "x-authgate-response-latency",
    "x-authgate-upstream-latency",
}
VALID = [
    (DEFAULT_HEADERS, {"server", "via", "x-request-id", *AUTHGATE_LATENCY}),
    (KONG_DEFAULT_HEADERS, {"server", "via", "x-kong-request-id", *KONG_LATENCY}),
    ("server_tokens", {"server", "via"}),
    ("Server", {"server"}),
    ("VIA", {"via"}),
    ("latency_tokens", KONG_LATENCY),
    ("authgate_latency_tokens", AUTHGATE_LATENCY),
    ("X-Kong-Upstream-Status,x-kong-request-id", {"x-kong-upstream-status", "x-kong-request-id"}),
    ("x-kong-proxy-latency, X-Kong-Proxy-Latency", {"x-kong-proxy-latency"}),
    ("off", set()),
    ("OFF", set()),
    ("", set()),
    (" , ,", set()),
]


@pytest.mark.parametrize(("setting", "enabled"), VALID, ids=[repr(s) for s, _ in VALID])
def test_each_value_enables_what_kong_conf_default_says(setting: str, enabled: set[str]) -> None:
    assert parse_headers(setting).enabled == enabled


INVALID = [
    ("server_tokens,Foo-Bar", ["invalid entry 'Foo-Bar'"]),
    ("X-Kong-Total-Latency", ["'X-Kong-Total-Latency' is a Kong value authgate does not support"]),
    ("advanced_latency_tokens", ["'advanced_latency_tokens' is a Kong value"]),
    ("off, via", ["'off' cannot be combined with other values"]),
    ("a, via, b", ["invalid entry 'a'", "invalid entry 'b'"]),
    ("X-Authgate-Latency", ["invalid entry 'X-Authgate-Latency'"]),
]


@pytest.mark.parametrize(("setting", "problems"), INVALID, ids=[s for s, _ in INVALID])
def test_bad_entries_are_all_named_with_the_allowed_values(
    setting: str, problems: list[str]
) -> None:
    with pytest.raises(ValueError, match="allowed: ") as raised:
        parse_headers(setting)
    message = str(raised.value)
    for problem in problems:
        assert problem in message
    assert message.endswith(f"(allowed: {ALLOWED})")
    for value in ("server_tokens", "latency_tokens", "X-Kong-Request-Id", "X-Request-Id", "off"):
        assert value in ALLOWED


def test_the_proxied_format_is_one_line_per_chosen_name_in_a_fixed_order() -> None:
    both = parse_headers("latency_tokens, authgate_latency_tokens, x-kong-upstream-status, via")
    lines = both.proxied("rid", 201, 5, 3)
    assert lines == (
        "x-kong-upstream-status: 201\r\n"
        "x-authgate-upstream-latency: 5\r\nx-kong-upstream-latency: 5\r\n"
        "x-authgate-proxy-latency: 3\r\nx-kong-proxy-latency: 3\r\n"
    )
    assert parse_headers("off").proxied("rid", 200, 1, 1) == ""
    assert parse_headers(DEFAULT_HEADERS).proxied("rid", 200, 4, 2) == (
        "x-request-id: rid\r\nx-authgate-upstream-latency: 4\r\nx-authgate-proxy-latency: 2\r\n"
    )
    assert parse_headers(KONG_DEFAULT_HEADERS).proxied("rid", 200, 4, 2) == (
        "x-kong-request-id: rid\r\nx-kong-upstream-latency: 4\r\nx-kong-proxy-latency: 2\r\n"
    )
