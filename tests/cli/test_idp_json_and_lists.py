"""`authgate idp …`: every command that changes something prints JSON with --json; list
options take commas or spaces; values print literally, never as Rich markup."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from authgate.cli.app import app

runner = CliRunner()


class Idp:
    """The `authgate idp` command line on one SQLite database."""

    def __init__(self, db: Path) -> None:
        self.db = f"sqlite:///{db}"

    def run(self, *args: str) -> str:
        result = runner.invoke(app, ["idp", "--db", self.db, *args], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        return result.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json"))


@pytest.fixture
def idp(tmp_path: Path) -> Idp:
    cli = Idp(tmp_path / "idp.db")
    cli.run("pool", "create", "kongpool", "--username-attributes", "email")
    return cli


IN_POOL = ("--pool", "kongpool")
PASSWORD = "Correct-Horse-9"


def test_every_change_prints_json(idp: Idp) -> None:
    domain = idp.json("domain", "create", "kongidp", *IN_POOL)
    assert domain["prefix"] == "kongidp"
    assert domain["pool_id"].startswith("us-east-1_")

    group = idp.json("group", "create", "admins", *IN_POOL, "--precedence", "1")
    assert (group["name"], group["precedence"]) == ("admins", 1)

    server = idp.json("resource-server", "create", "orders", *IN_POOL, "--name", "Orders",
                      "--scope", "read=Read orders")  # fmt: skip
    assert server["identifier"] == "orders"
    assert server["scopes"] == [{"name": "read", "description": "Read orders"}]

    made = idp.json("user", "create", "ada@example.com", *IN_POOL)
    assert made["user"]["status"] == "FORCE_CHANGE_PASSWORD"
    user = idp.json("user", "set-password", "ada@example.com", *IN_POOL, "--password", PASSWORD,
                    "--permanent")  # fmt: skip
    assert user["user"]["status"] == "CONFIRMED"
    user = idp.json("user", "update", "ada@example.com", *IN_POOL, "-a", "given_name=Ada")
    assert user["user"]["attributes"]["given_name"] == "Ada"
    assert idp.json("user", "disable", "ada@example.com", *IN_POOL)["user"]["enabled"] is False
    assert idp.json("user", "enable", "ada@example.com", *IN_POOL)["user"]["enabled"] is True

    joined = idp.json("group", "add-user", "admins", "ada@example.com", *IN_POOL)
    assert joined["groups"] == ["admins"]
    assert joined["user"]["username"] == made["user"]["username"]
    assert idp.json("group", "remove-user", "admins", "ada@example.com", *IN_POOL)["groups"] == []
    assert idp.json("group", "delete", "admins", *IN_POOL)["name"] == "admins"

    deleted = idp.json("user", "delete", "ada@example.com", *IN_POOL)
    assert deleted["user"]["username"] == made["user"]["username"]
    assert idp.json("user", "list", *IN_POOL) == []

    client = idp.json("client", "create", *IN_POOL, "--name", "web")
    gone = idp.json("client", "delete", "web", *IN_POOL)
    assert gone == {"client_id": client["client_id"], "name": "web", "pool_id": domain["pool_id"]}
    assert idp.json("domain", "delete", "kongidp")["prefix"] == "kongidp"
    assert idp.json("pool", "delete", "kongpool", "--yes")["name"] == "kongpool"
    assert idp.json("pool", "list") == []


def test_without_json_a_change_is_one_line(idp: Idp) -> None:
    assert idp.run("group", "create", "admins", *IN_POOL) == "created group admins\n"
    assert idp.run("domain", "create", "kongidp", *IN_POOL).startswith("domain kongidp -> ")


SEPARATED = ["openid email profile", "openid,email,profile", "openid, email  profile",
             " openid,,email profile "]  # fmt: skip


@pytest.mark.parametrize("separated", SEPARATED)
def test_list_options_take_commas_or_spaces(idp: Idp, separated: str) -> None:
    client = idp.json(
        "client", "create", *IN_POOL, "--name", "web", "--oauth-flows", "code",
        "--scopes", separated, "--read-attributes", "email given_name",
        "--callback-url", "https://a.example/cb https://b.example/cb",
        "--callback-url", "https://c.example/cb",
    )  # fmt: skip
    assert client["allowed_scopes"] == ["openid", "email", "profile"]
    assert client["read_attributes"] == ["email", "given_name"]
    assert client["callback_urls"] == [
        "https://a.example/cb", "https://b.example/cb", "https://c.example/cb",
    ]  # fmt: skip
    updated = idp.json("client", "update", "web", *IN_POOL, "--scopes", "openid email")
    assert updated["allowed_scopes"] == ["openid", "email"]


def test_pool_lists_take_spaces_too(tmp_path: Path) -> None:
    cli = Idp(tmp_path / "idp.db")
    pool = cli.json("pool", "create", "p", "--required", "email given_name", "--no-symbols")
    assert pool["required_attributes"] == ["email", "given_name"]
    assert pool["password_policy"]["require_symbols"] is False


def test_values_in_tables_print_literally(idp: Idp) -> None:
    idp.run("user", "create", "ada@example.com", *IN_POOL, "-a", "given_name=[bold]Ada[/bold]")
    shown = idp.run("user", "describe", "ada@example.com", *IN_POOL)
    assert "[bold]Ada[/bold]" in shown
