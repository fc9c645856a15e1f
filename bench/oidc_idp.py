"""The embedded IdP for the openid-connect rows: seeded, served, and asked for one token.

`authgate idp seed --json` builds the workshop's pool, client and demo user in a throwaway
SQLite database; `authgate idp serve` answers discovery, JWKS, token, authorize/login and
introspection. The gateway only ever talks to it over HTTP; the bench itself may read the
IdP's store (the pool's active access-token key signs the unique tokens).
"""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from authgate.idp.domain.records import KeyUse
from authgate.idp.storage.store import IdpStore

__all__ = ["EmbeddedIdp", "SigningKey", "start_idp"]

SPEC = Path(__file__).resolve().parent.parent / "examples" / "workshop" / "idp.yaml"


@dataclass(frozen=True)
class SigningKey:
    """The pool's active access-token key: ``kid`` and the private JWK."""

    kid: str
    private_jwk: dict[str, Any]


@dataclass
class EmbeddedIdp:
    """A running `authgate idp serve` and the seeded facts (pool, client, demo user)."""

    process: subprocess.Popen[bytes]
    db_url: str
    base: str
    gateway_port: int
    facts: dict[str, Any]

    @property
    def issuer(self) -> str:
        return f"{self.base}/{self.facts['pool_id']}"

    @property
    def client_id(self) -> str:
        return str(self.facts["client_id"])

    @property
    def client_secret(self) -> str:
        return str(self.facts["client_secret"])

    @property
    def service_client_id(self) -> str:
        """The machine-to-machine app client (``client_credentials`` only)."""
        return str(self.facts["service_client"]["client_id"])

    @property
    def service_client_secret(self) -> str:
        return str(self.facts["service_client"]["client_secret"])

    @property
    def username(self) -> str:
        return str(self.facts["user"]["username"])

    @property
    def password(self) -> str:
        return str(self.facts["user"]["password"])

    def password_grant(self) -> dict[str, Any]:
        """Tokens for the demo user from the IdP's token endpoint (password grant)."""
        response = httpx.post(
            f"{self.issuer}/oauth2/token",
            data={
                "grant_type": "password",
                "username": self.username,
                "password": self.password,
                "scope": "openid email profile",
            },
            auth=(self.client_id, self.client_secret),
            timeout=30,
        )
        response.raise_for_status()
        tokens: dict[str, Any] = response.json()
        return tokens

    def access_key(self) -> SigningKey:
        """The key the IdP signs access tokens with right now, read from its store."""

        async def read() -> SigningKey:
            store = await IdpStore.open(self.db_url, migrate=False)
            try:
                key = await store.keys.signing_key(str(self.facts["pool_id"]), KeyUse.ACCESS)
                return SigningKey(key.kid, dict(key.private_jwk))
            finally:
                await store.close()

        return asyncio.run(read())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def unverified_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, not verified (a template for minted tokens)."""
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return claims


def start_idp(workdir: Path, port: int, gateway_port: int) -> EmbeddedIdp:
    """Seed a fresh database (callbacks on ``gateway_port``) and serve it on ``port``."""
    db_url = f"sqlite:///{workdir / 'idp.db'}"
    authgate = [sys.executable, "-m", "authgate", "idp", "--db", db_url]
    seeded = subprocess.run(
        [
            *authgate, "seed", "--json", "--spec", str(SPEC),
            "--gateway-url", f"http://127.0.0.1:{gateway_port}",
            "--state-dir", str(workdir / "idp-state"),
        ],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    facts = json.loads(seeded.stdout)
    log = (workdir / "idp.log").open("wb")
    process = subprocess.Popen(
        [*authgate, "serve", "--listen", f"127.0.0.1:{port}", "--log-level", "warning"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    return EmbeddedIdp(process, db_url, f"http://127.0.0.1:{port}", gateway_port, facts)
