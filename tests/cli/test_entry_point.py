"""The console entry point: only the command run is imported; the IdP's stack when it is needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def test_root_help_lists_every_command_without_loading_the_idp() -> None:
    out = _run("--help")
    for group in ("gateway", "up", "idp", "config", "upstream"):
        assert group in out
    assert out.rstrip().endswith("SQLALCHEMY False")


def test_config_validate_does_not_load_the_idp(tmp_path: Path) -> None:
    config = tmp_path / "kong.yaml"
    config.write_text('_format_version: "3.0"\n', encoding="utf-8")
    out = _run("config", "validate", str(config))
    assert "OK: 0 services" in out
    assert out.rstrip().endswith("SQLALCHEMY False")


def test_idp_commands_load_the_idp() -> None:
    out = _run("idp", "pool", "--help")
    assert "Usage: authgate idp pool" in out
    assert out.rstrip().endswith("SQLALCHEMY True")
