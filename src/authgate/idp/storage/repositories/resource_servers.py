"""The resource-server repository: APIs of a pool and their custom scopes."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from authgate.idp.domain.cognito_errors import InvalidParameterException
from authgate.idp.domain.records import ResourceServer, ResourceServerScope
from authgate.idp.domain.validation import check_name
from authgate.idp.storage.conversions import resource_server_record
from authgate.idp.storage.repositories.base import Repository, pool_row
from authgate.idp.storage.tables import ResourceServerRow

__all__ = ["MAX_SCOPES_PER_SERVER", "ResourceServerRepository"]

_RS_IDENTIFIER = re.compile(r"[\x21\x23-\x5B\x5D-\x7E]{1,256}")
_SCOPE_NAME = re.compile(r"[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}")
MAX_SCOPES_PER_SERVER = 100


class ResourceServerRepository(Repository):
    """Resource servers (``<identifier>/<scope>`` custom scopes) of a pool."""

    async def create(
        self,
        pool_id: str,
        identifier: str,
        name: str,
        scopes: Iterable[ResourceServerScope | tuple[str, str]] = (),
        now: datetime | None = None,
    ) -> ResourceServer:
        """Register an API with custom scopes (``<identifier>/<scope>``)."""
        if not _RS_IDENTIFIER.fullmatch(identifier):
            raise InvalidParameterException(
                f"Invalid resource server identifier {identifier!r}: 1-256 printable characters "
                "without spaces, '\"' or '\\'"
            )
        check_name(name, "name", max_length=256)
        parsed = [
            s if isinstance(s, ResourceServerScope) else ResourceServerScope(*s) for s in scopes
        ]
        if len(parsed) > MAX_SCOPES_PER_SERVER:
            raise InvalidParameterException(
                f"A resource server may have at most {MAX_SCOPES_PER_SERVER} scopes."
            )
        for scope in parsed:
            if not _SCOPE_NAME.fullmatch(scope.name):
                raise InvalidParameterException(
                    f"Invalid scope name {scope.name!r}: printable characters without spaces, "
                    "'/', '\"' or '\\'"
                )
        row = ResourceServerRow(
            pool_id=pool_id,
            identifier=identifier,
            name=name,
            scopes=[{"name": s.name, "description": s.description} for s in parsed],
            created_at=self._now(now),
        )
        try:
            async with self.db.transaction() as session:
                await pool_row(session, pool_id)
                session.add(row)
        except IntegrityError as exc:
            raise InvalidParameterException(
                f"Resource server {identifier} already exists in user pool {pool_id}."
            ) from exc
        return resource_server_record(row)

    async def all(self, pool_id: str) -> list[ResourceServer]:
        """The pool's resource servers, by identifier."""
        async with self.db.session() as session:
            await pool_row(session, pool_id)
            rows = await session.scalars(
                select(ResourceServerRow)
                .where(ResourceServerRow.pool_id == pool_id)
                .order_by(ResourceServerRow.identifier)
            )
            return [resource_server_record(row) for row in rows]

    async def custom_scopes(self, pool_id: str) -> tuple[str, ...]:
        """Every ``<identifier>/<scope>`` defined in the pool."""
        servers = await self.all(pool_id)
        return tuple(scope for server in servers for scope in server.scope_names)
