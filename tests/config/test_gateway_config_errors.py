"""`authgate gateway --config FILE` with a bad file, run as a real process: every problem at
once, each named by the user's own path, line and column."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from authgate.testing import free_port

BAD = """\
_format_version: "3.0"
services:
  - name: echo
    host: 127.0.0.1
    port: 99999
    routes:
      - name: bar
        paths: [/bar]
        plugins:
          - name: openid-connect
            config:
              issuer: http://127.0.0.1:9000/pool
              session_redis_host: redis
              leway: 5
              auth_methods: [password]
          - name: request-termination
            config: {status_code: 99, mesage: hi, content_type: text/plain}
"""


def run_gateway(config: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "authgate", "gateway", "--config", str(config)]
    command += ["--listen", f"127.0.0.1:{free_port()}"]
    command += ["--admin-listen", f"127.0.0.1:{free_port()}"]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_every_problem_names_the_users_file_line_and_column(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text(BAD)
    result = run_gateway(config)
    assert result.returncode == 2
    assert result.stdout == ""
    plugin = "services[0].routes[0].plugins"
    assert result.stderr.splitlines() == [
        f"{config}: invalid configuration (7 problems):",
        f"  {config}:5:5: services[0].port: must be between 1 and 65535",
        f"  {config}:13:15: {plugin}[0].config.session_redis_host: Kong field, not supported by"
        ' authgate yet; remove it or leave Kong\'s default "127.0.0.1"',
        f'  {config}:14:15: {plugin}[0].config.leway: unknown field (did you mean "leeway"?)',
        f"  {config}:15:15: {plugin}[0].config.auth_methods: password needs client_id",
        f"  {config}:17:22: {plugin}[1].config.status_code: must be at least 100",
        f'  {config}:17:39: {plugin}[1].config.mesage: unknown field (did you mean "message"?)',
        f"  {config}:17:51: {plugin}[1].config.content_type: requires a body",
    ]


def test_a_yaml_error_names_the_users_file_not_a_string(tmp_path: Path) -> None:
    config = tmp_path / "broken.yaml"
    config.write_text(
        textwrap.dedent("""\
        _format_version: "3.0"
        services:
          - name: a
           host: b
    """)
    )
    result = run_gateway(config)
    assert result.returncode == 2
    assert "<string>" not in result.stderr
    assert result.stderr.splitlines() == [
        f"{config}: invalid configuration (1 problem):",
        f"  {config}:4:4: invalid YAML: did not find expected '-' indicator",
    ]
