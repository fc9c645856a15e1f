"""Kong 3.x ``upstreams`` and ``targets``: load balancing a service over several hosts.

A service whose ``host`` is an upstream's ``name`` is balanced over that upstream's targets.
Field names, defaults and ranges are Kong's (``kong/db/schema/entities/upstreams.lua`` and
``targets.lua``); the values authgate does not implement are refused by name, never ignored.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
)

from authgate.config.fields import (
    EntityRef,
    ServicePath,
    Tag,
    Uuid,
    int_range,
    is_token,
    is_valid_hostname,
)

__all__ = [
    "ActiveHealthcheck",
    "Healthchecks",
    "PassiveHealthcheck",
    "Target",
    "Upstream",
    "parse_target",
    "upstream_issues",
]

DEFAULT_TARGET_PORT = 8000
_STRICT = ConfigDict(strict=True, extra="forbid", frozen=True)
_NOT_YET = "is not supported by authgate yet"
_HASH_SUPPORTED = ("none", "consumer", "ip", "header")
_PASSIVE_HEALTHY = (
    200, 201, 202, 203, 204, 205, 206, 207, 208, 226,
    300, 301, 302, 303, 304, 305, 306, 307, 308,
)  # fmt: skip


def _seconds(value: float) -> float:
    if not 0 <= value <= 65535:
        raise ValueError("must be between 0 and 65535")
    return value


def _statuses(values: list[int]) -> list[int]:
    for value in values:
        if not 100 <= value <= 999:
            raise ValueError(f"{value} is not an HTTP status; use 100 to 999")
    return values


def _percent(value: float) -> float:
    if not 0 <= value <= 100:
        raise ValueError("must be between 0 and 100")
    return value


Seconds = Annotated[float, AfterValidator(_seconds)]
Counter = Annotated[int, int_range(0, 255)]
Statuses = Annotated[list[int], AfterValidator(_statuses)]
Weight = Annotated[int, int_range(0, 65535)]


def _check_header_name(value: str) -> str:
    if not is_token(value.lower()):
        raise ValueError(f'invalid header name "{value}"')
    return value.lower()


HashHeader = Annotated[str, AfterValidator(_check_header_name)]


def _supported_check_type(value: str) -> str:
    if value.startswith("grpc"):
        raise ValueError(f'"{value}" {_NOT_YET}; use tcp, http or https')
    return value


CheckType = Annotated[
    Literal["tcp", "http", "https", "grpc", "grpcs"], AfterValidator(_supported_check_type)
]


def _check_header_values(values: list[str]) -> list[str]:
    if any(c in value for value in values for c in "\r\n\0"):
        raise ValueError("header values must not contain CR, LF or NUL")
    return values


HeaderValues = Annotated[list[str], AfterValidator(_check_header_values)]


class ActiveHealthy(BaseModel):
    """When an active probe counts a target healthy."""

    model_config = _STRICT

    interval: Seconds = Field(
        default=0, description="Seconds between probes of a healthy target; 0 = no probes."
    )
    http_statuses: Statuses = Field(
        default_factory=lambda: [200, 302], description="Probe statuses that count as a success."
    )
    successes: Counter = Field(
        default=0, description="Successful probes that make an unhealthy target healthy; 0 = off."
    )


class ActiveUnhealthy(BaseModel):
    """When active probes make a target unhealthy."""

    model_config = _STRICT

    interval: Seconds = Field(
        default=0, description="Seconds between probes of an unhealthy target; 0 = no probes."
    )
    http_statuses: Statuses = Field(
        default_factory=lambda: [429, 404, 500, 501, 502, 503, 504, 505],
        description="Probe statuses that count as an HTTP failure.",
    )
    tcp_failures: Counter = Field(default=0, description="Connect failures to mark it; 0 = off.")
    timeouts: Counter = Field(default=0, description="Probe timeouts to mark it; 0 = off.")
    http_failures: Counter = Field(default=0, description="HTTP failures to mark it; 0 = off.")


class ActiveHealthcheck(BaseModel):
    """Probes sent by each worker to every target on a timer."""

    model_config = _STRICT

    type: CheckType = Field(default="http", description="tcp (connect only), http or https probes.")
    timeout: Seconds = Field(default=1, description="Seconds a probe may take.")
    concurrency: Annotated[int, int_range(1, 2_147_483_648)] = Field(
        default=10, description="Targets probed at the same time."
    )
    http_path: ServicePath = Field(default="/", description="Path of the probe request.")
    https_sni: str | None = Field(default=None, description="SNI of https probes (target host).")
    https_verify_certificate: bool = Field(
        default=True, description="Verify the target's certificate in https probes."
    )
    headers: dict[HashHeader, HeaderValues] | None = Field(
        default=None, description="Extra headers of the probe request."
    )
    healthy: ActiveHealthy = Field(
        default_factory=ActiveHealthy, description="When a probe counts as a success."
    )
    unhealthy: ActiveUnhealthy = Field(
        default_factory=ActiveUnhealthy, description="When probes mark a target unhealthy."
    )


class PassiveHealthy(BaseModel):
    """When proxied responses make a target healthy again."""

    model_config = _STRICT

    http_statuses: Statuses = Field(
        default_factory=lambda: list(_PASSIVE_HEALTHY),
        description="Response statuses that count as a success.",
    )
    successes: Counter = Field(
        default=0, description="Successes that make an unhealthy target healthy; 0 = off."
    )


class PassiveUnhealthy(BaseModel):
    """When proxied traffic makes a target unhealthy (a circuit breaker)."""

    model_config = _STRICT

    http_statuses: Statuses = Field(
        default_factory=lambda: [429, 500, 503],
        description="Response statuses that count as an HTTP failure.",
    )
    tcp_failures: Counter = Field(default=0, description="Connect or read errors; 0 = off.")
    timeouts: Counter = Field(default=0, description="Timeouts to mark it; 0 = off.")
    http_failures: Counter = Field(default=0, description="HTTP failures to mark it; 0 = off.")


class PassiveHealthcheck(BaseModel):
    """Health learnt from proxied traffic."""

    model_config = _STRICT

    type: CheckType = Field(
        default="http", description="http/https: statuses count; tcp: only connection errors."
    )
    healthy: PassiveHealthy = Field(
        default_factory=PassiveHealthy, description="When traffic makes a target healthy."
    )
    unhealthy: PassiveUnhealthy = Field(
        default_factory=PassiveUnhealthy, description="When traffic makes a target unhealthy."
    )


class Healthchecks(BaseModel):
    """Active and passive health checks of an upstream's targets (per worker)."""

    model_config = _STRICT

    active: ActiveHealthcheck = Field(
        default_factory=ActiveHealthcheck, description="Probes on a timer."
    )
    passive: PassiveHealthcheck = Field(
        default_factory=PassiveHealthcheck, description="Learnt from proxied traffic."
    )
    threshold: Annotated[float, AfterValidator(_percent)] = Field(
        default=0,
        description="Minimum % of the targets' weight that must be healthy, else none is used.",
    )


