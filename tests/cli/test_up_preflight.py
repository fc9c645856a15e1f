"""`authgate up` refuses, in one line and before starting anything, what cannot work.

Real `authgate up` processes; a busy port is a real listening socket held by the test.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from authgate.testing import free_port

ROOT = Path(__file__).resolve().parents[2]
WORKSHOP = ROOT / "examples" / "workshop"
FLAGS = ("--listen", "--admin-listen", "--echo-listen", "--idp-listen")
BANNER = "authgate is up"


def _up(
    *args: str, flags: dict[str, str] | None = None, state: Path
) -> subprocess.CompletedProcess[str]:
    """`authgate up` with every listener on a free port unless ``flags`` says otherwise."""
    chosen = {flag: f"127.0.0.1:{free_port()}" for flag in FLAGS} | (flags or {})
    command = [sys.executable, "-m", "authgate", "up", "--state-dir", str(state)]
    for flag, address in chosen.items():
        command += [flag, address]
    for flag, default in (("--config", "kong.yaml"), ("--idp-spec", "idp.yaml")):
        if flag not in args:
            command += [flag, str(WORKSHOP / default)]
    command += args
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)


def _one_clean_line(result: subprocess.CompletedProcess[str]) -> str:
    assert BANNER not in result.stdout, result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port another program listens on (and never answers)."""
    port = free_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        yield port


@pytest.mark.parametrize("flag", FLAGS)
def test_a_busy_listen_address_is_one_line_naming_it_and_its_flag_before_anything_starts(
    flag: str, held_port: int, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    address = f"127.0.0.1:{held_port}"
    result = _up(flags={flag: address}, state=state)
    assert result.returncode == 1
    line = _one_clean_line(result)
    assert address in line
    assert f"{flag} HOST:PORT" in line
    assert "in use" in line
    assert not state.exists()  # nothing was started, not even the state directory


def test_two_flags_on_one_port_are_refused_naming_both(tmp_path: Path) -> None:
    address = f"127.0.0.1:{free_port()}"
    result = _up(flags={"--listen": address, "--echo-listen": address}, state=tmp_path / "s")
    assert result.returncode == 1
    line = _one_clean_line(result)
    assert f"--echo-listen {address}" in line
    assert "--listen" in line.replace("--echo-listen", "")


def test_a_state_dir_that_cannot_be_created_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    state = blocker / "state"
    result = _up(state=state)
    assert result.returncode in (1, 2)
    line = _one_clean_line(result)
    assert str(state) in line
    assert "--state-dir" in line


def test_a_config_typo_names_the_users_file_not_the_generated_copy(tmp_path: Path) -> None:
    typo = tmp_path / "typo.yaml"
    text = (WORKSHOP / "kong.yaml").read_text().replace("    routes:", "    rotes:")
    typo.write_text(text.replace("logout_methods:", "logout_metods:"))
    result = _up("--config", str(typo), state=tmp_path / "state")
    assert result.returncode == 2
    assert BANNER not in result.stdout
    assert "Traceback" not in result.stderr
    assert "gateway.yaml" not in result.stderr
    problems = result.stderr.strip().splitlines()[1:]
    assert problems, result.stderr
    assert all(line.strip().startswith(f"{typo}:") for line in problems), result.stderr
    assert any("services[0].rotes" in line for line in problems)
    assert any("logout_metods" in line for line in problems)
    assert not (tmp_path / "state").exists()


def test_a_yaml_error_in_the_config_names_the_users_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    lines = (WORKSHOP / "kong.yaml").read_text().splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("services:"))
    lines[number + 1] = "  - name: echo: [oops"
    broken.write_text("\n".join(lines) + "\n")
    result = _up("--config", str(broken), state=tmp_path / "state")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "gateway.yaml" not in result.stderr
    assert f"{broken}:{number + 2}:" in result.stderr


def test_a_component_that_fails_to_start_shows_only_this_runs_log(tmp_path: Path) -> None:
    state = tmp_path / "state"
    (state / "logs").mkdir(parents=True)
    log = state / "logs" / "idp.log"
    log.write_text("an older run's line that must not be shown\n")
    refused = f"postgresql://nobody@127.0.0.1:{free_port()}/authgate"  # nothing listens there
    result = _up("--idp-db", refused, state=state)
    assert result.returncode == 1
    assert BANNER not in result.stdout
    assert "older run" not in result.stderr
    first, header, *lines = result.stderr.strip().splitlines()
    assert first.startswith("authgate up: idp exited with code "), result.stderr
    assert header == f"--- {log}, this run:"
    assert lines, result.stderr
    assert "older run" in log.read_text()  # the log itself keeps every run


def test_seeding_failure_is_reported_without_an_unrelated_log(tmp_path: Path) -> None:
    spec = tmp_path / "idp.yaml"
    spec.write_text((WORKSHOP / "idp.yaml").read_text().replace("name: kongpool", "name: ''"))
    result = _up("--idp-spec", str(spec), state=tmp_path / "state")
    assert result.returncode == 1
    assert BANNER not in result.stdout
    assert result.stderr.startswith("authgate up: seeding the IdP failed"), result.stderr
    assert "--- " not in result.stderr
