"""Every bad input to every command group: exit 1 or 2, one clean message, never a traceback.

Each case runs the real command line (``python -m authgate``) as a subprocess in a scratch
directory holding the bad files (a directory, a file that is not a database, broken YAML,
…), next to a busy port and a closed one. Exit 2 means "what you typed is wrong", exit 1
"what you pointed at does not work" (an unreachable database, a busy port, a missing dir).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from authgate.testing import free_port

ROOT = Path(__file__).resolve().parents[2]
WORKSHOP = ROOT / "examples" / "workshop"
# Rich draws usage errors in a box; the message is what is inside it.
_BOX = re.compile(r"[│╭╮╰╯─]+")


@dataclass(frozen=True)
class Case:
    """``authgate ARGS`` (with ``env``) exits with ``code`` and says ``says``; ``absent`` is
    never created."""

    args: tuple[str, ...]
    code: int
    says: str
    absent: str | None = None
    env: tuple[tuple[str, str], ...] = ()


def _case(
    code: int, says: str, *args: str, absent: str | None = None, env: dict[str, str] | None = None
) -> Case:
    return Case(args, code, says, absent, tuple((env or {}).items()))


UP = ("up", "--listen", "127.0.0.1:{up1}", "--admin-listen", "127.0.0.1:{up2}",
      "--echo-listen", "127.0.0.1:{up3}", "--idp-listen", "127.0.0.1:{up4}",
      "--config", "{kong}", "--idp-spec", "{spec}", "--state-dir", "state")  # fmt: skip
GOOD = ("idp", "--db", "good.db")
PG_DOWN = "postgresql://nobody:s3cret@127.0.0.1:{closed}/db"

CASES = {
    # authgate up
    "up: --listen not HOST:PORT": _case(2, "'--listen': 'nope': expected HOST:PORT",
                                        *UP, "--listen", "nope"),
    "up: --workers 0": _case(2, "'--workers'", *UP, "--workers", "0"),
    "up: --config missing": _case(2, "missing.yaml does not exist",
                                  *UP, "--config", "missing.yaml"),
    "up: --config a directory": _case(2, "dir is a directory", *UP, "--config", "dir"),
    "up: --config broken YAML": _case(2, "bad.yaml:2:1", *UP, "--config", "bad.yaml"),
    "up: --idp-spec missing": _case(2, "'--idp-spec': nope.yaml does not exist",
                                    *UP, "--idp-spec", "nope.yaml"),
    "up: --idp-db bad scheme": _case(2, "unsupported IdP database URL 'mysql://x'",
                                     *UP, "--idp-db", "mysql://x"),
    "up: --idp-db missing dir": _case(1, "directory gone/dir does not exist",
                                      *UP, "--idp-db", "sqlite:///gone/dir/idp.db", absent="gone"),
    "up: --state-dir is a file": _case(1, "--state-dir notadir", *UP, "--state-dir", "notadir"),
    "up: --listen port busy": _case(1, "127.0.0.1:{busy} is already in use",
                                    *UP, "--listen", "127.0.0.1:{busy}"),
    # authgate gateway
    "gateway: no --config": _case(2, "Missing option '--config'", "gateway"),
    "gateway: --config missing": _case(2, "missing.yaml: cannot read: No such file",
                                       "gateway", "-c", "missing.yaml"),
    "gateway: --config a directory": _case(2, "dir: cannot read: Is a directory",
                                           "gateway", "-c", "dir"),
    "gateway: --config broken YAML": _case(2, "invalid YAML", "gateway", "-c", "bad.yaml"),
    "gateway: --config not UTF-8": _case(2, "latin1.yaml: not UTF-8",
                                         "gateway", "-c", "latin1.yaml"),
    "gateway: --workers 0": _case(2, "'--workers'", "gateway", "-c", "{kong}", "--workers", "0"),
    "gateway: --workers abc": _case(2, "valid integer", "gateway", "-c", "{kong}", "-w", "abc"),
    "gateway: --listen bad": _case(2, "'--admin-listen': ':80'",
                                   "gateway", "-c", "{kong}", "--admin-listen", ":80"),
    "gateway: --trusted-ips bad": _case(2, "'1.2.3.x' is not an IP address or CIDR",
                                        "gateway", "-c", "{kong}", "--trusted-ips", "1.2.3.x"),
    "gateway: --tls-cert alone": _case(2, "--tls-cert and --tls-key go together",
                                       "gateway", "-c", "{kong}", "--tls-cert", "x.pem"),
    "gateway: --tls-cert missing": _case(2, "x.pem does not exist", "gateway", "-c", "{kong}",
                                         "--tls-cert", "x.pem", "--tls-key", "x.pem"),
    "gateway: --tls-cert a directory": _case(2, "dir is a directory", "gateway", "-c", "{kong}",
                                             "--tls-cert", "dir", "--tls-key", "dir"),
    "gateway: --drain-timeout -1": _case(2, "'--drain-timeout'",
                                         "gateway", "-c", "{kong}", "--drain-timeout", "-1"),
    # authgate idp: --db
    "idp: --db without a value": _case(2, "Option '--db' requires an argument", "idp", "--db"),
    "idp: --db bad scheme": _case(2, "unsupported IdP database URL 'mysql://x'",
                                  "idp", "--db", "mysql://x", "pool", "list"),
    "idp: --db unparsable, password hidden": _case(
        2, "cannot parse IdP database URL 'postgresql://u:***@h:port/db'",
        "idp", "--db", "postgresql://u:s3cret@h:port/db", "pool", "list"),
    "idp: --db PostgreSQL down, pool list": _case(
        1, "cannot connect to the IdP database postgresql://nobody:***@127.0.0.1:{closed}/db: "
        "connection refused", "idp", "--db", PG_DOWN, "pool", "list"),
    "idp: --db PostgreSQL down, serve": _case(
        1, "cannot connect to the IdP database postgresql://nobody:***@127.0.0.1:{closed}/db",
        "idp", "--db", PG_DOWN, "serve", "--listen", "127.0.0.1:{free}"),
    "idp: --db PostgreSQL host unknown": _case(
        1, "cannot resolve host 'no-such-host.invalid'",
        "idp", "--db", "postgresql://nobody@no-such-host.invalid/db",
        "user", "list", "--pool", "p"),
    "idp: $AUTHGATE_IDP_DB bad scheme": _case(2, "unsupported IdP database URL 'mysql://x'",
                                              "idp", "pool", "list",
                                              env={"AUTHGATE_IDP_DB": "mysql://x"}),
    "idp: key secret too short": _case(2, "AUTHGATE_IDP_KEY_SECRET must have at least 32",
                                       *GOOD, "pool", "list",
                                       env={"AUTHGATE_IDP_KEY_SECRET": "short"}),
    "idp: --db a directory": _case(1, "dir is a directory, not a SQLite database file",
                                   "idp", "--db", "sqlite:///dir", "pool", "list"),
    "idp: --db a file that is no database": _case(1, "junk.db is not a SQLite database",
                                                  "idp", "--db", "junk.db", "pool", "list"),
    "idp: --db under a file": _case(1, "notadir is not a directory",
                                    "idp", "--db", "notadir/idp.db", "pool", "list"),
    "idp: --db sqlite URL, missing dir": _case(
        1, "directory some/missing/dir does not exist",
        "idp", "--db", "sqlite:///some/missing/dir/idp.db", "pool", "list", absent="some"),
    "idp: --db plain path, missing dir": _case(1, "directory data does not exist",
                                               "idp", "--db", "data/idp.db", "pool", "list",
                                               absent="data"),
    # authgate idp: commands
    "idp pool: unknown pool": _case(2, "User pool nope does not exist", *GOOD, "pool", "describe",
                                    "nope"),
    "idp pool: bad name": _case(2, "Value 'bad[name]' at 'poolName'", *GOOD, "pool", "create",
                                "bad[name]"),
    "idp pool: bad username attribute": _case(2, "enum value set: [phone_number, email]",
                                              *GOOD, "pool", "create", "q",
                                              "--username-attributes", "phone"),
    "idp pool: --min-length abc": _case(2, "'--min-length'", *GOOD, "pool", "create", "q",
                                        "--min-length", "abc"),
    "idp client: bad OAuth flow": _case(2, "enum value set: [code, implicit, client_credentials]",
                                        *GOOD, "client", "create", "--pool", "p", "--name", "c",
                                        "--oauth-flows", "authorization_code"),
    "idp client: bad token format": _case(2, "enum value set: cognito, rfc9068", *GOOD, "client",
                                          "create", "--pool", "p", "--name", "c",
                                          "--access-token-format", "jwt"),
    "idp client: bad validity": _case(2, "--refresh-token-validity: expected a number", *GOOD,
                                      "client", "create", "--pool", "p", "--name", "c",
                                      "--refresh-token-validity", "30 weeks"),
    "idp client: unknown client": _case(2, "ResourceNotFoundException", *GOOD, "client",
                                        "describe", "ghost", "--pool", "p"),
    "idp domain: bad prefix": _case(2, r"pattern: ^[a-z0-9](?:[a-z0-9\-]{{0,61}}[a-z0-9])?$",
                                    *GOOD, "domain", "create", "KongIDP", "--pool", "p"),
    "idp user: no --pool": _case(2, "Missing option '--pool'", *GOOD, "user", "list"),
    "idp user: bad attribute": _case(2, "--attribute: expected NAME=VALUE", *GOOD, "user",
                                     "create", "ada", "--pool", "p", "-a", "given_name"),
    "idp user: unknown user": _case(2, "UserNotFoundException", *GOOD, "user", "disable",
                                    "ghost", "--pool", "p"),
    "idp group: unknown group": _case(2, "ResourceNotFoundException", *GOOD, "group", "delete",
                                      "ghost", "--pool", "p"),
    "idp resource-server: bad scope": _case(2, "--scope: expected NAME", *GOOD,
                                            "resource-server", "create", "api", "--pool", "p",
                                            "--name", "API", "--scope", "=x"),
    "idp keys: bad delay": _case(2, "--publish-delay: expected a number", *GOOD, "keys",
                                 "rotate", "--pool", "p", "--publish-delay", "soon"),
    "idp seed: spec missing": _case(2, "nope.yaml: No such file or directory", *GOOD, "seed",
                                    "--spec", "nope.yaml"),
    "idp seed: spec broken YAML": _case(2, "bad.yaml:2:1: invalid YAML", *GOOD, "seed",
                                        "--spec", "bad.yaml"),
    "idp seed: --gateway-url not http": _case(2, "--gateway-url must start with http", *GOOD,
                                              "seed", "--spec", "{spec}", "--gateway-url", "x"),
    "idp seed: --state-dir a file": _case(2, "--state-dir notadir is not a directory", *GOOD,
                                          "seed", "--spec", "{spec}", "--state-dir", "notadir"),
    "idp serve: bad --log-level": _case(2, "'shout' is not one of", *GOOD, "serve",
                                        "--log-level", "shout"),
    "idp serve: bad --public-url": _case(2, "'--public-url': must start with http", *GOOD,
                                         "serve", "--public-url", "ftp://x"),
    "idp serve: --listen busy": _case(1, "cannot listen on 127.0.0.1:{busy}", *GOOD, "serve",
                                      "--listen", "127.0.0.1:{busy}"),
    "idp: unknown command": _case(2, "No such command 'nosuch'", "idp", "pool", "nosuch"),
    # authgate config
    "config: file missing": _case(1, "missing.yaml: cannot read", "config", "validate",
                                  "missing.yaml"),
    "config: a directory": _case(1, "dir: cannot read", "config", "validate", "dir"),
    "config: broken YAML": _case(1, "bad.yaml:2:1: invalid YAML", "config", "validate", "bad.yaml"),
    "config: no file": _case(2, "Missing argument", "config", "validate"),
    # authgate upstream
    "upstream: --listen bad": _case(2, "'--listen': 'nope'",
                                    "upstream", "echo", "--listen", "nope"),
    "upstream: bad --log-level": _case(2, "'shout' is not one of", "upstream", "echo",
                                       "--log-level", "shout"),
    "upstream: --listen busy": _case(1, "cannot listen on 127.0.0.1:{busy}", "upstream", "echo",
                                     "--listen", "127.0.0.1:{busy}"),
    # authgate
    "root: unknown command": _case(2, "No such command 'nosuch'", "nosuch"),
}  # fmt: skip


def _authgate(
    cwd: Path, *args: str, extra_env: tuple[tuple[str, str], ...] = ()
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTHGATE_")}
    env["COLUMNS"] = "250"  # usage errors are boxed; keep each message on one line
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "-m", "authgate", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def busy_port() -> Iterator[int]:
    """A port another program listens on."""
    port = free_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        yield port


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working directory with the bad files, and ``good.db`` holding the pool ``p``."""
    cwd = tmp_path_factory.mktemp("bad-inputs")
    (cwd / "dir").mkdir()
    (cwd / "notadir").write_text("a file\n")
    (cwd / "junk.db").write_bytes(b"this is not a SQLite database, only text " * 4)
    (cwd / "bad.yaml").write_text("a: [\n")
    (cwd / "latin1.yaml").write_bytes(b"\xff\xfe")
    made = _authgate(cwd, *GOOD, "pool", "create", "p")
    assert made.returncode == 0, made.stderr
    return cwd


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_bad_input_is_one_clean_message_and_exit_1_or_2(
    case: Case, scratch: Path, busy_port: int
) -> None:
    values = {
        "busy": busy_port, "closed": free_port(), "free": free_port(),
        "kong": WORKSHOP / "kong.yaml", "spec": WORKSHOP / "idp.yaml",
        **{f"up{i}": free_port() for i in range(1, 5)},
    }  # fmt: skip
    args = (arg.format(**values) for arg in case.args)
    result = _authgate(scratch, *args, extra_env=case.env)
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.returncode == case.code, output
    said = " ".join(_BOX.sub(" ", output).split())
    assert case.says.format(**values) in said, output
    assert "s3cret" not in output
    if case.absent is not None:
        assert not (scratch / case.absent).exists()
