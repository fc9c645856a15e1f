"""The IdP store: one async API over SQLite or PostgreSQL for everything the IdP keeps."""

from __future__ import annotations

import os

from authgate.idp.domain.clock import Clock, system_clock
from authgate.idp.domain.passwords import PasswordHasher
from authgate.idp.storage.db import Database, create_engine, normalize_url, upgrade_to_head
from authgate.idp.storage.db_open import OPEN_ERRORS, open_failure
from authgate.idp.storage.key_sealing import ENV_KEY_SECRET, KeySealer
from authgate.idp.storage.repositories.auth import AuthRepository
from authgate.idp.storage.repositories.clients import ClientRepository
from authgate.idp.storage.repositories.groups import GroupRepository
from authgate.idp.storage.repositories.keys import KeyRepository
from authgate.idp.storage.repositories.pools import PoolRepository
from authgate.idp.storage.repositories.resource_servers import ResourceServerRepository
from authgate.idp.storage.repositories.tokens import TokenRepository
from authgate.idp.storage.repositories.users import UserRepository

__all__ = ["IdpStore"]


class IdpStore:
    """Pools, domains, clients, users, groups, resource servers, signing keys and tokens.

    Open with ``await IdpStore.open(url)``; each aggregate has its repository
    (``store.pools``, ``store.resource_servers``, ``store.clients``, ``store.users``,
    ``store.auth``, ``store.groups``, ``store.keys``, ``store.tokens``), all on one
    :class:`~authgate.idp.storage.db.Database` (``store.db``) and one clock
    (``store.clock``, the IdP's time everywhere). Reads return frozen records from
    ``authgate.idp.domain.records``; errors are the Cognito-named ones of
    ``authgate.idp.domain.cognito_errors``.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock = system_clock,
        hasher: PasswordHasher | None = None,
        sealer: KeySealer | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        hasher = hasher or PasswordHasher()
        self.keys = KeyRepository(db, clock, sealer)
        self.pools = PoolRepository(db, clock, self.keys)
        self.resource_servers = ResourceServerRepository(db, clock)
        self.clients = ClientRepository(db, clock)
        self.users = UserRepository(db, clock, hasher)
        self.auth = AuthRepository(db, clock, hasher)
        self.groups = GroupRepository(db, clock)
        self.tokens = TokenRepository(db, clock)

    @classmethod
    async def open(
        cls,
        url: str | None = None,
        *,
        clock: Clock = system_clock,
        hasher: PasswordHasher | None = None,
        migrate: bool = True,
        key_secret: str | None = None,
        verify_sealed: bool = True,
    ) -> IdpStore:
        """Connect to ``url`` (default ``$AUTHGATE_IDP_DB`` or ``sqlite:///.authgate/idp.db``),
        creating the SQLite directory and upgrading the schema to the newest migration.

        ``key_secret`` (default ``$AUTHGATE_IDP_KEY_SECRET``; ``""`` for none) seals the
        private signing keys at rest; keys stored in the clear are sealed now, and every
        sealed key must open, so a wrong or missing secret fails here, not at the first login.
        ``verify_sealed=False`` skips that check when there is no secret (commands that
        never read a private key); reading one then fails with the same message.

        A bad URL raises ValueError; a database that cannot be reached or read raises
        :class:`~authgate.idp.storage.db_open.DatabaseOpenError` saying what, where and why.
        """
        secret = os.environ.get(ENV_KEY_SECRET, "") if key_secret is None else key_secret
        sealer = KeySealer(secret) if secret else None
        parsed = normalize_url(url)
        db = Database(create_engine(parsed))
        store = cls(db, clock, hasher, sealer)
        try:
            if migrate:
                await upgrade_to_head(db.engine)
                if verify_sealed or sealer is not None:
                    await store.keys.seal_stored()
        except OPEN_ERRORS as exc:
            await db.close()
            raise open_failure(exc, parsed) from exc
        except BaseException:
            await db.close()
            raise
        return store

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.db.close()

    async def __aenter__(self) -> IdpStore:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
