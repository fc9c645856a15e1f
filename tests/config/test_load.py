"""Valid configs load into flat, resolved entities with Kong's defaults and stable ids."""

from __future__ import annotations

import json
import textwrap
import uuid
from pathlib import Path

import pytest

from authgate.config import (
    ConfigError,
    ConfigIssue,
    GatewayConfig,
    load_config_text,
    load_gateway_config,
)

from .schemas import SCHEMAS, SecretConfig, TerminationConfig

WORKSHOP = """\
    _format_version: "3.0"
    _transform: true
    services:
      - name: echo
        url: https://Echo.Internal/anything
        routes:
          - name: bar
            paths: ["/bar"]
            plugins:
              - name: request-termination
                config: {status_code: 403}
        plugins:
          - name: request-termination
      - id: 2B1C6D2E-6A5E-4D8A-9A0E-8A3A1F1F0001
        host: 127.0.0.1
        port: 8080
    routes:
      - name: top
        service: {name: echo}
        hosts: ["API.example.com", "*.example.com"]
        headers: {X-Version: ["V1", "v2"]}
      - name: by-id
        service: 2b1c6d2e-6a5e-4d8a-9a0e-8a3a1f1f0001
        methods: [GET]
    consumers:
      - username: alice
        plugins:
          - name: request-termination
      - custom_id: "sub-123"
    plugins:
      - name: request-termination
        config: {message: global}
      - name: request-termination
        route: top
        consumer: alice
"""


def load(text: str = WORKSHOP, environ: dict[str, str] | None = None) -> GatewayConfig:
    return load_config_text(textwrap.dedent(text), SCHEMAS, environ=environ or {})


def test_url_shorthand_and_kong_defaults() -> None:
    echo, second = load().services
    assert (echo.protocol, echo.host, echo.port, echo.path) == (
        "https",
        "echo.internal",
        443,
        "/anything",
    )
    assert (second.protocol, second.port, second.path) == ("http", 8080, None)
    assert (echo.retries, echo.connect_timeout, echo.read_timeout, echo.write_timeout) == (
        5,
        60000,
        60000,
        60000,
    )
    assert echo.enabled is True
    assert "url" not in echo.model_dump()


def test_route_defaults() -> None:
    bar = load().routes[0]
    assert bar.strip_path is True
    assert bar.preserve_host is False
    assert bar.path_handling == "v0"
    assert bar.regex_priority == 0
    assert bar.protocols == ["http", "https"]
    assert bar.https_redirect_status_code == 426


def test_routes_are_flattened_with_their_service_id() -> None:
    config = load()
    echo, second = config.services
    assert second.id == "2b1c6d2e-6a5e-4d8a-9a0e-8a3a1f1f0001"
    assert [(r.name, r.service) for r in config.routes] == [
        ("bar", echo.id),
        ("top", echo.id),
        ("by-id", second.id),
    ]


def test_hosts_and_header_values_compare_case_insensitively() -> None:
    top = load().routes[1]
    assert top.hosts == ["api.example.com", "*.example.com"]
    assert top.headers == {"x-version": ["v1", "v2"]}


def test_plugins_are_flattened_with_scope_ids() -> None:
    config = load()
    echo = config.services[0]
    bar, top = config.routes[0], config.routes[1]
    alice = config.consumers[0]
    scopes = [(p.service, p.route, p.consumer) for p in config.plugins]
    assert scopes == [
        (None, bar.id, None),
        (echo.id, None, None),
        (None, None, alice.id),
        (None, None, None),
        (None, top.id, alice.id),
    ]


def test_plugin_config_is_the_validated_model() -> None:
    config = load()
    first, _, _, global_plugin, _ = config.plugins
    assert isinstance(first.config, TerminationConfig)
    assert first.config.status_code == 403
    assert global_plugin.config == TerminationConfig(message="global")
    assert config.model_dump()["plugins"][0]["config"] == {"status_code": 403, "message": None}


