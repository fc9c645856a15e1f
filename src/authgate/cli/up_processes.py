"""The processes of `authgate up`: started one by one, each ready only when it answers.

A :class:`Component` is ``python -m authgate ARGS`` with a log file under the state
directory. It counts as started when its process is still alive and every one of its
``probes`` (HTTP URLs) gives an HTTP answer of any status: a socket that accepts is not
enough, since another program could own it. Its log is appended to across runs;
``log_offset`` marks where this run begins, so a failure shows only this run's lines.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from authgate.cli.up_tour import Command

__all__ = [
    "Component",
    "Demo",
    "StartError",
    "answers",
    "report_exit",
    "start",
    "stop",
    "this_run_log",
    "wait_for_signal",
]

START_TIMEOUT = 30.0
STOP_TIMEOUT = 40.0
PROBE_TIMEOUT = 1.0
LOG_LINES = 40
_PR_SET_PDEATHSIG = 1


@dataclass
class Demo:
    """Facts gathered while starting: shown in the banner and written to demo.json."""

    urls: dict[str, str] = field(default_factory=dict)
    curl: list[str] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)
    browser: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Component:
    """One process of the demo: ``python -m authgate ARGS``, ready when every probe answers.

    With ``uses_env`` it also gets ``Demo.env`` (what earlier components' hooks gathered).
    """

    name: str
    args: list[str]
    probes: list[str]
    on_ready: Callable[[Demo], None] | None = None
    uses_env: bool = False
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    log_offset: int = 0


class StartError(RuntimeError):
    """A component did not start; ``component`` is the one whose log tells why."""

    def __init__(self, component: Component, message: str) -> None:
        super().__init__(message)
        self.component = component


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM if `authgate up` dies (Linux), so none is orphaned."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def answers(url: str) -> bool:
    """Whether an HTTP server answers ``GET url`` (any status, RFC 9110 §15)."""
    try:
        with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT):  # noqa: S310 (http only)
            return True
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False


def start(component: Component, logs: Path, env: dict[str, str]) -> None:
    """Start ``component`` and wait until it answers; :class:`StartError` if it does not."""
    component.log_path = logs / f"{component.name}.log"
    with component.log_path.open("ab") as log:
        component.log_offset = log.tell()
        component.process = subprocess.Popen(
            [sys.executable, "-m", "authgate", *component.args],
            env={**os.environ, **env} if component.uses_env else None,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # safe: `up` runs no threads
        )
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if component.process.poll() is not None:
            code = component.process.returncode
            raise StartError(component, f"{component.name} exited with code {code}")
        if all(answers(url) for url in component.probes) and component.process.poll() is None:
            return
        if time.monotonic() > deadline:
            raise StartError(component, f"{component.name} did not answer on {component.probes}")
        time.sleep(0.05)


def this_run_log(component: Component) -> str:
    """The last lines ``component`` wrote in this run (never an earlier run's)."""
    if component.log_path is None or not component.log_path.exists():
        return ""
    with component.log_path.open("rb") as log:
        log.seek(component.log_offset)
        lines = log.read().decode(errors="replace").splitlines()
    return "\n".join(lines[-LOG_LINES:])


def stop(components: list[Component]) -> None:
    """SIGTERM each started component, last first; SIGKILL one that outlives the timeout."""
    for component in reversed(components):
        process = component.process
        if process is None or process.poll() is not None:
            continue
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def report_exit(component: Component) -> None:
    """Tell the user that ``component`` died, with this run's log lines."""
    assert component.process is not None
    typer.echo(
        f"authgate up: {component.name} exited ({component.process.returncode}); "
        f"see {component.log_path}",
        err=True,
    )
    tail = this_run_log(component)
    if tail:
        typer.echo(tail, err=True)


def wait_for_signal(components: list[Component]) -> int:
    """Block until SIGINT/SIGTERM (exit 0) or until a component dies (exit 1)."""
    received: list[int] = []

    def handler(signum: int, frame: object) -> None:
        received.append(signum)

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, handler)
    while not received:
        for component in components:
            assert component.process is not None
            if component.process.poll() is not None:
                report_exit(component)
                return 1
        time.sleep(0.2)
    return 0
