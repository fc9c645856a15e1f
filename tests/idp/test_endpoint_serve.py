"""`authgate idp serve` as a real process: discovery and JWKS of a pool created by the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

from authgate.testing import ServerProcess, free_port


def test_idp_serve_runs_the_provider_for_pools_in_the_database(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'idp.db'}"
    created = subprocess.run(
        [
            sys.executable,
            "-m",
            "authgate",
            "idp",
            "--db",
            db,
            "pool",
            "create",
            "servepool",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    pool_id = json.loads(created.stdout)["id"]
    port = free_port()
    public = "https://idp.example.test"
    args = ["idp", "serve", "--listen", f"127.0.0.1:{port}", "--db", db, "--public-url", public]
    with ServerProcess(args, wait_port=port):
        base = f"http://127.0.0.1:{port}/{pool_id}"
        doc = httpx.get(base + "/.well-known/openid-configuration").json()
        keys = httpx.get(base + "/.well-known/jwks.json").json()["keys"]
    assert doc["issuer"] == f"{public}/{pool_id}"
    assert doc["token_endpoint"] == f"{public}/{pool_id}/oauth2/token"
    assert len(keys) == 2


def test_idp_serve_rejects_a_bad_public_url(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "authgate",
            "idp",
            "serve",
            "--db",
            f"sqlite:///{tmp_path / 'idp.db'}",
            "--public-url",
            "ftp://x",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "'--public-url': must start with http:// or https://" in result.stderr
