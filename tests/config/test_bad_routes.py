"""Bad routes are refused with the exact path and message a user will read."""

from __future__ import annotations

import pytest

from .issues import issues_of, route

CASES: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "path without a slash",
        route("paths: [bar]"),
        [("services[0].routes[0].paths[0]", 'must start with "/"')],
    ),
    (
        "path with double slash",
        route("paths: ['/a//b']"),
        [("services[0].routes[0].paths[0]", 'not normalized; use "/a/b" instead')],
    ),
    (
        "path with dot segments",
        route("paths: ['/a/../b']"),
        [("services[0].routes[0].paths[0]", 'not normalized; use "/b" instead')],
    ),
    (
        "path with an encoded unreserved character",
        route("paths: ['/%7euser']"),
        [("services[0].routes[0].paths[0]", 'not normalized; use "/~user" instead')],
    ),
    (
        "path with a bad escape",
        route("paths: ['/a%zz']"),
        [
            (
                "services[0].routes[0].paths[0]",
                'invalid percent-encoding: "%" must be followed by two hex digits',
            )
        ],
    ),
    (
        "path with a space",
        route("paths: ['/a b']"),
        [
            (
                "services[0].routes[0].paths[0]",
                "contains characters not allowed in a URL path; percent-encode them (space as %20)",
            )
        ],
    ),
    (
        "broken regex",
        route("paths: ['~/(x']"),
        [
            (
                "services[0].routes[0].paths[0]",
                "invalid regex: missing ), unterminated subpattern at position 1",
            )
        ],
    ),
    (
        "regex without a slash",
        route("paths: ['~x']"),
        [("services[0].routes[0].paths[0]", 'a regex path must start with "~/"')],
    ),
    (
        "wildcard in the middle",
        route("hosts: ['a.*.com']"),
        [
            (
                "services[0].routes[0].hosts[0]",
                'invalid wildcard host "a.*.com": "*" must be the whole leftmost or rightmost'
                ' label, as in "*.example.com" or "example.*"',
            )
        ],
    ),
    (
        "two wildcards",
        route("hosts: ['*.*.com']"),
        [
            (
                "services[0].routes[0].hosts[0]",
                'invalid wildcard host "*.*.com": only one "*" is allowed',
            )
        ],
    ),
    (
        "partial-label wildcard",
        route("hosts: ['*example.com']"),
        [
            (
                "services[0].routes[0].hosts[0]",
                'invalid wildcard host "*example.com": "*" must be the whole leftmost or'
                ' rightmost label, as in "*.example.com" or "example.*"',
            )
        ],
    ),
    (
        "host with a space",
        route("hosts: ['bad host']"),
        [
            (
                "services[0].routes[0].hosts[0]",
                'invalid host "bad host": use a hostname such as "api.example.com"',
            )
        ],
    ),
    (
        "host with a port",
        route("hosts: ['a.test:8000']"),
        [
            (
                "services[0].routes[0].hosts[0]",
                'invalid host "a.test:8000": ports in hosts are not supported yet',
            )
        ],
    ),
    (
        "lower-case method",
        route("methods: [get]"),
        [("services[0].routes[0].methods[0]", 'invalid method "get": use upper case, e.g. "GET"')],
    ),
    (
        "not a method",
        route("methods: ['GE T']"),
        [
            (
                "services[0].routes[0].methods[0]",
                'invalid method "GE T": use an HTTP method such as "GET"',
            )
        ],
    ),
    (
        "host in headers",
        route("headers: {Host: [a.test]}"),
        [
            (
                "services[0].routes[0].headers.Host",
                'match the Host header with "hosts", not "headers"',
            )
        ],
    ),
    (
        "header without values",
        route("headers: {x-version: []}"),
        [("services[0].routes[0].headers.x-version", "give at least one value")],
    ),
    (
        "route matching nothing",
        route("name: r"),
        [("services[0].routes[0]", "set at least one of paths, hosts, methods or headers")],
    ),
    (
        "snis",
        route("paths: ['/'], snis: [a.test]"),
        [("services[0].routes[0].snis", "not supported by authgate yet; remove it")],
    ),
    (
        "bad path_handling",
        route("paths: ['/'], path_handling: v2"),
        [("services[0].routes[0].path_handling", 'must be "v0" or "v1"')],
    ),
    (
        "bad redirect status",
        route("paths: ['/'], https_redirect_status_code: 300"),
        [
            (
                "services[0].routes[0].https_redirect_status_code",
                "must be 426, 301, 302, 307 or 308",
            )
        ],
    ),
    (
        "string for a boolean",
        route("paths: ['/'], strip_path: 'yes'"),
        [("services[0].routes[0].strip_path", "must be true or false")],
    ),
    (
        "protocol authgate lacks on a route",
        route("paths: ['/'], protocols: [grpc]"),
        [("services[0].routes[0].protocols[0]", 'must be "http" or "https"')],
    ),
    (
        "nested route naming its service",
        route("paths: ['/'], service: s"),
        [
            (
                "services[0].routes[0].service",
                "remove it; a nested route belongs to its parent service",
            )
        ],
    ),
    (
        "path with an encoded NUL",
        route("paths: ['/a%00']"),
        [("services[0].routes[0].paths[0]", "%00 (NUL) is not allowed in a path")],
    ),
    (
        "header regex among other values",
        route("headers: {x-a: ['~*^a', b]}"),
        [
            (
                "services[0].routes[0].headers.x-a",
                'a "~*" regex must be the only value of its header',
            )
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_route_is_refused_with_exact_issue(text: str, expected: list[tuple[str, str]]) -> None:
    assert issues_of(text) == expected
