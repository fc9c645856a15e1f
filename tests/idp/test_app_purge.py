"""A long-running IdP purges what expired: codes, hosted-UI sessions, refresh tokens, revocations.

The server runs with a 50 ms purge interval and an injected clock; each stage moves the clock
and waits (bounded) until the purge has run. What must survive a stage is checked against
the same purge that removed something else, so "kept" is never a guess about timing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from oidc_harness import (
    IdpServer,
    Seeded,
    login_for_code,
    password_tokens,
    seed,
    serve,
    throwaway_postgres,
)
from sqlalchemy import func, select

from authgate.idp.protocol.settings import IdpSettings
from authgate.idp.storage.store import IdpStore
from authgate.idp.storage.token_tables import (
    AuthorizationCodeRow,
    IdpSessionRow,
    RefreshTokenRow,
    RevokedTokenRow,
)

TABLES = {
    "codes": AuthorizationCodeRow,
    "sessions": IdpSessionRow,
    "refresh": RefreshTokenRow,
    "revoked": RevokedTokenRow,
}
HOUR, DAY = 3600, 86400


@pytest.fixture(params=["sqlite", "postgresql"])
def purging(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[IdpServer]:
    """An IdP that purges every 50 ms, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield from serve(f"sqlite:///{tmp_path}/idp.db", purge_interval=0.05)
        return
    for url in throwaway_postgres(request.getfixturevalue("postgres_url")):
        yield from serve(url, purge_interval=0.05)


def _counts(server: IdpServer, seeded: Seeded) -> dict[str, int]:
    async def count(store: IdpStore) -> dict[str, int]:
        async with store.db.session() as session:
            return {
                name: (
                    await session.scalar(
                        select(func.count()).select_from(row).where(row.pool_id == seeded.pool_id)
                    )
                )
                or 0
                for name, row in TABLES.items()
            }

    return server.run(count)


def _await_counts(server: IdpServer, seeded: Seeded, **expected: int) -> dict[str, int]:
    """Poll until the named tables hold ``expected`` rows; then return every count."""
    deadline = time.monotonic() + 15
    while True:
        counts = _counts(server, seeded)
        if all(counts[name] == want for name, want in expected.items()):
            return counts
        assert time.monotonic() < deadline, f"purge did not run: {counts}, wanted {expected}"
        time.sleep(0.02)


def test_expired_rows_are_purged_while_the_idp_runs_and_live_ones_are_kept(
    purging: IdpServer,
) -> None:
    seeded = seed(purging)
    with purging.client() as http:
        login_for_code(http, seeded)  # a code and a hosted-UI session
        kept = password_tokens(http, seeded)
        revoked = password_tokens(http, seeded)
        assert kept["refresh_token"] != revoked["refresh_token"]
        response = http.post(
            seeded.path("/oauth2/revoke"),
            data={"token": revoked["refresh_token"]},
            auth=(seeded.client_id, seeded.client_secret or ""),
        )
        assert response.status_code == 200, response.text
    start = _counts(purging, seeded)
    assert start == {"codes": 1, "sessions": 1, "refresh": 2, "revoked": 1}

    # The session (1 h) expired; the code is kept a day past its 5 minutes to catch replays.
    purging.clock.advance(2 * HOUR)
    after_hours = _await_counts(purging, seeded, sessions=0)
    assert after_hours == {"codes": 1, "sessions": 0, "refresh": 2, "revoked": 1}

    purging.clock.advance(2 * DAY)
    after_days = _await_counts(purging, seeded, codes=0)
    assert after_days == {"codes": 0, "sessions": 0, "refresh": 2, "revoked": 1}

    # Refresh tokens live 30 days; a revocation outlives every token of its family.
    purging.clock.advance(40 * DAY)
    _await_counts(purging, seeded, refresh=0, revoked=0)


def test_a_negative_purge_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="purge_interval"):
        IdpSettings(purge_interval=-1)
