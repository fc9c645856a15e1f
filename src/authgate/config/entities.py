"""The Kong 3.x entities of a declarative config: services, routes, consumers and plugins.

Every model is strict (no type coercion), forbids unknown keys and documents each field;
``docs/configuration.md`` is generated from these descriptions (``authgate.config.reference``).
"""

from __future__ import annotations

import ipaddress
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    ValidationInfo,
    field_validator,
    model_validator,
)

from authgate.config.fields import (
    EntityName,
    EntityRef,
    HeaderName,
    HeaderValues,
    Host,
    Method,
    Port,
    Retries,
    RoutePath,
    ServicePath,
    Tag,
    Timeout,
    Uuid,
    is_valid_hostname,
)

__all__ = ["Consumer", "PluginEntry", "Route", "Service"]

ROUTE_PROTOCOLS: tuple[Literal["http", "https"], ...] = ("http", "https")
PluginProtocol = Literal["grpc", "grpcs", "http", "https", "ws", "wss"]
DEFAULT_PLUGIN_PROTOCOLS: tuple[PluginProtocol, ...] = (
    "grpc",
    "grpcs",
    "http",
    "https",
)

_GENERATED_ID = "UUID; generated from the name (or position) when omitted, stable across reloads."
_STRICT = ConfigDict(strict=True, extra="forbid", frozen=True)


class Service(BaseModel):
    """An upstream API that routes send traffic to."""

    model_config = _STRICT

    id: Uuid = Field(description=_GENERATED_ID)
    name: EntityName | None = Field(
        default=None, description="Unique name; top-level routes and plugins refer to it."
    )
    url: str | None = Field(
        default=None,
        exclude=True,
        description="Shorthand for protocol, host, port and path: `http://host:port/path`.",
    )
    protocol: Literal["http", "https"] = Field(
        default="http", description="Protocol used to talk to the upstream."
    )
    host: str = Field(description="Upstream hostname or IP address (IPv6 without brackets).")
    port: Port = Field(description="Upstream port, 1 to 65535; default 80, or 443 for https.")
    path: ServicePath | None = Field(
        default=None, description="Path prefix added to every upstream request (see path_handling)."
    )
    retries: Retries = Field(
        default=5, description="Retries after a connection failure, 0 to 32767."
    )
    connect_timeout: Timeout = Field(
        default=60000, description="Milliseconds to establish the upstream connection."
    )
    write_timeout: Timeout = Field(
        default=60000, description="Milliseconds between two successful writes to the upstream."
    )
    read_timeout: Timeout = Field(
        default=60000, description="Milliseconds between two successful reads from the upstream."
    )
    enabled: bool = Field(
        default=True, description="When false, the service's routes are left out of the router."
    )
    tags: list[Tag] = Field(default_factory=list, description="Free-form labels.")

    @model_validator(mode="before")
    @classmethod
    def _default_port(cls, data: Any) -> Any:
        if isinstance(data, dict) and "port" not in data:
            data = {**data, "port": 443 if data.get("protocol") == "https" else 80}
        return data

    @field_validator("host")
    @classmethod
    def _check_host(cls, value: str) -> str:
        bare = value[1:-1] if value.startswith("[") and value.endswith("]") else value
        try:
            return str(ipaddress.IPv6Address(bare))
        except ValueError:
            pass
        if not is_valid_hostname(value.lower()):
            raise ValueError(f'invalid host "{value}": use a hostname or an IP address')
        return value.lower()