def _check_upstream_name(value: str) -> str:
    try:
        ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        pass
    else:
        raise ValueError(f'invalid name "{value}": use a hostname, not an IP address')
    if ":" in value:
        raise ValueError(f'invalid name "{value}": remove the port')
    if not is_valid_hostname(value.lower()):
        raise ValueError(f'invalid name "{value}": use a hostname such as "backend.internal"')
    return value.lower()


class Upstream(BaseModel):
    """A virtual hostname balanced over targets; services use it as their `host`.

    Cross-field rules: :func:`upstream_issues` (the loader reports them with their paths).
    """

    model_config = _STRICT

    id: Uuid = Field(description="UUID; generated from the name when omitted.")
    name: Annotated[str, AfterValidator(_check_upstream_name)] = Field(
        description="Hostname (no IP, no port); a service with this `host` uses the upstream."
    )
    algorithm: Literal["round-robin", "consistent-hashing", "least-connections", "latency"] = Field(
        default="round-robin",
        description="How a target is picked for each request (latency is not supported).",
    )
    hash_on: Literal[
        "none", "consumer", "ip", "header", "cookie", "path", "query_arg", "uri_capture"
    ] = Field(default="none", description="consistent-hashing input: none, consumer, ip, header.")
    hash_fallback: Literal[
        "none", "consumer", "ip", "header", "cookie", "path", "query_arg", "uri_capture"
    ] = Field(default="none", description="Hash input when hash_on gives none.")
    hash_on_header: HashHeader | None = Field(
        default=None, description="Header hashed when hash_on is header."
    )
    hash_fallback_header: HashHeader | None = Field(
        default=None, description="Header hashed when hash_fallback is header."
    )
    slots: Annotated[int, int_range(10, 65536)] = Field(
        default=10000, description="Points of the consistent-hashing ring, 10 to 65536."
    )
    healthchecks: Healthchecks = Field(
        default_factory=Healthchecks, description="Active and passive health checks."
    )
    host_header: str | None = Field(
        default=None, description="Host header sent to targets (default: the target's host)."
    )
    tags: list[Tag] = Field(default_factory=list, description="Free-form labels.")

    @field_validator("algorithm")
    @classmethod
    def _supported_algorithm(cls, value: str) -> str:
        if value == "latency":
            raise ValueError(
                f'"latency" {_NOT_YET}; use round-robin, least-connections or consistent-hashing'
            )
        return value

    @field_validator("hash_on", "hash_fallback")
    @classmethod
    def _supported_hash(cls, value: str) -> str:
        if value not in _HASH_SUPPORTED:
            raise ValueError(f'"{value}" {_NOT_YET}; use none, consumer, ip or header')
        return value

    @field_validator("host_header")
    @classmethod
    def _check_host_header(cls, value: str) -> str:
        if not is_valid_hostname(value.lower()):
            raise ValueError(f'invalid host "{value}": use a hostname such as "api.example.com"')
        return value


