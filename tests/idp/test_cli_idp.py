"""`authgate idp …` end to end: the workshop's console steps as commands, errors, seeding."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from oidc_harness import throwaway_postgres
from typer.testing import CliRunner

from authgate.cli.app import app

runner = CliRunner()
SPEC = Path(__file__).resolve().parents[2] / "examples" / "workshop" / "idp.yaml"
KONG_API = [
    "client", "create", "--pool", "kongpool", "--name", "kong-api", "--generate-secret",
    "--refresh-token-validity", "30d",
    "--auth-flows", "ALLOW_USER_PASSWORD_AUTH,ALLOW_REFRESH_TOKEN_AUTH",
    "--callback-url", "http://localhost:8000/bar", "--callback-url", "http://127.0.0.1:8000/bar",
    "--logout-url", "http://localhost:8000/",
    "--oauth-flows", "code", "--scopes", "openid,email,profile,aws.cognito.signin.user.admin",
    "--read-attributes", "email,email_verified,given_name,family_name",
    "--write-attributes", "email,given_name,family_name",
]  # fmt: skip


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database URL for each test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/idp.db"
        return
    yield from throwaway_postgres(request.getfixturevalue("postgres_url"))


def idp(db: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["idp", "--db", db, *args], env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def ok_json(db: str, *args: str) -> object:
    code, out, err = idp(db, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_workshop_console_steps_as_commands(db: str) -> None:
    code, out, err = idp(
        db, "pool", "create", "kongpool", "--username-attributes", "email",
        "--required", "email,given_name,family_name",
    )  # fmt: skip
    assert code == 0, err
    assert "kongpool" in out
    assert "us-east-1_" in out
    client = ok_json(db, *KONG_API)
    assert isinstance(client, dict)
    assert len(client["client_secret"]) == 51
    assert client["refresh_token_validity"] == {"unit": "days", "value": 30}
    assert client["callback_urls"] == ["http://localhost:8000/bar", "http://127.0.0.1:8000/bar"]
    code, out, err = idp(db, "domain", "create", "kongidp", "--pool", "kongpool")
    assert code == 0, err
    assert "domain kongidp -> user pool us-east-1_" in out
    code, out, err = idp(
        db, "user", "create", "demo@example.com", "--pool", "kongpool",
        "-a", "given_name=Demo", "-a", "family_name=User", "-a", "email_verified=true",
        "--password", "Correct-Horse-9", "--permanent",
    )  # fmt: skip
    assert code == 0, err
    assert "CONFIRMED" in out
    assert idp(db, "group", "create", "admins", "--pool", "kongpool", "--precedence", "1")[0] == 0
    assert idp(db, "group", "add-user", "admins", "demo@example.com", "--pool", "kongpool")[0] == 0

    pools = ok_json(db, "pool", "list")
    assert [p["name"] for p in pools] == ["kongpool"]  # type: ignore[union-attr,index]
    described = ok_json(db, "pool", "describe", "kongpool")
    assert described["domain"] == "kongidp"  # type: ignore[index,call-overload]
    listed = ok_json(db, "client", "list", "--pool", "kongpool")
    assert listed == [
        {"client_id": client["client_id"], "name": "kong-api", "pool_id": client["pool_id"]}
    ]
    again = ok_json(db, "client", "describe", "kong-api", "--pool", "kongpool")
    assert again["client_secret"] == client["client_secret"]  # type: ignore[index,call-overload]
    user = ok_json(db, "user", "describe", "demo@example.com", "--pool", "kongpool")
    assert user["groups"] == ["admins"]  # type: ignore[index,call-overload]
    assert user["user"]["attributes"]["given_name"] == "Demo"  # type: ignore[index,call-overload]
    assert [u["status"] for u in ok_json(db, "user", "list", "--pool", "kongpool")] == [  # type: ignore[union-attr,index]
        "CONFIRMED"
    ]
    code, out, _ = idp(db, "client", "describe", "kong-api", "--pool", "kongpool")
    assert client["client_secret"] in out  # the full secret, never truncated in the table


def test_user_lifecycle_commands(db: str) -> None:
    assert idp(db, "pool", "create", "plain")[0] == 0
    code, out, err = idp(db, "user", "create", "ada", "--pool", "plain")
    assert code == 0, err
    assert "FORCE_CHANGE_PASSWORD" in out
    assert "temporary password:" in out
    code, out, _ = idp(db, "user", "set-password", "ada", "--pool", "plain",
                       "--password", "Correct-Horse-9", "--permanent")  # fmt: skip
    assert code == 0
    assert "status CONFIRMED" in out
    assert "disabled ada" in idp(db, "user", "disable", "ada", "--pool", "plain")[1]
    assert ok_json(db, "user", "describe", "ada", "--pool", "plain")["user"]["enabled"] is False  # type: ignore[index,call-overload]
    assert "enabled ada" in idp(db, "user", "enable", "ada", "--pool", "plain")[1]
    code, out, err = idp(db, "user", "confirm", "ada", "--pool", "plain")
    assert code == 2
    assert "User cannot be confirmed. Current status is CONFIRMED" in err
    assert "deleted ada" in idp(db, "user", "delete", "ada", "--pool", "plain")[1]
    assert ok_json(db, "user", "list", "--pool", "plain") == []


def test_keys_and_resource_server_commands(db: str) -> None:
    assert idp(db, "pool", "create", "kongpool")[0] == 0
    keys = ok_json(db, "keys", "list", "--pool", "kongpool")
    assert sorted(k["use"] for k in keys) == ["access", "id"]  # type: ignore[union-attr,index]
    assert all(k["state"] == "active" and k["private_jwk"] is None for k in keys)  # type: ignore[union-attr,index]
    new = ok_json(db, "keys", "rotate", "--pool", "kongpool", "--publish-delay", "5m")
    assert [k["state"] for k in new] == ["pending", "pending"]  # type: ignore[union-attr,index]
    assert "d" not in new[0]["public_jwk"]  # type: ignore[index]
    assert len(ok_json(db, "keys", "list", "--pool", "kongpool")) == 4  # type: ignore[arg-type]
    code, out, err = idp(
        db, "resource-server", "create", "orders", "--pool", "kongpool",
        "--name", "Orders", "--scope", "read=Read orders", "--scope", "write",
    )  # fmt: skip
    assert code == 0, err
    assert "orders/read, orders/write" in out
    code, _, err = idp(db, "client", "create", "--pool", "kongpool", "--name", "machine",
                       "--generate-secret", "--oauth-flows", "client_credentials",
                       "--scopes", "orders/read", "--json")  # fmt: skip
    assert code == 0, err


NEW_CLIENT = ["client", "create", "--pool", "kongpool", "--name", "x"]
NEW_USER = ["user", "create", "demo@example.com", "--pool", "kongpool"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [*NEW_CLIENT, "--oauth-flows", "code", "--scopes", "openid",
             "--callback-url", "http://example.com/cb"],
            "InvalidParameterException: CallbackURLs must use HTTPS, except for http://localhost",
        ),
        (
            [*NEW_CLIENT, "--oauth-flows", "code", "--scopes", "openid,admin",
             "--callback-url", "https://example.com/cb"],
            "ScopeDoesNotExistException: Invalid scope requested: admin",
        ),
        (
            [*NEW_CLIENT, "--refresh-token-validity", "30 weeks"],
            "--refresh-token-validity: expected a number with an optional unit",
        ),
        (
            [*NEW_CLIENT, "--access-token-validity", "2d"],
            "InvalidParameterException: Invalid range for token validity",
        ),
        (
            [*NEW_USER, "-a", "given_name=D", "-a", "family_name=U",
             "--password", "password", "--permanent"],
            "InvalidPasswordException: Password did not conform with policy: "
            "Password must have uppercase characters",
        ),
        ([*NEW_USER, "--password", "Correct-Horse-9"], "--password needs --permanent"),
        ([*NEW_USER, "-a", "given_name"], "--attribute: expected NAME=VALUE"),
        (
            [*NEW_USER, "--password", "Correct-Horse-9", "--permanent"],
            "given_name: The attribute given_name is required",
        ),
        (["pool", "create", "kongpool"], "A user pool named kongpool already exists."),
        (["pool", "describe", "nope"], "ResourceNotFoundException: User pool nope does not exist."),
        (["domain", "create", "my_idp", "--pool", "kongpool"], "Member must satisfy regular"),
        (
            ["user", "describe", "ghost", "--pool", "kongpool"],
            "UserNotFoundException: User does not",
        ),
        (["keys", "rotate", "--pool", "kongpool", "--publish-delay", "2d"], "at most 1 day"),
    ],
)  # fmt: skip
def test_invalid_input_exits_2_with_cognitos_wording(
    tmp_path: Path, args: list[str], message: str
) -> None:
    db = f"sqlite:///{tmp_path}/idp.db"
    assert idp(db, "pool", "create", "kongpool", "--username-attributes", "email",
               "--required", "email,given_name,family_name")[0] == 0  # fmt: skip
    code, out, err = idp(db, *args)
    assert code == 2, (out, err)
    assert message in err
    assert "Traceback" not in err + out


def test_unsupported_db_url_is_a_clear_error() -> None:
    code, _, err = idp("mysql://root:secret@localhost/idp", "pool", "list")
    assert code == 2
    assert "unsupported IdP database URL" in err
    assert "secret" not in err


def test_seed_twice_changes_nothing(db: str, tmp_path: Path) -> None:
    state = tmp_path / "state"
    args = ("seed", "--spec", str(SPEC), "--state-dir", str(state))
    first = ok_json(db, *args)
    assert isinstance(first, dict)
    assert first["changed"] == [
        "pool",
        "domain",
        "resource server",
        "client",
        "service client",
        "user",
    ]
    assert first["pool_name"] == "kongpool"
    assert first["domain"] == "kongidp"
    assert first["client_name"] == "kong-api"
    assert len(first["client_secret"]) == 51
    password_file = state / "idp-demo-password"
    assert stat.S_IMODE(os.stat(password_file).st_mode) == 0o600
    assert first["user"]["password"] == password_file.read_text().strip()
    assert first["user"]["username"] == "demo@example.com"
    second = ok_json(db, *args)
    assert isinstance(second, dict)
    assert second["changed"] == []
    assert {k: v for k, v in second.items() if k != "changed"} == {
        k: v for k, v in first.items() if k != "changed"
    }
    client = ok_json(db, "client", "describe", "kong-api", "--pool", "kongpool")
    assert isinstance(client, dict)
    assert client["callback_urls"] == [
        "http://127.0.0.1:8000/bar",
        "http://localhost:8000/bar",
    ]
    assert client["explicit_auth_flows"] == ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert client["refresh_token_validity"] == {"unit": "days", "value": 30}
    user = ok_json(db, "user", "describe", "demo@example.com", "--pool", "kongpool")
    assert user["user"]["attributes"]["email_verified"] == "true"  # type: ignore[index,call-overload]
    # A different gateway URL reaches the callback URLs; nothing else moves.
    moved = ok_json(db, *args, "--gateway-url", "http://127.0.0.1:8100")
    assert isinstance(moved, dict)
    assert moved["changed"] == ["client settings"]
    assert moved["client_secret"] == first["client_secret"]
