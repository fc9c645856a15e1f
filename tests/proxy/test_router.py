"""Which route a request picks, with Kong 3's priority rules, and what path goes upstream."""

from __future__ import annotations

import textwrap

import pytest

from authgate.config import load_config_text
from authgate.plugins.registry import plugin_schemas
from authgate.proxy.paths import normalize_path
from authgate.proxy.router import RouteMatch, Router


def router_for(routes: str, service: str = "url: http://127.0.0.1:8080") -> Router:
    """A router over one service (``service`` keys) with the nested ``routes`` (YAML list)."""
    text = '_format_version: "3.0"\nservices:\n  - name: svc\n    ' + service + "\n"
    text += "    routes:\n" + textwrap.indent(textwrap.dedent(routes), "      ")
    return Router(load_config_text(text, plugin_schemas()))


def match(
    router: Router,
    path: str,
    method: str = "GET",
    host: str = "localhost",
    headers: dict[str, str] | None = None,
) -> RouteMatch | None:
    lower = {k.lower(): v for k, v in (headers or {}).items()}
    return router.match(method, host, path, lower.get)


def name(found: RouteMatch | None) -> str | None:
    return found.route.name if found is not None else None


PREFIXES = router_for(
    """\
    - {name: root, paths: ["/"]}
    - {name: bar, paths: ["/bar"]}
    - {name: bar-baz, paths: ["/bar/baz"]}
    - {name: two-paths, paths: ["/a", "/abc"]}
    - {name: ab, paths: ["/ab"]}
    """
)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "root"),
        ("/other", "root"),
        ("/bar", "bar"),
        ("/bar/x", "bar"),
        ("/barx", "bar"),  # a plain string prefix, as in Kong
        ("/bar/baz", "bar-baz"),
        ("/bar/bazooka", "bar-baz"),
        ("/BAR", "root"),  # paths are case-sensitive
        ("/abc/x", "two-paths"),  # longest prefix among every route's paths
        ("/abx", "ab"),
        ("/ax", "two-paths"),
    ],
)
def test_longest_prefix_wins(path: str, expected: str) -> None:
    assert name(match(PREFIXES, path)) == expected


REGEXES = router_for(
    """\
    - {name: long-prefix, paths: ["/mixed/long/prefix"]}
    - {name: user, paths: ['~/users/(?<id>\\d+)$']}
    - {name: users, paths: ["~/users/"]}
    - {name: low, paths: ["~/pri/x"], regex_priority: 1}
    - {name: high, paths: ["~/pri/"], regex_priority: 10}
    - {name: mixed, paths: ["~/mixed"]}
    - {name: negative, paths: ["~/neg"], regex_priority: -5}
    - {name: neg-prefix, paths: ["/negative"]}
    """
)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/users/42", "user"),
        ("/users/42/posts", "users"),  # "user" ends with $
        ("/users/", "users"),
        ("/pri/x", "high"),  # higher regex_priority first, even if less specific
        ("/mixed/long/prefix/a", "mixed"),  # a regex before any prefix
        ("/negative", "negative"),  # still before prefixes, whatever its priority
        ("/x/users/1", None),  # regexes match at the start of the path
    ],
)
def test_regex_priority(path: str, expected: str | None) -> None:
    assert name(match(REGEXES, path)) == expected


def test_regex_captures_by_number_and_name() -> None:
    router = router_for("- {paths: ['~/u/(?<id>\\d+)/(\\w+)'], strip_path: false}\n")
    found = match(router, "/u/42/posts/7")
    assert found is not None
    assert dict(found.captures) == {"1": "42", "2": "posts", "id": "42"}
    assert found.matched_path == "/u/42/posts"
    assert found.upstream_path == "/u/42/posts/7"


def test_prefix_match_has_no_captures() -> None:
    found = match(PREFIXES, "/bar/x")
    assert found is not None
    assert (dict(found.captures), found.matched_path) == ({}, "/bar")


HOSTS = router_for(
    """\
    - {name: plain, hosts: [api.test], paths: ["/bar"]}
    - {name: wild, hosts: ["*.test"], paths: ["/bar"]}
    - {name: suffix, hosts: ["shop.*"], paths: ["/bar"]}
    - {name: mixed-hosts, hosts: [mixed.example, "*.mixed.example"], paths: ["/bar"]}
    - {name: ipv6, hosts: ["[::1]"], paths: ["/bar"]}
    - {name: any-host, paths: ["/bar"]}
    - {name: host-only, hosts: [only.example]}
    """
)


