"""seed_workshop: the demo user can sign in, lost passwords are reset, bad specs are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from authgate.idp.errors import InvalidParameterException
from authgate.idp.seed import PASSWORD_FILE, seed_workshop
from authgate.idp.store import IdpStore

SPEC = Path(__file__).resolve().parents[2] / "examples" / "workshop" / "idp.yaml"


async def test_seeded_demo_user_signs_in_with_the_reported_password(
    store: IdpStore, tmp_path: Path
) -> None:
    facts = await seed_workshop(store, SPEC, "http://127.0.0.1:8000", state_dir=tmp_path)
    result = await store.authenticate(
        facts["pool_id"], "demo@example.com", facts["user"]["password"]
    )
    assert result.ok
    client = await store.get_client(facts["client_id"])
    assert store.verify_client_secret(client, facts["client_secret"])
    assert client.allowed_oauth_flows == ("code",)


async def test_lost_password_file_resets_the_demo_password(store: IdpStore, tmp_path: Path) -> None:
    first = await seed_workshop(store, SPEC, state_dir=tmp_path)
    (tmp_path / PASSWORD_FILE).unlink()
    second = await seed_workshop(store, SPEC, state_dir=tmp_path)
    assert second["changed"] == ["user password"]
    assert second["user"]["password"] != first["user"]["password"]
    assert (
        await store.authenticate(second["pool_id"], "demo@example.com", second["user"]["password"])
    ).ok


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pool: {name: p}\nclient: {}\n", "client.name: Field required"),
        ("pool: {name: p, colour: red}\nclient: {name: c}\n", "pool.colour: Extra inputs"),
        ("pool: [\n", "while parsing"),
    ],
)
async def test_bad_spec_names_the_key(
    store: IdpStore, tmp_path: Path, text: str, message: str
) -> None:
    spec = tmp_path / "idp.yaml"
    spec.write_text(text)
    with pytest.raises(InvalidParameterException, match=message):
        await seed_workshop(store, spec, state_dir=tmp_path)
