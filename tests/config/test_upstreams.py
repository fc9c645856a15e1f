"""Upstreams and targets: Kong's fields and defaults, and every bad value refused at its path."""

from __future__ import annotations

import pytest

from authgate.config import GatewayConfig, load_config_text

from .issues import HEAD, issues_of
from .schemas import SCHEMAS

UP = HEAD + "upstreams:\n  - name: backend\n"

CASES: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "kong algorithm authgate lacks",
        UP + "    algorithm: latency\n",
        [
            (
                "upstreams[0].algorithm",
                '"latency" is not supported by authgate yet;'
                " use round-robin, least-connections or consistent-hashing",
            )
        ],
    ),
    (
        "unknown algorithm",
        UP + "    algorithm: random\n",
        [
            (
                "upstreams[0].algorithm",
                'must be "round-robin", "consistent-hashing", "least-connections" or "latency"',
            )
        ],
    ),
    (
        "cookie hashing",
        UP + "    algorithm: consistent-hashing\n    hash_on: cookie\n    hash_on_cookie: c\n",
        [
            ("upstreams[0].hash_on_cookie", "not supported by authgate yet; remove it"),
            (
                "upstreams[0].hash_on",
                '"cookie" is not supported by authgate yet; use none, consumer, ip or header',
            ),
        ],
    ),
    (
        "header hashing without the header",
        UP + "    hash_on: header\n",
        [("upstreams[0].hash_on_header", "required when hash_on is header")],
    ),
    (
        "fallback without hash_on",
        UP + "    hash_fallback: ip\n",
        [("upstreams[0].hash_fallback", 'must be "none" when hash_on is "none"')],
    ),
    (
        "fallback equal to hash_on",
        UP + "    hash_on: ip\n    hash_fallback: ip\n",
        [("upstreams[0].hash_fallback", "must differ from hash_on")],
    ),
    (
        "same header twice",
        UP + "    hash_on: header\n    hash_on_header: a\n"
        "    hash_fallback: header\n    hash_fallback_header: A\n",
        [("upstreams[0].hash_fallback_header", "must differ from hash_on_header")],
    ),
    (
        "slots below kong's range",
        UP + "    slots: 5\n",
        [("upstreams[0].slots", "must be between 10 and 65536")],
    ),
    (
        "slots above kong's range",
        UP + "    slots: 65537\n",
        [("upstreams[0].slots", "must be between 10 and 65536")],
    ),
    (
        "ip address as name",
        HEAD + "upstreams:\n  - name: 10.0.0.1\n",
        [("upstreams[0].name", 'invalid name "10.0.0.1": use a hostname, not an IP address')],
    ),
    (
        "name with a port",
        HEAD + "upstreams:\n  - name: 'a.test:80'\n",
        [("upstreams[0].name", 'invalid name "a.test:80": remove the port')],
    ),
    ("no name", HEAD + "upstreams:\n  - {slots: 100}\n", [("upstreams[0].name", "required")]),
    (
        "duplicate upstream",
        UP + "  - name: backend\n",
        [("upstreams[1].name", 'upstream name "backend" is already used by upstreams[0]')],
    ),
    (
        "weight out of range",
        UP + "    targets: [{target: 'a.test:80', weight: 70000}]\n",
        [("upstreams[0].targets[0].weight", "must be between 0 and 65535")],
    ),
    (
        "target port out of range",
        UP + "    targets: [{target: 'a.test:0'}]\n",
        [
            (
                "upstreams[0].targets[0].target",
                'invalid target "a.test:0": the port must be between 1 and 65535',
            )
        ],
    ),
    (
        "bare ipv6 target",
        UP + "    targets: [{target: '::1'}]\n",
        [
            (
                "upstreams[0].targets[0].target",
                'invalid target "::1": put an IPv6 address in brackets',
            )
        ],
    ),
    (
        "the same target twice (default port)",
        UP + "    targets: [{target: a.test}, {target: 'a.test:8000'}]\n",
        [
            (
                "upstreams[0].targets[1].target",
                'target "a.test:8000" is already in this upstream (upstreams[0].targets[0])',
            )
        ],
    ),
    (
        "nested target naming its upstream",
        UP + "    targets: [{target: a.test, upstream: backend}]\n",
        [
            (
                "upstreams[0].targets[0].upstream",
                "remove it; a nested target belongs to its upstream",
            )
        ],
    ),
    (
        "top-level target of an unknown upstream",
        UP + "targets: [{target: a.test, upstream: nope}]\n",
        [("targets[0].upstream", 'no upstream "nope" (known: backend)')],
    ),
    (
        "top-level target without upstream",
        UP + "targets: [{target: a.test}]\n",
        [("targets[0].upstream", "required; name the target's upstream")],
    ),
    (
        "negative interval",
        UP + "    healthchecks: {active: {healthy: {interval: -1}}}\n",
        [("upstreams[0].healthchecks.active.healthy.interval", "must be between 0 and 65535")],
    ),
    (
        "counter above 255",
        UP + "    healthchecks: {passive: {healthy: {successes: 300}}}\n",
        [("upstreams[0].healthchecks.passive.healthy.successes", "must be between 0 and 255")],
    ),
    (
        "not a status",
        UP + "    healthchecks: {passive: {unhealthy: {http_statuses: [99]}}}\n",
        [
            (
                "upstreams[0].healthchecks.passive.unhealthy.http_statuses",
                "99 is not an HTTP status; use 100 to 999",
            )
        ],
    ),
    (
        "grpc probes",
        UP + "    healthchecks: {active: {type: grpc}}\n",
        [
            (
                "upstreams[0].healthchecks.active.type",
                '"grpc" is not supported by authgate yet; use tcp, http or https',
            )
        ],
    ),
    (
        "misspelt health check key",
        UP + "    healthchecks: {active: {intervall: 1}}\n",
        [("upstreams[0].healthchecks.active.intervall", "unknown field")],
    ),
    (
        "probe header with CRLF",
        UP + '    healthchecks: {active: {headers: {x-a: ["a\\r\\nb"]}}}\n',
        [
            (
                "upstreams[0].healthchecks.active.headers.x-a",
                "header values must not contain CR, LF or NUL",
            )
        ],
    ),
    (
        "threshold above 100",
        UP + "    healthchecks: {threshold: 120}\n",
        [("upstreams[0].healthchecks.threshold", "must be between 0 and 100")],
    ),
    (
        "kong fields authgate lacks",
        UP + "    client_certificate: {id: x}\n    use_srv_name: true\n"
        "    hash_on_cookie_path: /x\n    hash_on_query_arg: q\n",
        [
            ("upstreams[0].client_certificate", "not supported by authgate yet; remove it"),
            ("upstreams[0].hash_on_query_arg", "not supported by authgate yet; remove it"),
            ("upstreams[0].hash_on_cookie_path", "not supported by authgate yet; remove it"),
            ("upstreams[0].use_srv_name", "not supported by authgate yet; remove it"),
        ],
    ),
    ("targets not a list", UP + "    targets: {}\n", [("upstreams[0].targets", "must be a list")]),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [(text, expected) for _, text, expected in CASES],
    ids=[c[0] for c in CASES],
)
def test_bad_upstream_configs_are_refused_at_their_path(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert issues_of(text) == expected


def test_every_problem_is_reported_in_one_pass() -> None:
    text = (
        UP
        + "    slots: 1\n    targets: [{target: 'a b'}, {target: a.test, weight: -1}]\n"
        + "targets: [{target: b.test, upstream: other}]\n"
    )
    assert [path for path, _ in issues_of(text)] == [
        "upstreams[0].slots",
        "upstreams[0].targets[0].target",
        "upstreams[0].targets[1].weight",
        "targets[0].upstream",
    ]


def _load(text: str) -> GatewayConfig:
    return load_config_text(text, SCHEMAS, environ={})


def test_defaults_are_kongs() -> None:
    config = _load(UP + "    targets: [{target: a.test}]\n")
    [upstream] = config.upstreams
    assert (upstream.algorithm, upstream.hash_on, upstream.hash_fallback) == (
        "round-robin",
        "none",
        "none",
    )
    assert upstream.slots == 10000
    active, passive = upstream.healthchecks.active, upstream.healthchecks.passive
    assert (active.type, active.timeout, active.concurrency, active.http_path) == (
        "http",
        1,
        10,
        "/",
    )
    assert active.healthy.http_statuses == [200, 302]
    assert active.unhealthy.http_statuses == [429, 404, 500, 501, 502, 503, 504, 505]
    assert (active.healthy.interval, active.unhealthy.interval) == (0, 0)
    assert passive.unhealthy.http_statuses == [429, 500, 503]
    assert passive.unhealthy.http_failures == passive.unhealthy.tcp_failures == 0
    [target] = config.targets
    assert (target.target, target.weight, target.upstream) == ("a.test:8000", 100, upstream.id)


def test_deck_style_defaults_are_accepted() -> None:
    config = _load(UP + "    hash_on_cookie_path: /\n    use_srv_name: false\n")
    assert config.upstreams[0].name == "backend"


def test_targets_nested_and_top_level_by_name_or_id() -> None:
    text = (
        HEAD
        + "upstreams:\n  - name: backend\n    id: 9a3e6f0e-0a4b-4c43-9d3c-1f4f0c1b2d3e\n"
        + "    targets: [{target: '10.0.0.1:81', weight: 0}]\n"
        + "targets:\n  - {target: '[::1]', upstream: backend}\n"
        + "  - {target: b.test:82, upstream: {id: 9a3e6f0e-0a4b-4c43-9d3c-1f4f0c1b2d3e}}\n"
    )
    config = _load(text)
    assert [(t.target, t.weight) for t in config.targets] == [
        ("10.0.0.1:81", 0),
        ("[::1]:8000", 100),
        ("b.test:82", 100),
    ]
    assert {t.upstream for t in config.targets} == {"9a3e6f0e-0a4b-4c43-9d3c-1f4f0c1b2d3e"}
    assert config.targets[1].address == ("::1", 8000)


def test_generated_ids_are_stable_across_loads() -> None:
    text = UP + "    targets: [{target: a.test}]\n"
    first, second = _load(text), _load(text)
    assert first.upstreams[0].id == second.upstreams[0].id
    assert first.targets[0].id == second.targets[0].id
