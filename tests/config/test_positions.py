"""Every config problem names the file, line and column of the key it is about."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from authgate.config import ConfigError, load_config_text, load_gateway_config

from .issues import HEAD, SVC
from .schemas import SCHEMAS

CASES: list[tuple[str, str, list[str]]] = [
    (
        "empty file",
        "",
        ['kong.yaml:1:1: the config is empty; start it with _format_version: "3.0"'],
    ),
    (
        "top-level typo",
        HEAD + "servics: []\n",
        ['kong.yaml:2:1: servics: unknown field (did you mean "services"?)'],
    ),
    (
        "no format version: the document itself",
        "services: []\n",
        ['kong.yaml:1:1: _format_version: required; add _format_version: "3.0"'],
    ),
    (
        "service key",
        SVC + "    retry: 1\n",
        ['kong.yaml:5:5: services[0].retry: unknown field (did you mean "retries"?)'],
    ),
    (
        "a required key left out: its entity",
        HEAD + "services:\n  - name: s\n",
        ["kong.yaml:3:5: services[0].host: required; set url or host"],
    ),
    (
        "list item in a flow sequence",
        SVC + "    routes:\n      - paths: [/ok, bar]\n",
        ['kong.yaml:6:22: services[0].routes[0].paths[1]: must start with "/"'],
    ),
    (
        "plugin config key in a flow mapping",
        SVC + "    plugins:\n      - {name: request-termination, config: {status_code: 99}}\n",
        ["kong.yaml:6:46: services[0].plugins[0].config.status_code: must be at least 100"],
    ),
    (
        "reference to a missing entity",
        HEAD + "routes:\n  - {service: ghost, paths: [/x]}\n",
        ['kong.yaml:3:6: routes[0].service: no service "ghost" (known: none)'],
    ),
    (
        "YAML error: one location, not two",
        HEAD + "services:\n  - name: a\n    name: b\n",
        ['kong.yaml:4:5: invalid YAML: duplicate key "name"'],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_problem_names_file_line_and_column(text: str, expected: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        load_config_text(text, SCHEMAS, source="kong.yaml", environ={})
    assert info.value.report() == expected
    assert str(info.value) == "\n".join(expected)


def test_json_documents_are_located_too() -> None:
    text = json.dumps({"_format_version": "3.0", "services": [{"host": "a.test", "port": 0}]})
    with pytest.raises(ConfigError) as info:
        load_config_text(text, SCHEMAS, source="kong.json", environ={})
    assert info.value.report() == ["kong.json:1:60: services[0].port: must be between 1 and 65535"]


def test_a_file_is_named_by_the_path_it_was_read_from(tmp_path: Path) -> None:
    path = tmp_path / "my-kong.yaml"
    path.write_text(
        textwrap.dedent("""\
        _format_version: "3.0"
        services:
          - name: s
            url: http://127.0.0.1:8080
            routes:
              - name: r
                pahts: [/x]
    """)
    )
    with pytest.raises(ConfigError) as info:
        load_gateway_config(path, SCHEMAS, environ={})
    assert info.value.report() == [
        f'{path}:7:9: services[0].routes[0].pahts: unknown field (did you mean "paths"?)',
    ]
