"""``authgate gateway --headers``: refused at start-up with the allowed values, and passed to
every worker process (the supervisor and its workers are real processes here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from lifecycle_configs import GatewayFactory

from authgate.testing import free_port


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("server_tokens, X-Kong-Latency", "invalid entry 'X-Kong-Latency'"),
        ("off,via", "'off' cannot be combined with other values"),
        ("X-Kong-Total-Latency", "'X-Kong-Total-Latency' is a Kong value authgate does not"),
    ],
)
def test_a_bad_value_exits_2_naming_the_allowed_values(
    tmp_path: Path, value: str, problem: str
) -> None:
    config = tmp_path / "kong.yaml"
    config.write_text('_format_version: "3.0"\n')
    done = subprocess.run(
        [sys.executable, "-m", "authgate", "gateway", "--config", str(config),
         "--listen", f"127.0.0.1:{free_port()}", "--admin-listen", f"127.0.0.1:{free_port()}",
         "--headers", value],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 2
    error = " ".join(done.stderr.replace("│", " ").split())  # undo the error panel's wrapping
    assert "Invalid value for '--headers'" in error
    assert problem in error
    assert "allowed: server_tokens, latency_tokens, authgate_latency_tokens" in error
    assert "X-Kong-Request-Id" in error
    assert "Traceback" not in done.stderr


def test_every_worker_sends_the_chosen_names(gateways: GatewayFactory) -> None:
    gateway = gateways(
        workers=2, args=("--headers", "server_tokens,latency_tokens,X-Kong-Request-Id")
    )
    with httpx.Client(base_url=gateway.proxy, timeout=5) as client:
        # New connections: the kernel spreads them over both workers.
        for _ in range(8):
            response = client.get("/bar", headers={"connection": "close"})
            assert response.status_code == 200
            assert response.headers["x-kong-proxy-latency"].isdigit()
            assert response.headers["x-kong-upstream-latency"].isdigit()
            assert "x-authgate-proxy-latency" not in response.headers
            assert "x-request-id" not in response.headers
            echoed = dict(response.json()["headers"])
            assert echoed["x-kong-request-id"] == response.headers["x-kong-request-id"]
        missing = client.get("/nowhere")
        assert missing.status_code == 404
        assert missing.headers["x-kong-response-latency"].isdigit()
        assert missing.headers["x-kong-request-id"] == missing.json()["request_id"]
