"""`authgate gateway --tls-cert/--tls-key`: https in every worker, certificates re-read on
SIGHUP and POST /config, unusable files refused at start and on reload."""

from __future__ import annotations

import hashlib
import signal
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import httpx
from lifecycle_configs import GatewayFactory, bar_config

from authgate.proxy.tls import TlsFiles
from authgate.testing import free_port
from authgate.testing.certs import self_signed
from authgate.testing.gateway import eventually


def _served_fingerprint(port: int) -> str:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return hashlib.sha256(der).hexdigest()


def _fingerprint(files: TlsFiles) -> str:
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(files.cert.read_text())).hexdigest()


def _replace(files: TlsFiles, new: TlsFiles) -> None:
    files.cert.write_bytes(new.cert.read_bytes())
    files.key.write_bytes(new.key.read_bytes())


def test_every_worker_serves_https_and_a_reload_rereads_the_certificate(
    gateways: GatewayFactory, tmp_path: Path, echo_port: int
) -> None:
    files = self_signed(tmp_path)
    port = free_port()
    gateway = gateways(
        workers=2,
        args=(
            "--tls-listen", f"127.0.0.1:{port}",
            "--tls-cert", str(files.cert), "--tls-key", str(files.key),
        ),
    )  # fmt: skip
    verify = ssl.create_default_context(cafile=str(files.cert))
    with httpx.Client(verify=verify) as client:
        # Fresh connections, so both workers' listeners answer (SO_REUSEPORT spreads them).
        for _ in range(12):
            response = client.get(f"https://127.0.0.1:{port}/bar", headers={"connection": "close"})
            assert response.status_code == 200
            seen = dict(response.json()["headers"])
            assert seen["x-forwarded-proto"] == "https"
    assert httpx.get(gateway.proxy + "/bar").status_code == 200
    assert _served_fingerprint(port) == _fingerprint(files)
    listen = gateway.info()["configuration"]["proxy_listen"]
    assert listen == [gateway.proxy.removeprefix("http://"), f"127.0.0.1:{port} ssl"]

    # SIGHUP: the renewed certificate is served to new handshakes, by every worker.
    renewed = self_signed(tmp_path, "renewed")
    _replace(files, renewed)
    gateway.process.proc.send_signal(signal.SIGHUP)  # type: ignore[union-attr]
    eventually(lambda: all(_served_fingerprint(port) == _fingerprint(renewed) for _ in range(8)))

    # An unusable key: the reload is refused with the reason and the certificate stays.
    files.key.write_text("not a key\n")
    refused = httpx.post(
        gateway.admin + "/config",
        content=bar_config(echo_port),
        headers={"content-type": "application/yaml"},
    )
    assert refused.status_code == 400, refused.text
    assert "cannot be used" in refused.text
    assert _served_fingerprint(port) == _fingerprint(renewed)


def test_unusable_tls_files_stop_the_gateway_at_start_with_the_reason(tmp_path: Path) -> None:
    config = tmp_path / "kong.yaml"
    config.write_text('_format_version: "3.0"\n')
    files = self_signed(tmp_path)
    files.key.write_bytes(self_signed(tmp_path, "other").key.read_bytes())
    done = subprocess.run(
        [sys.executable, "-m", "authgate", "gateway", "--config", str(config),
         "--listen", f"127.0.0.1:{free_port()}", "--admin-listen", f"127.0.0.1:{free_port()}",
         "--tls-listen", f"127.0.0.1:{free_port()}",
         "--tls-cert", str(files.cert), "--tls-key", str(files.key)],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 2
    assert "KEY_VALUES_MISMATCH" in done.stderr
    alone = subprocess.run(
        [sys.executable, "-m", "authgate", "gateway", "--config", str(config),
         "--tls-cert", str(files.cert)],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert alone.returncode == 2
    assert "--tls-cert and --tls-key go together" in alone.stderr
