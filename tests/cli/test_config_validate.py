"""`authgate config validate FILE`, run as a real process with the real plugin registry."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


def write_config(tmp_path: Path, text: str) -> Path:
    """``text`` (dedented) as ``kong.yaml`` in ``tmp_path``."""
    path = tmp_path / "kong.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "authgate", "config", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_valid_file_prints_counts_and_exits_zero(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        """\
        _format_version: "3.0"
        services:
          - name: echo
            url: http://127.0.0.1:8080
            routes:
              - {name: bar, paths: ["/bar"]}
              - {name: baz, paths: ["/baz"]}
        consumers:
          - username: alice
        plugins:
          - name: request-termination
            route: baz
            config: {status_code: 403, message: closed}
        """,
    )
    result = validate(path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "OK: 1 service, 2 routes, 1 consumer, 1 plugin\n"


def test_upstreams_and_targets_are_counted(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        """\
        _format_version: "3.0"
        upstreams:
          - name: pool
            targets: [{target: "127.0.0.1:8081"}, {target: "127.0.0.1:8082", weight: 50}]
        services:
          - {name: echo, host: pool, routes: [{name: bar, paths: ["/bar"]}]}
        """,
    )
    result = validate(path)
    assert (result.returncode, result.stderr) == (0, "")
    assert (
        result.stdout == "OK: 1 service, 1 route, 0 consumers, 0 plugins, 1 upstream, 2 targets\n"
    )


def test_invalid_file_prints_every_issue_and_exits_one(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        """\
        _format_version: "3.0"
        services:
          - name: echo
            host: 127.0.0.1
            port: 99999
            routes:
              - paths: ["bar"]
                plugins:
                  - name: request-termination
                    config: {status_code: 200, message: hi, body: x}
        """,
    )
    result = validate(path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"{path}:5:5: services[0].port: must be between 1 and 65535\n"
        f'{path}:7:17: services[0].routes[0].paths[0]: must start with "/"\n'
        f"{path}:10:40: services[0].routes[0].plugins[0].config.message: cannot be used with"
        " content_type or body\n"
        f"{path}: 3 problems found\n"
    )


def test_missing_file_is_one_issue(tmp_path: Path) -> None:
    result = validate(tmp_path / "nope.yaml")
    assert result.returncode == 1
    assert result.stderr == (
        f"{tmp_path / 'nope.yaml'}: cannot read: No such file or directory\n"
        f"{tmp_path / 'nope.yaml'}: 1 problem found\n"
    )
