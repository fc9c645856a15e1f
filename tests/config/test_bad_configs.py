"""Every kind of bad config is refused with the exact path and message a user will read."""

from __future__ import annotations

import pytest

from authgate.config import ConfigError, ConfigIssue

from .issues import HEAD, SVC, issues_of

CASES: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("empty file", "", [("", 'the config is empty; start it with _format_version: "3.0"')]),
    (
        "root is a list",
        "- services\n",
        [("", 'the config must be a mapping with _format_version: "3.0" at the top')],
    ),
    (
        "no format version",
        "services: []\n",
        [("_format_version", 'required; add _format_version: "3.0"')],
    ),
    (
        "unknown format version",
        '_format_version: "4.0"\n',
        [("_format_version", "unsupported '4.0'; use \"3.0\"")],
    ),
    (
        "misspelt top-level key",
        HEAD + "servics: []\n",
        [("servics", 'unknown field (did you mean "services"?)')],
    ),
    (
        "kong entity authgate lacks",
        HEAD + "vaults: []\n",
        [("vaults", "not supported by authgate yet; remove it")],
    ),
    ("services not a list", HEAD + "services: {}\n", [("services", "must be a list")]),
    ("service not a mapping", HEAD + "services: [x]\n", [("services[0]", "must be a mapping")]),
    ("unknown service key", SVC + "    foo: 1\n", [("services[0].foo", "unknown field")]),
    (
        "near-miss service key",
        SVC + "    retry: 1\n",
        [("services[0].retry", 'unknown field (did you mean "retries"?)')],
    ),
    (
        "port out of range",
        HEAD + "services:\n  - {host: a.test, port: 0}\n",
        [("services[0].port", "must be between 1 and 65535")],
    ),
    (
        "port as a string",
        HEAD + "services:\n  - {host: a.test, port: '80'}\n",
        [("services[0].port", "must be an integer")],
    ),
    (
        "no host and no url",
        HEAD + "services:\n  - {name: s}\n",
        [("services[0].host", "required; set url or host")],
    ),
    (
        "url and host together",
        HEAD + "services:\n  - {url: 'http://a.test', host: b.test}\n",
        [("services[0].url", "set either url or protocol/host/port/path, not both")],
    ),
    (
        "url with another scheme",
        HEAD + "services:\n  - {url: 'ftp://a.test'}\n",
        [("services[0].url", "invalid url 'ftp://a.test'; use http://host[:port][/path]")],
    ),
    (
        "url with a kong protocol authgate lacks",
        HEAD + "services:\n  - {url: 'grpc://a.test'}\n",
        [("services[0].url", '"grpc" is not supported by authgate yet; use http or https')],
    ),
    (
        "url port out of range",
        HEAD + "services:\n  - {url: 'http://a.test:70000'}\n",
        [("services[0].url", "the port must be between 1 and 65535")],
    ),
    (
        "url with a query",
        HEAD + "services:\n  - {url: 'http://a.test/x?y=1'}\n",
        [("services[0].url", "remove the query string and fragment from the url")],
    ),
    (
        "bad service host",
        HEAD + "services:\n  - {host: 'a b'}\n",
        [("services[0].host", 'invalid host "a b": use a hostname or an IP address')],
    ),
    (
        "timeout out of range",
        SVC + "    connect_timeout: 0\n",
        [("services[0].connect_timeout", "must be between 1 and 2147483646")],
    ),
    (
        "negative retries",
        SVC + "    retries: -1\n",
        [("services[0].retries", "must be between 0 and 32767")],
    ),
    (
        "bad protocol",
        HEAD + "services:\n  - {host: a.test, protocol: ftp}\n",
        [("services[0].protocol", 'must be "http" or "https"')],
    ),
    (
        "tls_verify",
        SVC + "    tls_verify: true\n",
        [("services[0].tls_verify", "not supported by authgate yet; remove it")],
    ),
    (
        "duplicate service names",
        SVC + "  - {name: s, host: b.test}\n",
        [("services[1].name", 'service name "s" is already used by services[0]')],
    ),
    (
        "dangling service reference",
        SVC + "routes:\n  - {service: nobody, paths: ['/']}\n",
        [("routes[0].service", 'no service "nobody" (known: s)')],
    ),
    (
        "consumer without identity",
        HEAD + "consumers:\n  - {tags: [a]}\n",
        [("consumers[0]", "set username or custom_id (or both)")],
    ),
    (
        "duplicate consumer username",
        HEAD + "consumers:\n  - {username: a}\n  - {username: a}\n",
        [("consumers[1].username", 'consumer username "a" is already used by consumers[0]')],
    ),
    (
        "unknown plugin",
        HEAD + "plugins:\n  - {name: nope}\n",
        [
            (
                "plugins[0].name",
                'unknown plugin "nope"; known plugins: needs-secret, request-termination',
            )
        ],
    ),
    (
        "plugin config with a bad value and an unknown key",
        SVC
        + "    plugins:\n      - {name: request-termination, config: {status_code: 'x', y: 1}}\n",
        [
            ("services[0].plugins[0].config.status_code", "must be an integer"),
            ("services[0].plugins[0].config.y", "unknown field"),
        ],
    ),
    (
        "plugin config out of range",
        HEAD + "plugins:\n  - {name: request-termination, config: {status_code: 700}}\n",
        [("plugins[0].config.status_code", "must be at most 599")],
    ),
    (
        "plugin config not a mapping",
        HEAD + "plugins:\n  - {name: request-termination, config: [1]}\n",
        [("plugins[0].config", "must be a mapping")],
    ),
    (
        "same plugin twice in one scope",
        HEAD + "plugins:\n  - {name: request-termination}\n  - {name: request-termination}\n",
        [
            (
                "plugins[1].name",
                'plugin "request-termination" is already configured for this scope by plugins[0]',
            )
        ],
    ),
    (
        "plugin scoped to a missing consumer",
        HEAD + "plugins:\n  - {name: request-termination, consumer: bob}\n",
        [("plugins[0].consumer", 'no consumer "bob" (known: none)')],
    ),
    (
        "vault reference to an unset variable",
        HEAD
        + "plugins:\n  - {name: needs-secret, config: {client_secret: '{vault://env/oidc-secret}'}}\n",
        [
            (
                "plugins[0].config.client_secret",
                "environment variable OIDC_SECRET is not set (from {vault://env/oidc-secret})",
            )
        ],
    ),
    (
        "vault reference to another vault",
        HEAD + "plugins:\n  - {name: needs-secret, config: {client_secret: '{vault://aws/x}'}}\n",
        [
            (
                "plugins[0].config.client_secret",
                'unknown vault "aws": only {vault://env/NAME} is supported',
            )
        ],
    ),
    (
        "id that is not a UUID",
        SVC + "    id: '42'\n",
        [("services[0].id", '"42" is not a UUID; omit id to get a generated one')],
    ),
    (
        "name with a space",
        HEAD + "services:\n  - {name: 'my service', host: a.test}\n",
        [
            (
                "services[0].name",
                'invalid name "my service": use letters, digits, ".", "-", "_" or "~" (no spaces)',
            )
        ],
    ),
    (
        "tag with a comma",
        SVC + "    tags: ['a,b']\n",
        [("services[0].tags[0]", 'invalid tag "a,b": use printable text without "," or "/"')],
    ),
    (
        "duplicate key",
        HEAD + "services:\n  - name: a\n    name: b\n",
        [("kong.yaml:4:5", 'invalid YAML: duplicate key "name"')],
    ),
    (
        "YAML syntax error",
        HEAD + "services:\n  - name: a\n   host: b\n",
        [("kong.yaml:4:4", "invalid YAML: did not find expected '-' indicator")],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_config_is_refused_with_exact_issue(text: str, expected: list[tuple[str, str]]) -> None:
    assert issues_of(text) == expected


def test_every_problem_is_reported_in_one_pass() -> None:
    text = """\
        _format_version: "3.0"
        services:
          - name: api
            url: http://127.0.0.1:8080
            port: 0
            foo: bar
            routes:
              - name: r1
                paths: ["bar", "/ok", "/a//b"]
                methods: [get]
                plugins:
                  - name: nope
          - name: api
            host: 10.0.0.1
            read_timeout: -5
        routes:
          - service: ghost
            hosts: ["*.*.test"]
        consumers:
          - tags: []
        plugins:
          - name: request-termination
            config: {status_code: 99}
            route: r2
    """
    assert issues_of(text) == [
        ("services[0].url", "set either url or protocol/host/port/path, not both"),
        ("services[0].port", "must be between 1 and 65535"),
        ("services[0].foo", "unknown field"),
        ("services[0].routes[0].paths[0]", 'must start with "/"'),
        ("services[0].routes[0].paths[2]", 'not normalized; use "/a/b" instead'),
        ("services[0].routes[0].methods[0]", 'invalid method "get": use upper case, e.g. "GET"'),
        (
            "services[0].routes[0].plugins[0].name",
            'unknown plugin "nope"; known plugins: needs-secret, request-termination',
        ),
        ("services[1].read_timeout", "must be between 1 and 2147483646"),
        (
            "routes[0].hosts[0]",
            'invalid wildcard host "*.*.test": only one "*" is allowed',
        ),
        ("consumers[0]", "set username or custom_id (or both)"),
        ("plugins[0].config.status_code", "must be at least 100"),
        ("services[1].name", 'service name "api" is already used by services[0]'),
        ("routes[0].service", 'no service "ghost" (known: api)'),
        ("plugins[0].route", 'no route "r2" (known: r1)'),
    ]


def test_config_error_prints_one_line_per_issue() -> None:
    error = ConfigError(
        [ConfigIssue("services[0].port", "must be between 1 and 65535"), ConfigIssue("", "x")]
    )
    assert str(error) == "services[0].port: must be between 1 and 65535\nx"
