"""The console entry point: the gateway starts without the IdP's imports; the rest is whole."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
sys.argv = {argv!r}
from authgate.cli.entry import main
try:
    main()
except SystemExit:
    pass
print("SQLALCHEMY", any(m.startswith("sqlalchemy") for m in sys.modules))
"""


def _run(*argv: str) -> str:
    code = PROBE.format(argv=["authgate", *argv])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_gateway_command_does_not_load_the_idp_database_layer() -> None:
    out = _run("gateway", "--help")
    assert "Usage: authgate gateway" in out
    assert "--workers" in out
    assert out.rstrip().endswith("SQLALCHEMY False")


def test_other_commands_get_the_full_command_line() -> None:
    out = _run("--help")
    for group in ("gateway", "up", "idp", "config", "upstream"):
        assert group in out
    assert out.rstrip().endswith("SQLALCHEMY True")
