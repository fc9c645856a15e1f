"""The IdP store: one async API over SQLite or PostgreSQL for everything the IdP keeps."""

from __future__ import annotations

import os

from authgate.idp.domain.passwords import PasswordHasher
from authgate.idp.storage.db import create_engine, normalize_url, upgrade_to_head
from authgate.idp.storage.db_open import OPEN_ERRORS, open_failure
from authgate.idp.storage.key_sealing import ENV_KEY_SECRET, KeySealer
from authgate.idp.storage.store_auth import AuthStore
from authgate.idp.storage.store_base import Clock, system_clock
from authgate.idp.storage.store_clients import ClientStore
from authgate.idp.storage.store_groups import GroupStore
from authgate.idp.storage.store_keys import KeyStore
from authgate.idp.storage.store_pools import PoolStore
from authgate.idp.storage.store_users import UserStore

__all__ = ["IdpStore"]


class IdpStore(KeyStore, AuthStore, GroupStore, UserStore, ClientStore, PoolStore):
    """Pools, domains, clients, users, groups, resource servers and signing keys.

    Open with ``await IdpStore.open(url)``; every method returns frozen records from
    ``authgate.idp.domain.records`` and raises the Cognito-named errors of
    ``authgate.idp.domain.cognito_errors``.
    ``engine`` and ``sessionmaker`` are public so that other IdP tables can share them.
    """

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
        engine = create_engine(parsed)
        store = cls(engine, clock, hasher or PasswordHasher(), sealer)
        try:
            if migrate:
                await upgrade_to_head(engine)
                if verify_sealed or sealer is not None:
                    await store.seal_stored_keys()
        except OPEN_ERRORS as exc:
            await engine.dispose()
            raise open_failure(exc, parsed) from exc
        except BaseException:
            await engine.dispose()
            raise
        return store

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()

    async def __aenter__(self) -> IdpStore:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