def test_generated_ids_are_stable_and_given_ids_kept() -> None:
    first, second = load(), load()
    assert first.model_dump() == second.model_dump()
    entities = [*first.services[:1], *first.routes, *first.consumers, *first.plugins]
    ids = [e.id for e in entities]
    assert len(set(ids)) == len(ids)
    assert all(uuid.UUID(i).version == 5 for i in ids)


def test_renaming_one_route_keeps_the_other_ids() -> None:
    before = load()
    after = load(WORKSHOP.replace("name: top", "name: top2").replace("route: top", "route: top2"))
    assert before.services == after.services
    assert before.routes[0].id == after.routes[0].id
    assert before.routes[1].id != after.routes[1].id


def test_vault_references_read_the_environment() -> None:
    text = """\
        _format_version: "3.0"
        plugins:
          - name: needs-secret
            config: {client_secret: "{vault://env/oidc-client-secret}"}
          - name: needs-secret
            instance_name: json
            route: r
            config: {client_secret: "{vault://env/BUNDLE/secret}"}
        routes:
          - {name: r, paths: ["/"]}
    """
    environ = {"OIDC_CLIENT_SECRET": "s3cret", "BUNDLE": json.dumps({"secret": "from-json"})}
    config = load(text, environ)
    assert config.plugins[0].config == SecretConfig(client_secret="s3cret")
    assert config.plugins[1].config == SecretConfig(client_secret="from-json")


def test_secret_values_never_appear_in_messages() -> None:
    text = """\
        _format_version: "3.0"
        plugins:
          - {name: needs-secret, config: {client_secret: "{vault://env/BUNDLE/nope}"}}
    """
    with pytest.raises(ConfigError) as info:
        load(text, {"BUNDLE": json.dumps({"secret": "hunter2"})})
    assert "hunter2" not in str(info.value)
    assert str(info.value) == (
        "<string>:3:35: plugins[0].config.client_secret: environment variable BUNDLE has no"
        ' string "nope"'
    )


def test_json_documents_load_too() -> None:
    document = {
        "_format_version": "3.0",
        "services": [{"name": "s", "url": "http://a.test", "routes": [{"paths": ["/"]}]}],
    }
    config = load_config_text(json.dumps(document), SCHEMAS)
    assert [r.paths for r in config.routes] == [["/"]]


def test_format_2_1_paths_with_regex_characters_become_regexes() -> None:
    text = """\
        _format_version: "2.1"
        routes:
          - {paths: ["/plain", "/users/\\\\d+"]}
    """
    assert load(text).routes[0].paths == ["/plain", "~/users/\\d+"]


def test_yaml_alias_bomb_is_refused() -> None:
    lines = ['_format_version: "3.0"', "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join(f'*a{i - 1}' for _ in range(10))}]" for i in range(1, 7)]
    with pytest.raises(ConfigError) as info:
        load("\n".join(lines) + "\n")
    assert str(info.value) == (
        "<string>:1:1: document too large: more than 200000 values (check YAML aliases)"
    )


def test_config_file_problems_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(ConfigError) as info:
        load_gateway_config(missing, SCHEMAS)
    assert str(info.value) == f"{missing}: cannot read: No such file or directory"
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b'_format_version: "3.0"\n# caf\xe9\n')
    with pytest.raises(ConfigError) as info:
        load_gateway_config(latin, SCHEMAS)
    assert str(info.value) == f"{latin}: not UTF-8 (byte 28)"


def test_config_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "kong.yaml"
    path.write_text(textwrap.dedent(WORKSHOP), encoding="utf-8")
    assert load_gateway_config(path, SCHEMAS) == load()


def test_an_unresolved_reference_is_one_problem_not_two() -> None:
    text = """\
        _format_version: "3.0"
        services:
          - name: s
            host: "{vault://env/UPSTREAM_HOST}"
    """
    with pytest.raises(ConfigError) as info:
        load(text, {})
    assert info.value.issues == [
        ConfigIssue(
            "services[0].host",
            "environment variable UPSTREAM_HOST is not set (from {vault://env/UPSTREAM_HOST})",
        )
    ]
