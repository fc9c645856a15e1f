"""The IdP part of `authgate up`: seed the workshop, keep the session secret, pass both on.

The embedded IdP is started as a component; once it listens, :func:`seed_idp` runs
``authgate idp seed --json`` (idempotent) and reads the pool's discovery document, so every
URL shown comes from the running IdP. :func:`gateway_environment` turns the result into the
``AUTHGATE_*`` variables that ``examples/workshop/kong.yaml`` references as
``{vault://env/…}``.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import orjson

__all__ = [
    "IDP_KEY_SECRET_FILE",
    "SESSION_SECRET_FILE",
    "IdpFacts",
    "gateway_environment",
    "idp_key_secret",
    "seed_idp",
    "session_secret",
]

SESSION_SECRET_FILE = "session-secret"
IDP_KEY_SECRET_FILE = "idp-key-secret"
SEED_TIMEOUT = 60.0

IdpFacts = dict[str, Any]


def session_secret(state_dir: Path) -> str:
    """The gateway's session secret: generated on the first run, then read back (file 0600)."""
    return _kept_secret(state_dir / SESSION_SECRET_FILE, "session secret")


def idp_key_secret(state_dir: Path) -> str:
    """The secret sealing the IdP's signing keys at rest, kept like the session secret."""
    return _kept_secret(state_dir / IDP_KEY_SECRET_FILE, "IdP key secret")


def _kept_secret(path: Path, what: str) -> str:
    """A random secret generated on the first run into ``path`` (0600), then read back."""
    state_dir = path.parent
    if not path.exists():
        state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
    os.chmod(path, 0o600)
    value = path.read_text(encoding="utf-8").strip()
    if len(value) < 32:
        raise RuntimeError(f"{path}: the {what} must have at least 32 characters")
    return value


def _discovery(url: str) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (http(s) only)
            document = orjson.loads(response.read())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise RuntimeError(f"IdP discovery {url} failed: {exc}") from exc
    if not isinstance(document, dict):
        raise RuntimeError(f"IdP discovery {url}: not a JSON object")
    return document


def seed_idp(db_url: str, spec: Path, gateway_url: str, state_dir: Path, idp_url: str) -> IdpFacts:
    """Seed the workshop (pool, clients, domain, demo user) and describe the running IdP."""
    command = [
        sys.executable, "-m", "authgate", "idp", "--db", db_url, "seed", "--json",
        "--spec", str(spec), "--gateway-url", gateway_url, "--state-dir", str(state_dir),
    ]  # fmt: skip
    result = subprocess.run(
        command, capture_output=True, timeout=SEED_TIMEOUT, stdin=subprocess.DEVNULL, check=False
    )
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        raise RuntimeError(f"seeding the IdP failed: {message}")
    seeded: dict[str, Any] = orjson.loads(result.stdout)
    issuer = f"{idp_url}/{seeded['pool_id']}"
    discovery_url = f"{issuer}/.well-known/openid-configuration"
    document = _discovery(discovery_url)
    if document.get("issuer") != issuer:
        raise RuntimeError(f"IdP discovery names issuer {document.get('issuer')!r}, not {issuer}")
    endpoints = {
        name: document.get(name)
        for name in (
            "authorization_endpoint",
            "token_endpoint",
            "userinfo_endpoint",
            "introspection_endpoint",
            "revocation_endpoint",
            "end_session_endpoint",
            "jwks_uri",
        )
    }
    return {**seeded, "issuer": issuer, "discovery": discovery_url, "endpoints": endpoints}


def gateway_environment(
    facts: IdpFacts, session_secret_value: str, logout_redirect_uri: str
) -> dict[str, str]:
    """The ``AUTHGATE_*`` variables kong.yaml's vault references read."""
    # Without a service client the main client stands in (never an empty audience entry).
    service = facts.get("service_client") or facts
    return {
        "AUTHGATE_ISSUER": facts["issuer"],
        "AUTHGATE_CLIENT_ID": facts["client_id"],
        "AUTHGATE_CLIENT_SECRET": facts["client_secret"],
        "AUTHGATE_SERVICE_CLIENT_ID": service.get("client_id", ""),
        "AUTHGATE_SESSION_SECRET": session_secret_value,
        "AUTHGATE_LOGOUT_REDIRECT_URI": logout_redirect_uri,
    }