def upstream_issues(upstream: Upstream) -> list[tuple[str, str]]:
    """Kong's cross-field rules of an upstream: (field, message) for each one broken."""
    problems = []
    if upstream.hash_on == "header" and upstream.hash_on_header is None:
        problems.append(("hash_on_header", "required when hash_on is header"))
    if upstream.hash_fallback == "header" and upstream.hash_fallback_header is None:
        problems.append(("hash_fallback_header", "required when hash_fallback is header"))
    if upstream.hash_on == "none" and upstream.hash_fallback != "none":
        problems.append(("hash_fallback", 'must be "none" when hash_on is "none"'))
    elif upstream.hash_on == upstream.hash_fallback and upstream.hash_on not in ("none", "header"):
        problems.append(("hash_fallback", "must differ from hash_on"))
    elif (
        upstream.hash_on == upstream.hash_fallback == "header"
        and upstream.hash_on_header == upstream.hash_fallback_header
    ):
        problems.append(("hash_fallback_header", "must differ from hash_on_header"))
    return problems


def parse_target(text: str) -> tuple[str, int]:
    """``host[:port]`` (IPv6 in brackets) as (host, port); the port defaults to 8000."""
    if text.startswith("["):
        end = text.find("]")
        if end == -1:
            raise ValueError(f'invalid target "{text}": use host:port')
        host, rest = text[1:end], text[end + 1 :]
        try:
            host = str(ipaddress.IPv6Address(host))
        except ValueError:
            raise ValueError(f'invalid target "{text}": bad IPv6 address') from None
        if rest and not rest.startswith(":"):
            raise ValueError(f'invalid target "{text}": use host:port')
        port_text = rest[1:] if rest else ""
    else:
        host, _, port_text = text.partition(":")
        if ":" in port_text:
            raise ValueError(f'invalid target "{text}": put an IPv6 address in brackets')
        host = host.lower()
        if not is_valid_hostname(host):
            raise ValueError(f'invalid target "{text}": use a hostname or an IP address')
    if not port_text:
        return host, DEFAULT_TARGET_PORT if not text.endswith(":") else _bad_port(text)
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        _bad_port(text)
    return host, int(port_text)


def _bad_port(text: str) -> int:
    raise ValueError(f'invalid target "{text}": the port must be between 1 and 65535')


class Target(BaseModel):
    """One host:port of an upstream, with its share of the traffic."""

    model_config = _STRICT

    id: Uuid = Field(description="UUID; generated from the upstream and target when omitted.")
    target: str = Field(description='"host:port" (IPv6 in brackets); the port defaults to 8000.')
    weight: Weight = Field(
        default=100, description="Share of the traffic, 0 to 65535; 0 disables the target."
    )
    upstream: EntityRef | None = Field(
        default=None,
        description=(
            "Top-level targets: the upstream's name or id; nested targets get their parent."
            " After loading: the upstream id."
        ),
    )
    tags: list[Tag] = Field(default_factory=list, description="Free-form labels.")

    @field_validator("target")
    @classmethod
    def _check_target(cls, value: str) -> str:
        host, port = parse_target(value)
        shown = f"[{host}]" if ":" in host else host
        return f"{shown}:{port}"

    @property
    def address(self) -> tuple[str, int]:
        """(host, port) to connect to; IPv6 without brackets."""
        return parse_target(self.target)