class Route(BaseModel):
    """Rules that match requests and send them to a service."""

    model_config = _STRICT

    id: Uuid = Field(description=_GENERATED_ID)
    name: EntityName | None = Field(default=None, description="Unique name.")
    service: EntityRef | None = Field(
        default=None,
        description=(
            "Top-level routes: the service's name or id (`x` or `{name: x}`); nested routes get"
            " their parent. After loading: the service id. A route without a service answers 503."
        ),
    )
    paths: list[RoutePath] = Field(
        default_factory=list,
        description=(
            'Path prefixes in normalized form ("/bar" also matches "/barx"); "~/regex" for a'
            " regular expression anchored at the start of the path."
        ),
    )
    hosts: list[Host] = Field(
        default_factory=list,
        description='Host header values; one "*" allowed as the leftmost or rightmost label.',
    )
    methods: list[Method] = Field(
        default_factory=list, description='HTTP methods, upper case ("GET").'
    )
    headers: dict[HeaderName, HeaderValues] = Field(
        default_factory=dict,
        description=(
            "Header name to accepted values (case-insensitive); a single value"
            ' "~*regex" matches by regular expression.'
        ),
    )
    protocols: list[Literal["http", "https"]] = Field(
        default_factory=lambda: list(ROUTE_PROTOCOLS),
        min_length=1,
        description="Protocols accepted; other ones get https_redirect_status_code.",
    )
    strip_path: bool = Field(
        default=True, description="Remove the matched path prefix before proxying."
    )
    preserve_host: bool = Field(
        default=False, description="Send the client's Host header upstream, not the service host."
    )
    path_handling: Literal["v0", "v1"] = Field(
        default="v0", description="How the service path and the request path are joined."
    )
    regex_priority: int = Field(
        default=0, description="Among regex paths, higher values are tried first."
    )
    https_redirect_status_code: Literal[426, 301, 302, 307, 308] = Field(
        default=426, description="Status answered when the request's protocol is not accepted."
    )
    request_buffering: bool = Field(
        default=True, description="Accepted for compatibility; bodies are always streamed."
    )
    response_buffering: bool = Field(
        default=True, description="Accepted for compatibility; bodies are always streamed."
    )
    tags: list[Tag] = Field(default_factory=list, description="Free-form labels.")

    @field_validator("protocols")
    @classmethod
    def _unique_protocols(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _needs_a_matching_rule(self) -> Route:
        if not (self.paths or self.hosts or self.methods or self.headers):
            raise ValueError("set at least one of paths, hosts, methods or headers")
        return self


class Consumer(BaseModel):
    """A client of the API, identified by plugins (e.g. from a token claim)."""

    model_config = _STRICT

    id: Uuid = Field(description="UUID; generated from username or custom_id when omitted.")
    username: str | None = Field(default=None, min_length=1, description="Unique username.")
    custom_id: str | None = Field(
        default=None, min_length=1, description="Unique id in another system (e.g. a token `sub`)."
    )
    tags: list[Tag] = Field(default_factory=list, description="Free-form labels.")

    @model_validator(mode="after")
    def _needs_an_identity(self) -> Consumer:
        if self.username is None and self.custom_id is None:
            raise ValueError("set username or custom_id (or both)")
        return self


class PluginEntry(BaseModel):
    """A plugin instance: global, or scoped to a service, route and/or consumer."""

    model_config = _STRICT

    id: Uuid = Field(description="UUID; generated from the name and scope when omitted.")
    name: str = Field(description="Plugin name, e.g. `request-termination`.")
    instance_name: EntityName | None = Field(default=None, description="Optional unique label.")
    config: SerializeAsAny[BaseModel] = Field(
        description="The plugin's own settings (default `{}`), validated by its schema."
    )
    enabled: bool = Field(default=True, description="When false, the plugin does not run.")
    protocols: list[PluginProtocol] = Field(
        default_factory=lambda: list(DEFAULT_PLUGIN_PROTOCOLS),
        min_length=1,
        description="Request protocols the plugin runs on.",
    )
    service: EntityRef | None = Field(
        default=None, description="Scope: service name or id. After loading: the service id."
    )
    route: EntityRef | None = Field(
        default=None, description="Scope: route name or id. After loading: the route id."
    )
    consumer: EntityRef | None = Field(
        default=None,
        description="Scope: consumer username or id. After loading: the consumer id.",
    )
    tags: list[Tag] = Field(default_factory=list, description="Free-form labels.")

    @field_validator("name")
    @classmethod
    def _known_plugin(cls, value: str, info: ValidationInfo) -> str:
        schemas = _plugin_schemas(info)
        if value not in schemas:
            known = ", ".join(sorted(schemas)) or "none"
            raise ValueError(f'unknown plugin "{value}"; known plugins: {known}')
        return value

    @field_validator("config", mode="before")
    @classmethod
    def _validate_config(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.data.get("name")
        if name is None:
            return _Unchecked()  # the name is wrong and reported; nothing to validate against
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise ValueError("must be a mapping")
        return _plugin_schemas(info)[name].model_validate(value)


class _Unchecked(BaseModel):
    """Stands in for the config of a plugin whose name is invalid (never in a loaded config)."""


def _plugin_schemas(info: ValidationInfo) -> dict[str, type[BaseModel]]:
    context = info.context
    if not isinstance(context, dict) or "plugin_schemas" not in context:
        raise ValueError("plugin schemas missing; load configs with authgate.config.parse_config")
    schemas: dict[str, type[BaseModel]] = context["plugin_schemas"]
    return schemas
