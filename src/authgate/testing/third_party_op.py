"""Run panva's ``oidc-provider`` (an OpenID Certified third-party OP) on loopback for interop tests.

The Node project lives in ``tests/e2e/third_party_op`` (``server.js`` + a locked
``package-lock.json``, installed with ``npm ci``); nothing is downloaded at run time.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from authgate.testing.processes import ServerProcess, free_port

__all__ = ["ThirdPartyOp", "ThirdPartyOpClient", "op_installed"]

_REQUEST = re.compile(r"^REQ (\S+) (\S+)$", re.MULTILINE)


def op_installed(project: Path) -> str | None:
    """Why the OP cannot run from ``project`` (no node, no ``npm ci`` yet), or None if it can."""
    if shutil.which("node") is None:
        return "node (apt-get install nodejs)"
    if not (project / "node_modules" / "oidc-provider" / "package.json").is_file():
        return f"oidc-provider in {project}/node_modules (npm ci --prefix {project})"
    return None


@dataclass(frozen=True)
class ThirdPartyOpClient:
    """The one confidential client the OP knows."""

    client_id: str
    client_secret: str
    redirect_uris: Sequence[str]
    post_logout_redirect_uris: Sequence[str] = ()
    auth_method: str = "client_secret_basic"


@dataclass
class ThirdPartyOp:
    """``node server.js`` with one client and one user; use as a context manager."""

    project: Path
    client: ThirdPartyOpClient
    email: str
    password: str
    access_token_ttl: int = 300
    port: int = field(default_factory=free_port)
    _process: ServerProcess | None = None

    @property
    def issuer(self) -> str:
        """The issuer, ``http://127.0.0.1:<port>`` (discovery lives below it)."""
        return f"http://127.0.0.1:{self.port}"

    def _env(self) -> dict[str, str]:
        return {
            "OP_PORT": str(self.port),
            "OP_CLIENT_ID": self.client.client_id,
            "OP_CLIENT_SECRET": self.client.client_secret,
            "OP_REDIRECT_URIS": " ".join(self.client.redirect_uris),
            "OP_POST_LOGOUT_REDIRECT_URIS": " ".join(self.client.post_logout_redirect_uris),
            "OP_AUTH_METHOD": self.client.auth_method,
            "OP_USER_EMAIL": self.email,
            "OP_USER_PASSWORD": self.password,
            "OP_ACCESS_TOKEN_TTL": str(self.access_token_ttl),
            "NODE_ENV": "production",
        }

    def start(self, timeout: float = 20.0) -> ThirdPartyOp:
        """Start the process and return once it accepts connections."""
        self._process = ServerProcess(
            [str(self.project / "server.js")], wait_port=self.port, env=self._env(),
            cwd=self.project, timeout=timeout, program=("node",),
        )  # fmt: skip
        self._process.start()
        return self

    def log(self) -> str:
        """Everything the OP printed so far."""
        return "" if self._process is None else self._process.log()

    def requests(self) -> list[tuple[str, str]]:
        """(method, path) of every request the OP received so far, in order."""
        return _REQUEST.findall(self.log())

    def stop(self) -> None:
        """SIGTERM, then SIGKILL; removes the log."""
        if self._process is not None:
            self._process.stop(5)
            self._process.close()
            self._process = None

    def __enter__(self) -> ThirdPartyOp:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
