"""The app-client repository: creation with Cognito's validation, lookup, update, secrets."""

from __future__ import annotations

import hmac
import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from authgate.idp.domain import ids
from authgate.idp.domain.client_settings import ClientSettings, settings_of, validate_settings
from authgate.idp.domain.cognito_errors import InvalidParameterException, ResourceNotFoundException
from authgate.idp.domain.records import AppClient
from authgate.idp.domain.validation import check_name
from authgate.idp.storage.conversions import client_record, pool_record
from authgate.idp.storage.repositories.base import Repository, client_row, pool_row
from authgate.idp.storage.tables import AppClientRow, ResourceServerRow

__all__ = ["ClientRepository"]

_CLIENT_ID = re.compile(r"[\w+]{1,128}")
_CLIENT_SECRET = re.compile(r"[\w+]{24,64}")


def _secret(generate: bool, given: str | None) -> str | None:
    if generate and given is not None:
        raise InvalidParameterException("Cannot specify both GenerateSecret and ClientSecret.")
    if given is not None and not _CLIENT_SECRET.fullmatch(given):
        raise InvalidParameterException(
            "1 validation error detected: Value at 'clientSecret' failed to satisfy constraint: "
            r"Member must satisfy regular expression pattern: [\w+]+ and have length between "
            "24 and 64"
        )
    return ids.new_client_secret() if generate else given


def _apply(row: AppClientRow, settings: ClientSettings) -> None:
    row.callback_urls = list(settings.callback_urls)
    row.logout_urls = list(settings.logout_urls)
    row.default_redirect_uri = settings.default_redirect_uri
    row.allowed_oauth_flows = list(settings.allowed_oauth_flows)
    row.allowed_scopes = list(settings.allowed_scopes)
    row.explicit_auth_flows = list(settings.explicit_auth_flows or ())
    row.access_token_validity = settings.access_token_validity or 0
    row.access_token_unit = settings.access_token_unit or ""
    row.id_token_validity = settings.id_token_validity or 0
    row.id_token_unit = settings.id_token_unit or ""
    row.refresh_token_validity = settings.refresh_token_validity or 0
    row.refresh_token_unit = settings.refresh_token_unit or ""
    row.auth_session_validity = settings.auth_session_validity
    row.read_attributes = list(settings.read_attributes or ())
    row.write_attributes = list(settings.write_attributes or ())
    row.enable_token_revocation = settings.enable_token_revocation
    row.refresh_token_rotation = settings.refresh_token_rotation
    row.rotation_grace_seconds = settings.rotation_grace_seconds
    row.prevent_user_existence_errors = settings.prevent_user_existence_errors
    row.access_token_format = settings.access_token_format


class ClientRepository(Repository):
    """App clients: creation with Cognito's validation, lookup, update, secrets."""

    @staticmethod
    async def _custom_scopes(session: AsyncSession, pool_id: str) -> list[str]:
        rows = await session.scalars(
            select(ResourceServerRow).where(ResourceServerRow.pool_id == pool_id)
        )
        return [f"{row.identifier}/{scope['name']}" for row in rows for scope in row.scopes]

    async def create(
        self,
        pool_id: str,
        name: str,
        settings: ClientSettings | None = None,
        *,
        generate_secret: bool = False,
        client_id: str | None = None,
        client_secret: str | None = None,
        now: datetime | None = None,
    ) -> AppClient:
        """Create an app client; ``client_id``/``client_secret`` may be given or generated."""
        check_name(name, "clientName")
        secret = _secret(generate_secret, client_secret)
        if client_id is not None and not _CLIENT_ID.fullmatch(client_id):
            raise InvalidParameterException(
                f"1 validation error detected: Value '{client_id}' at 'clientId' failed to "
                r"satisfy constraint: Member must satisfy regular expression pattern: [\w+]+"
            )
        moment = self._now(now)
        row = AppClientRow(
            client_id=client_id or ids.new_client_id(),
            pool_id=pool_id,
            name=name,
            client_secret=secret,
            created_at=moment,
            updated_at=moment,
        )
        try:
            async with self.db.transaction() as session:
                pool = pool_record(await pool_row(session, pool_id))
                valid = validate_settings(
                    pool,
                    settings or ClientSettings(),
                    has_secret=secret is not None,
                    custom_scopes=await self._custom_scopes(session, pool_id),
                )
                _apply(row, valid)
                if await session.get(AppClientRow, row.client_id) is not None:
                    raise InvalidParameterException(f"App client {row.client_id} already exists.")
                session.add(row)
        except IntegrityError as exc:
            raise InvalidParameterException(f"App client {row.client_id} already exists.") from exc
        return client_record(row)

    async def get(self, client_id: str) -> AppClient:
        """The client with this id (ids are globally unique), or ResourceNotFoundException."""
        async with self.db.session() as session:
            return client_record(await client_row(session, client_id))

    async def find(self, client_id: str) -> AppClient | None:
        """The client with this id, or None."""
        async with self.db.session() as session:
            row = await session.get(AppClientRow, client_id)
            return client_record(row) if row is not None else None

    async def resolve(self, pool_id: str, name_or_id: str) -> AppClient:
        """The pool's client with this id or, failing that, this name (for the CLI)."""
        async with self.db.session() as session:
            row = await session.get(AppClientRow, name_or_id)
            if row is None or row.pool_id != pool_id:
                row = await session.scalar(
                    select(AppClientRow).where(
                        AppClientRow.pool_id == pool_id, AppClientRow.name == name_or_id
                    )
                )
            if row is None:
                raise ResourceNotFoundException(f"User pool client {name_or_id} does not exist.")
            return client_record(row)

    async def all(self, pool_id: str) -> list[AppClient]:
        """The pool's clients, oldest first."""
        async with self.db.session() as session:
            await pool_row(session, pool_id)
            rows = await session.scalars(
                select(AppClientRow)
                .where(AppClientRow.pool_id == pool_id)
                .order_by(AppClientRow.created_at, AppClientRow.name)
            )
            return [client_record(row) for row in rows]

    async def update(
        self,
        client_id: str,
        settings: ClientSettings,
        *,
        name: str | None = None,
        now: datetime | None = None,
    ) -> AppClient:
        """Replace a client's settings (like UpdateUserPoolClient: omitted means default)."""
        if name is not None:
            check_name(name, "clientName")
        async with self.db.transaction() as session:
            row = await client_row(session, client_id)
            pool = pool_record(await pool_row(session, row.pool_id))
            valid = validate_settings(
                pool,
                settings,
                has_secret=row.client_secret is not None,
                custom_scopes=await self._custom_scopes(session, row.pool_id),
            )
            if valid == settings_of(client_record(row)) and name in (None, row.name):
                return client_record(row)  # nothing changes, not even updated_at
            _apply(row, valid)
            row.name = name or row.name
            row.updated_at = self._now(now)
            return client_record(row)

    async def delete(self, client_id: str) -> None:
        """Delete a client (its tokens go with it)."""
        async with self.db.transaction() as session:
            await session.delete(await client_row(session, client_id))

    @staticmethod
    def verify_secret(client: AppClient, secret: str | None) -> bool:
        """True if ``secret`` is the client's secret (constant-time; False for public clients)."""
        if client.client_secret is None or secret is None:
            return False
        return hmac.compare_digest(client.client_secret.encode(), secret.encode())
