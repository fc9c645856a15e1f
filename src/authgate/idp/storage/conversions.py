"""Row -> record conversions, so that no ORM object leaves a store session."""

from __future__ import annotations

from authgate.idp.domain.passwords import PasswordPolicy
from authgate.idp.domain.records import (
    AppClient,
    CustomAttribute,
    Domain,
    Group,
    ResourceServer,
    ResourceServerScope,
    TokenValidity,
    User,
    UserPool,
    UserStatus,
)
from authgate.idp.storage.tables import (
    AppClientRow,
    DomainRow,
    GroupRow,
    ResourceServerRow,
    UserPoolRow,
    UserRow,
)

__all__ = [
    "client_record",
    "domain_record",
    "group_record",
    "pool_record",
    "resource_server_record",
    "user_record",
]


def pool_record(row: UserPoolRow) -> UserPool:
    """The record of a pool row."""
    return UserPool(
        id=row.id,
        name=row.name,
        region=row.region,
        username_attributes=tuple(row.username_attributes),
        required_attributes=tuple(row.required_attributes),
        custom_attributes=tuple(
            CustomAttribute(c["name"], bool(c.get("mutable", True))) for c in row.custom_attributes
        ),
        password_policy=PasswordPolicy(**row.password_policy),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def domain_record(row: DomainRow) -> Domain:
    """The record of a domain row."""
    return Domain(prefix=row.prefix, pool_id=row.pool_id, created_at=row.created_at)


def client_record(row: AppClientRow) -> AppClient:
    """The record of an app client row."""
    return AppClient(
        client_id=row.client_id,
        pool_id=row.pool_id,
        name=row.name,
        client_secret=row.client_secret,
        callback_urls=tuple(row.callback_urls),
        logout_urls=tuple(row.logout_urls),
        default_redirect_uri=row.default_redirect_uri,
        allowed_oauth_flows=tuple(row.allowed_oauth_flows),
        allowed_scopes=tuple(row.allowed_scopes),
        explicit_auth_flows=tuple(row.explicit_auth_flows),
        access_token_validity=TokenValidity(row.access_token_validity, row.access_token_unit),
        id_token_validity=TokenValidity(row.id_token_validity, row.id_token_unit),
        refresh_token_validity=TokenValidity(row.refresh_token_validity, row.refresh_token_unit),
        auth_session_validity_minutes=row.auth_session_validity,
        read_attributes=tuple(row.read_attributes),
        write_attributes=tuple(row.write_attributes),
        enable_token_revocation=row.enable_token_revocation,
        refresh_token_rotation=row.refresh_token_rotation,
        rotation_grace_seconds=row.rotation_grace_seconds,
        prevent_user_existence_errors=row.prevent_user_existence_errors,
        access_token_format=row.access_token_format,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def user_record(row: UserRow) -> User:
    """The record of a user row (without the password hash or lockout counters)."""
    return User(
        pool_id=row.pool_id,
        username=row.username,
        sub=row.sub,
        status=UserStatus(row.status),
        enabled=row.enabled,
        attributes={"sub": row.sub, **row.attributes},
        created_at=row.created_at,
        updated_at=row.updated_at,
        password_changed_at=row.password_changed_at,
    )


def group_record(row: GroupRow) -> Group:
    """The record of a group row."""
    return Group(
        pool_id=row.pool_id,
        name=row.name,
        description=row.description,
        precedence=row.precedence,
        created_at=row.created_at,
    )


def resource_server_record(row: ResourceServerRow) -> ResourceServer:
    """The record of a resource server row."""
    return ResourceServer(
        pool_id=row.pool_id,
        identifier=row.identifier,
        name=row.name,
        scopes=tuple(ResourceServerScope(s["name"], s.get("description", "")) for s in row.scopes),
    )
