"""Build the workshop's pool, client, domain and demo user from a YAML spec, idempotently.

``seed_workshop`` creates what is missing and leaves what exists alone, except that the
client's settings follow the spec (so a new gateway URL reaches the callback URLs) and the
demo user's password is reset if it no longer matches the remembered one. Run twice, the
second run changes nothing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from authgate.idp.domain.client_settings import ClientSettings
from authgate.idp.domain.cognito_errors import InvalidParameterException
from authgate.idp.domain.ids import DEFAULT_REGION
from authgate.idp.domain.passwords import generate_password
from authgate.idp.domain.records import AppClient, UserPool
from authgate.idp.storage.store import IdpStore

__all__ = ["PASSWORD_FILE", "WorkshopSpec", "load_spec", "seed_workshop"]

PASSWORD_FILE = "idp-demo-password"
DEFAULT_GATEWAY_URL = "http://127.0.0.1:8000"
_DURATION = re.compile(r"(\d+)([smhd])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PoolSpec(_Strict):
    """The user pool."""

    name: str = Field(description="Pool name.")
    region: str = Field(DEFAULT_REGION, description="Region part of the pool id.")
    username_attributes: list[str] = Field(default_factory=list, description="e.g. [email].")
    required_attributes: list[str] = Field(default_factory=list, description="Required attributes.")


class ClientSpec(_Strict):
    """The app client; field names follow ClientSettings, durations like 30d/60m."""

    name: str = Field(description="Client name.")
    generate_secret: bool = Field(True, description="Give the client a secret.")
    client_id: str | None = Field(None, description="Fixed client id (else generated once).")
    client_secret: str | None = Field(None, description="Fixed secret (else generated once).")
    refresh_token_validity: str | None = Field(None, description="e.g. 30d.")
    access_token_validity: str | None = Field(None, description="e.g. 60m.")
    id_token_validity: str | None = Field(None, description="e.g. 60m.")
    explicit_auth_flows: list[str] | None = Field(None, description="ALLOW_* flows.")
    allowed_oauth_flows: list[str] = Field(default_factory=list, description="code, …")
    allowed_scopes: list[str] = Field(default_factory=list, description="Allowed scopes.")
    callback_urls: list[str] = Field(default_factory=list, description="Callback URLs.")
    logout_urls: list[str] = Field(default_factory=list, description="Logout URLs.")
    read_attributes: list[str] | None = Field(None, description="Readable attributes.")
    write_attributes: list[str] | None = Field(None, description="Writable attributes.")
    access_token_format: Literal["cognito", "rfc9068"] = Field(
        "cognito", description="Access token shape: cognito or rfc9068 (typ at+jwt, aud)."
    )


class ScopeSpec(_Strict):
    """A custom scope of a resource server."""

    name: str = Field(description="Scope name; clients ask for <identifier>/<name>.")
    description: str = Field("", description="What the scope allows.")


class ResourceServerSpec(_Strict):
    """An API with custom scopes (what client_credentials tokens are for)."""

    identifier: str = Field(description="Identifier, the scope prefix (e.g. bar-api).")
    name: str = Field(description="Display name.")
    scopes: list[ScopeSpec] = Field(default_factory=list, description="Custom scopes.")


class UserSpec(_Strict):
    """The demo user (confirmed, email verified)."""

    email: str = Field(description="Email, also the sign-in name.")
    given_name: str = Field(description="Given name.")
    family_name: str = Field(description="Family name.")
    password: str | None = Field(None, description="Password; generated once when absent.")


class WorkshopSpec(_Strict):
    """examples/workshop/idp.yaml."""

    pool: PoolSpec
    domain: str | None = Field(None, description="Hosted-UI domain prefix.")
    resource_servers: list[ResourceServerSpec] = Field(
        default_factory=list, description="APIs with custom scopes (created before clients)."
    )
    client: ClientSpec
    service_client: ClientSpec | None = Field(
        None, description="A second client for client_credentials (Cognito forbids it with code)."
    )
    user: UserSpec | None = None


def load_spec(path: Path) -> WorkshopSpec:
    """Parse and validate the spec; errors name the key (``client.name: Field required``)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return WorkshopSpec.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise InvalidParameterException(f"{path}: {problems}") from exc
    except OSError as exc:
        raise InvalidParameterException(f"{path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise InvalidParameterException(f"{path}: not UTF-8 (byte {exc.start})") from exc
    except yaml.YAMLError as exc:
        raise InvalidParameterException(_yaml_problem(path, exc)) from exc


def _yaml_problem(path: Path, exc: yaml.YAMLError) -> str:
    """``PATH:LINE:COLUMN: invalid YAML: PROBLEM`` on one line."""
    mark = getattr(exc, "problem_mark", None)
    where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{where}: invalid YAML: {problem}"


def _duration(value: str | None) -> tuple[int | None, str | None]:
    if value is None:
        return None, None
    match = _DURATION.fullmatch(value.strip())
    if match is None:
        raise InvalidParameterException(f"invalid duration {value!r}: use e.g. 30d, 12h, 60m")
    return int(match.group(1)), _UNITS[match.group(2)]


def _expand(value: str, gateway_url: str) -> str:
    port = urlsplit(gateway_url).port or (443 if gateway_url.startswith("https:") else 80)
    return value.replace("{gateway_url}", gateway_url).replace("{gateway_port}", str(port))


def _settings(spec: ClientSpec, gateway_url: str) -> ClientSettings:
    def urls(values: list[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(_expand(v, gateway_url) for v in values))

    access, access_unit = _duration(spec.access_token_validity)
    id_, id_unit = _duration(spec.id_token_validity)
    refresh, refresh_unit = _duration(spec.refresh_token_validity)
    return ClientSettings(
        callback_urls=urls(spec.callback_urls),
        logout_urls=urls(spec.logout_urls),
        allowed_oauth_flows=tuple(spec.allowed_oauth_flows),
        allowed_scopes=tuple(spec.allowed_scopes),
        explicit_auth_flows=tuple(spec.explicit_auth_flows) if spec.explicit_auth_flows else None,
        access_token_validity=access,
        access_token_unit=access_unit,
        id_token_validity=id_,
        id_token_unit=id_unit,
        refresh_token_validity=refresh,
        refresh_token_unit=refresh_unit,
        read_attributes=tuple(spec.read_attributes) if spec.read_attributes is not None else None,
        write_attributes=(
            tuple(spec.write_attributes) if spec.write_attributes is not None else None
        ),
        access_token_format=spec.access_token_format,
    )


async def _pool(store: IdpStore, spec: PoolSpec, created: list[str]) -> UserPool:
    pool = await store.pools.find_by_name(spec.name)
    if pool is None:
        pool = await store.pools.create(
            spec.name,
            username_attributes=spec.username_attributes,
            required_attributes=spec.required_attributes,
            region=spec.region,
        )
        created.append("pool")
    return pool


async def _resource_servers(
    store: IdpStore, pool: UserPool, specs: list[ResourceServerSpec], created: list[str]
) -> None:
    """Create the missing resource servers (an existing one is left as it is)."""
    existing = {server.identifier for server in await store.resource_servers.all(pool.id)}
    for spec in specs:
        if spec.identifier in existing:
            continue
        scopes = [(scope.name, scope.description) for scope in spec.scopes]
        await store.resource_servers.create(pool.id, spec.identifier, spec.name, scopes)
        created.append("resource server")


async def _client(
    store: IdpStore,
    pool: UserPool,
    spec: ClientSpec,
    gateway_url: str,
    created: list[str],
    label: str = "client",
) -> AppClient:
    wanted = _settings(spec, gateway_url)
    for client in await store.clients.all(pool.id):
        if client.name == spec.name:
            updated = await store.clients.update(client.client_id, wanted)
            if updated.updated_at != client.updated_at:
                created.append(f"{label} settings")
            return updated
    created.append(label)
    return await store.clients.create(
        pool.id,
        spec.name,
        wanted,
        generate_secret=spec.generate_secret and spec.client_secret is None,
        client_id=spec.client_id,
        client_secret=spec.client_secret,
    )


def _remembered_password(spec: UserSpec, pool: UserPool, state_dir: Path) -> str:
    """The spec's password, else the one generated on an earlier run, else a new one (saved)."""
    if spec.password is not None:
        return spec.password
    path = state_dir / PASSWORD_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    password = generate_password(pool.password_policy)
    state_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    return password


async def _user(
    store: IdpStore, pool: UserPool, spec: UserSpec, state_dir: Path, created: list[str]
) -> dict[str, Any]:
    password = _remembered_password(spec, pool, state_dir)
    user = await store.users.find(pool.id, spec.email)
    if user is None:
        attributes = {
            "email": spec.email,
            "email_verified": "true",
            "given_name": spec.given_name,
            "family_name": spec.family_name,
        }
        user = await store.users.create(pool.id, spec.email, attributes, password=password)
        created.append("user")
    elif not (await store.auth.authenticate(pool.id, user.username, password)).ok:
        # The remembered password was lost or changed: make the banner true again.
        user = await store.users.set_password(pool.id, user.username, password, permanent=True)
        created.append("user password")
    return {"username": spec.email, "password": password, "sub": user.sub}


def _client_facts(client: AppClient) -> dict[str, Any]:
    return {
        "client_id": client.client_id,
        "client_name": client.name,
        "client_secret": client.client_secret,
        "scopes": list(client.allowed_scopes),
    }


async def seed_workshop(
    store: IdpStore,
    spec_path: Path | str,
    gateway_url: str = DEFAULT_GATEWAY_URL,
    *,
    state_dir: Path | str = Path(".authgate"),
) -> dict[str, Any]:
    """Apply the spec and return the facts for the banner and demo.json.

    Keys: ``pool_id``, ``pool_name``, ``region``, ``domain``, ``client_id``, ``client_name``,
    ``client_secret``, ``service_client`` ({client_id, client_name, client_secret, scopes} or
    None), ``user`` ({username, password, sub}) and ``changed`` (what this run created or
    changed; empty on a second run).
    """
    spec = load_spec(Path(spec_path))
    created: list[str] = []
    pool = await _pool(store, spec.pool, created)
    domain = await store.pools.domain_of(pool.id)
    if domain is None and spec.domain is not None:
        domain = await store.pools.create_domain(pool.id, spec.domain)
        created.append("domain")
    await _resource_servers(store, pool, spec.resource_servers, created)
    gateway_url = gateway_url.rstrip("/")
    client = await _client(store, pool, spec.client, gateway_url, created)
    service = None
    if spec.service_client is not None:
        service = await _client(
            store, pool, spec.service_client, gateway_url, created, "service client"
        )
    user = None
    if spec.user is not None:
        user = await _user(store, pool, spec.user, Path(state_dir), created)
    return {
        "pool_id": pool.id,
        "pool_name": pool.name,
        "region": pool.region,
        "domain": domain.prefix if domain else None,
        "client_id": client.client_id,
        "client_name": client.name,
        "client_secret": client.client_secret,
        "service_client": None if service is None else _client_facts(service),
        "user": user,
        "changed": created,
    }
