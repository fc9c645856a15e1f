"""seed_workshop: the demo user can sign in, lost passwords are reset, bad specs are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from authgate.idp.domain.cognito_errors import InvalidParameterException
from authgate.idp.storage.seed import PASSWORD_FILE, seed_workshop
from authgate.idp.storage.store import IdpStore

SPEC = Path(__file__).resolve().parents[2] / "examples" / "workshop" / "idp.yaml"


async def test_seeded_demo_user_signs_in_with_the_reported_password(
    store: IdpStore, tmp_path: Path
) -> None:
    facts = await seed_workshop(store, SPEC, "http://127.0.0.1:8000", state_dir=tmp_path)
    result = await store.auth.authenticate(
        facts["pool_id"], "demo@example.com", facts["user"]["password"]
    )
    assert result.ok
    client = await store.clients.get(facts["client_id"])
    assert store.clients.verify_secret(client, facts["client_secret"])
    assert client.allowed_oauth_flows == ("code",)


async def test_lost_password_file_resets_the_demo_password(store: IdpStore, tmp_path: Path) -> None:
    first = await seed_workshop(store, SPEC, state_dir=tmp_path)
    (tmp_path / PASSWORD_FILE).unlink()
    second = await seed_workshop(store, SPEC, state_dir=tmp_path)
    assert second["changed"] == ["user password"]
    assert second["user"]["password"] != first["user"]["password"]
    assert (
        await store.auth.authenticate(
            second["pool_id"], "demo@example.com", second["user"]["password"]
        )
    ).ok


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pool: {name: p}\nclient: {}\n", "client.name: Field required"),
        ("pool: {name: p, colour: red}\nclient: {name: c}\n", "pool.colour: Extra inputs"),
        ("pool: [\n", r"idp\.yaml:2:1: invalid YAML: expected the node content"),
    ],
)
async def test_bad_spec_names_the_key(
    store: IdpStore, tmp_path: Path, text: str, message: str
) -> None:
    spec = tmp_path / "idp.yaml"
    spec.write_text(text)
    with pytest.raises(InvalidParameterException, match=message):
        await seed_workshop(store, spec, state_dir=tmp_path)


async def test_service_client_gets_client_credentials_for_the_resource_server_scope(
    store: IdpStore, tmp_path: Path
) -> None:
    facts = await seed_workshop(store, SPEC, "http://localhost:8100", state_dir=tmp_path)
    service = facts["service_client"]
    assert service["client_name"] == "kong-service"
    assert service["scopes"] == ["bar-api/read"]
    client = await store.clients.get(service["client_id"])
    assert client.allowed_oauth_flows == ("client_credentials",)
    assert store.clients.verify_secret(client, service["client_secret"])
    assert await store.resource_servers.custom_scopes(facts["pool_id"]) == ("bar-api/read",)
    main = await store.clients.get(facts["client_id"])
    assert main.callback_urls == ("http://localhost:8100/bar", "http://127.0.0.1:8100/bar")
    assert "http://127.0.0.1:8100/bar" in main.logout_urls


async def test_second_seed_changes_nothing_and_keeps_every_credential(
    store: IdpStore, tmp_path: Path
) -> None:
    first = await seed_workshop(store, SPEC, state_dir=tmp_path)
    assert first["changed"] == [
        "pool", "domain", "resource server", "client", "service client", "user",
    ]  # fmt: skip
    second = await seed_workshop(store, SPEC, state_dir=tmp_path)
    assert second["changed"] == []
    assert {k: v for k, v in second.items() if k != "changed"} == {
        k: v for k, v in first.items() if k != "changed"
    }