@pytest.mark.parametrize(
    ("host", "path", "expected"),
    [
        ("api.test", "/bar", "plain"),
        ("API.Test:8000", "/bar", "plain"),
        ("x.test", "/bar", "wild"),
        ("a.b.test", "/bar", "wild"),
        ("test", "/bar", "any-host"),  # "*" stands for at least one label
        ("x.test.evil", "/bar", "any-host"),
        ("shop.example.com", "/bar", "suffix"),
        ("shop.", "/bar", "any-host"),
        ("mixed.example", "/bar", "mixed-hosts"),
        ("a.mixed.example", "/bar", "mixed-hosts"),
        ("[::1]:8000", "/bar", "ipv6"),
        ("", "/bar", "any-host"),
        ("only.example", "/anything", "host-only"),
        ("only.example", "/bar", "host-only"),  # plain host beats a path-only route, same weight
        ("only.test", "/bar", "wild"),
        ("elsewhere.test", "/anything", None),
    ],
)
def test_host_matching(host: str, path: str, expected: str | None) -> None:
    assert name(match(HOSTS, path, host=host)) == expected


def test_plain_hosts_before_wildcard_hosts() -> None:
    router = router_for(
        """\
        - {name: wild, hosts: ["*.test"], paths: ["/"]}
        - {name: plain, hosts: [a.test], paths: ["/"]}
        """
    )
    assert name(match(router, "/", host="a.test")) == "plain"
    assert name(match(router, "/", host="b.test")) == "wild"


ATTRIBUTES = router_for(
    """\
    - {name: bar, paths: ["/bar"]}
    - {name: post, methods: [POST, PUT], paths: ["/bar"]}
    - {name: v2, headers: {X-Version: [v2, v3]}, paths: ["/bar"]}
    - {name: mobile, headers: {x-client: ["~*^mobile-"]}, paths: ["/bar"]}
    - {name: two-headers, headers: {x-version: [v2], x-beta: ["on"]}, paths: ["/bar"]}
    - {name: host-method, hosts: [api.test], methods: [DELETE], paths: ["/bar"]}
    - {name: method-only, methods: [PATCH]}
    """
)


@pytest.mark.parametrize(
    ("method", "host", "headers", "path", "expected"),
    [
        ("GET", "x", {}, "/bar", "bar"),
        ("POST", "x", {}, "/bar", "post"),
        ("PUT", "x", {}, "/bar/1", "post"),
        ("GET", "x", {"X-Version": "V2"}, "/bar", "v2"),
        ("GET", "x", {"x-version": "v4"}, "/bar", "bar"),
        ("POST", "x", {"x-version": "v3"}, "/bar", "v2"),  # more headers first at equal weight
        ("GET", "x", {"x-client": "Mobile-iOS"}, "/bar", "mobile"),
        ("GET", "x", {"x-client": "desktop-mobile-x"}, "/bar", "bar"),
        ("GET", "x", {"x-version": "v2", "x-beta": "on"}, "/bar", "two-headers"),
        ("GET", "x", {"x-version": "v2", "x-client": "mobile-a"}, "/bar", "v2"),  # first defined
        ("DELETE", "api.test", {}, "/bar", "host-method"),
        ("DELETE", "other.test", {}, "/bar", "bar"),
        ("PATCH", "x", {}, "/anything", "method-only"),
        ("PATCH", "x", {}, "/bar", "bar"),  # a path and no method: same weight, longer prefix
    ],
)
def test_methods_and_headers(
    method: str, host: str, headers: dict[str, str], path: str, expected: str
) -> None:
    assert name(match(ATTRIBUTES, path, method=method, host=host, headers=headers)) == expected


