"""Worker processes: start-up checks, restart after a crash, drain on SIGTERM, no orphans."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from lifecycle_configs import GatewayFactory

from authgate.testing import free_port
from authgate.testing.gateway import eventually


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped) counts as gone.
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _gateway_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "authgate", "gateway", *args],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip


def test_invalid_config_prints_every_issue_and_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "kong.yaml"
    config.write_text(
        '_format_version: "3.0"\nservices:\n  - name: a\n    url: http://127.0.0.1:1\n'
        "    routes:\n      - paths: [nope]\n        surprise: 1\n"
    )
    done = _gateway_cli("--config", str(config), "--listen", f"127.0.0.1:{free_port()}")
    assert done.returncode == 2
    assert "services[0].routes[0].paths[0]" in done.stderr
    assert "services[0].routes[0].surprise" in done.stderr


def test_bad_trusted_ips_are_refused(tmp_path: Path) -> None:
    config = tmp_path / "kong.yaml"
    config.write_text('_format_version: "3.0"\n')
    done = _gateway_cli("--config", str(config), "--trusted-ips", "10.0.0.0/8,not-an-ip")
    assert done.returncode == 2
    assert "'not-an-ip' is not an IP address or CIDR" in done.stderr


@pytest.mark.parametrize("busy", ["proxy", "admin API"])
def test_busy_port_is_reported_and_exits_1(tmp_path: Path, busy: str) -> None:
    config = tmp_path / "kong.yaml"
    config.write_text('_format_version: "3.0"\n')
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proxy, admin = (port, free_port()) if busy == "proxy" else (free_port(), port)
        done = _gateway_cli(
            "--config", str(config), "--listen", f"127.0.0.1:{proxy}",
            "--admin-listen", f"127.0.0.1:{admin}",
        )  # fmt: skip
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port} for the {busy}" in done.stderr


def test_killed_worker_is_replaced_and_serving_continues(gateways: GatewayFactory) -> None:
    gateway = gateways(workers=2)
    before = gateway.worker_pids()
    os.kill(before[0], signal.SIGKILL)
    # The surviving worker keeps answering while the replacement starts.
    for _ in range(10):
        assert httpx.get(gateway.proxy + "/bar", timeout=5).status_code == 200

    def two_workers() -> list[int] | None:
        pids = gateway.worker_pids()
        return pids if len(pids) == 2 else None

    after = eventually(two_workers)
    assert before[1] in after
    assert before[0] not in after
    assert "exited with signal 9; restarting" in gateway.process.log()
    assert "authgate_worker_restarts_total 1.0" in httpx.get(gateway.admin + "/metrics").text


def _runtime_dir(worker_pid: int) -> Path:
    """The supervisor's private directory, read from a worker's environment."""
    environ = Path(f"/proc/{worker_pid}/environ").read_bytes().split(b"\0")
    (value,) = [v.split(b"=", 1)[1] for v in environ if v.startswith(b"PROMETHEUS_")]
    return Path(value.decode()).parent


def test_workers_exit_when_the_supervisor_is_killed(gateways: GatewayFactory) -> None:
    gateway = gateways(workers=2)
    workers = gateway.worker_pids()
    leftover = _runtime_dir(workers[0])
    os.kill(gateway.pid, signal.SIGKILL)
    assert gateway.process.proc is not None
    gateway.process.proc.wait(10)
    eventually(lambda: not any(_alive(pid) for pid in workers))
    # A killed supervisor cannot clean up; the next gateway removes what it left.
    assert leftover.is_dir()
    gateways(workers=1)
    assert not leftover.exists()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stop_signal_lets_in_flight_requests_finish_then_exits_0(
    gateways: GatewayFactory, sig: signal.Signals
) -> None:
    gateway = gateways(workers=1)
    (worker,) = gateway.worker_pids()
    runtime_dir = _runtime_dir(worker)
    assert runtime_dir.is_dir()
    results: list[int] = []

    def slow_request() -> None:
        results.append(httpx.get(gateway.proxy + "/bar/delay/1", timeout=10).status_code)

    client = threading.Thread(target=slow_request)
    client.start()
    eventually(lambda: httpx.get(gateway.admin + "/status").json()["server"]["connections_active"])
    gateway.process.send_signal(sig)
    assert gateway.process.proc is not None
    assert gateway.process.proc.wait(15) == 0
    client.join(10)
    assert results == [200]
    with pytest.raises(httpx.ConnectError):
        httpx.get(gateway.proxy + "/bar", timeout=2)
    # The private runtime directory (metrics files, config snapshots) is removed.
    assert not runtime_dir.exists()