@pytest.mark.parametrize(
    ("service_path", "route", "path", "upstream"),
    [
        ("/anything", "{paths: ['/bar']}", "/bar/x", "/anything/x"),
        ("/anything", "{paths: ['/bar']}", "/bar", "/anything"),
        ("/anything", "{paths: ['/bar']}", "/bar/", "/anything/"),
        ("/anything", "{paths: ['/bar'], strip_path: false}", "/bar/x", "/anything/bar/x"),
        ("/anything", "{paths: ['/bar'], path_handling: v1}", "/barx", "/anythingx"),
        ("/anything/", "{paths: ['/bar']}", "/bar/x", "/anything/x"),
        (None, "{paths: ['/bar']}", "/bar/x", "/x"),
        (None, "{paths: ['/bar/']}", "/bar/", "/"),
        (None, "{paths: ['/bar'], strip_path: false}", "/bar/x", "/bar/x"),
        ("/svc", "{paths: ['~/v\\d+/'], strip_path: true}", "/v2/items", "/svc/items"),
        ("/svc", "{methods: [GET]}", "/any/thing", "/svc/any/thing"),
    ],
)
def test_upstream_path_of_a_match(
    service_path: str | None, route: str, path: str, upstream: str
) -> None:
    url = "http://127.0.0.1:8080" + (service_path or "")
    router = router_for(f"- {route}\n", service=f"url: {url}")
    found = match(router, path)
    assert found is not None
    assert found.upstream_path == upstream


BYPASS = router_for(
    """\
    - {name: bar, paths: ["/bar"]}
    - {name: admin, paths: ["/admin"]}
    """,
    service="url: http://127.0.0.1:8080/internal",
)


@pytest.mark.parametrize(
    ("raw", "expected", "upstream"),
    [
        ("/bar", "bar", "/internal"),
        ("//bar", "bar", "/internal"),
        ("/%62ar/x", "bar", "/internal/x"),
        ("/%62%61%72", "bar", "/internal"),
        ("/bar/../admin", "admin", "/internal"),
        ("/bar/%2e%2e/admin", "admin", "/internal"),
        ("/bar/%2E%2E/admin/x", "admin", "/internal/x"),
        ("/bar/.%2e/admin", "admin", "/internal"),
        ("/x/../bar//y", "bar", "/internal/y"),
        ("/%2fbar", None, None),  # an encoded slash stays encoded: no route
        ("/%2Fadmin", None, None),
        ("/BAR", None, None),
    ],
)
def test_normalization_cannot_bypass_routes(
    raw: str, expected: str | None, upstream: str | None
) -> None:
    path = normalize_path(raw)
    assert path is not None
    found = match(BYPASS, path)
    assert name(found) == expected
    assert (found.upstream_path if found else None) == upstream


def test_disabled_service_routes_are_left_out() -> None:
    router = router_for("- {paths: ['/']}\n", service="url: http://a.test\n    enabled: false")
    assert match(router, "/") is None


def test_route_without_service_matches_with_no_service() -> None:
    text = '_format_version: "3.0"\nroutes:\n  - {name: lone, paths: ["/lone"]}\n'
    found = match(Router(load_config_text(text, plugin_schemas())), "/lone/x")
    assert found is not None
    assert (found.route.name, found.service, found.upstream_path) == ("lone", None, "/x")


def test_match_carries_route_and_service() -> None:
    found = match(PREFIXES, "/bar/x")
    assert found is not None
    assert found.service is not None
    assert found.route.service == found.service.id
    assert (found.service.host, found.service.port) == ("127.0.0.1", 8080)


def test_repeated_requests_with_different_headers_are_not_confused() -> None:
    router = router_for(
        """\
        - {name: plain, paths: ["/x"]}
        - {name: beta, paths: ["/x"], headers: {x-beta: ["on"]}}
        """
    )
    for _ in range(3):
        assert name(match(router, "/x", headers={"x-beta": "on"})) == "beta"
        assert name(match(router, "/x")) == "plain"
        assert name(match(router, "/x", headers={"x-beta": "off"})) == "plain"


def test_routing_stays_right_when_many_distinct_paths_overflow_the_cache() -> None:
    paths = [f"/api{i}" for i in range(200)]
    router = router_for("".join(f"- {{name: r{i}, paths: ['{p}']}}\n" for i, p in enumerate(paths)))
    for n in range(10_000):
        i = n % 200
        found = match(router, f"/api{i}/item/{n}")
        # /api1x... also starts with /api1: the longest configured prefix must win
        assert name(found) == f"r{i}"
        assert found is not None
        assert found.upstream_path == f"/item/{n}"
    assert match(router, "/ap") is None
    assert match(router, "/" + "a" * 2000) is None


def test_long_paths_are_routed_too() -> None:
    found = match(PREFIXES, "/bar/" + "x" * 5000)
    assert name(found) == "bar"
