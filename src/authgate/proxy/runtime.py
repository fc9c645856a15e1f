"""Everything a worker needs to serve one config: router, plugin chains, upstream targets.

A :class:`Runtime` is immutable once built; a reload builds a new one and swaps it into the
:class:`RuntimeHolder`. Requests read ``holder.current`` once when they start, so in-flight
requests finish with the runtime they started with.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from authgate.plugins.base import Plugin, PluginResponse, RequestContext
from authgate.plugins.registry import plugin_class
from authgate.proxy.records import AccessRecord, Observer
from authgate.proxy.router import Router

if TYPE_CHECKING:
    from authgate.config import GatewayConfig
    from authgate.config.entities import PluginEntry, Service

__all__ = ["PluginChain", "RoutePlan", "Runtime", "RuntimeHolder", "UpstreamTarget"]

logger = logging.getLogger("authgate.proxy")

AccessPhase = Callable[[RequestContext], Awaitable[PluginResponse | None]]
MAX_CACHED_CONSUMER_CHAINS = 4096
# Kong's precedence: (consumer, route, service) scope flags -> rank; most specific wins.
_RANK = {
    (True, True, True): 8,
    (True, True, False): 7,
    (True, False, True): 6,
    (False, True, True): 5,
    (True, False, False): 4,
    (False, True, False): 3,
    (False, False, True): 2,
    (False, False, False): 1,
}


@dataclass(frozen=True, slots=True)
class PluginChain:
    """The plugins of one (route, consumer), highest priority first, split by phase."""

    plugins: tuple[Plugin, ...]
    access: tuple[Plugin, ...]
    response: tuple[Plugin, ...]
    log: tuple[Plugin, ...]
    access_calls: tuple[AccessPhase, ...] = field(init=False, repr=False, compare=False)
    """The bound ``access`` methods of ``access``, in order (no attribute lookup per request)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "access_calls", tuple(p.access for p in self.access))

    @classmethod
    def of(cls, plugins: Sequence[Plugin]) -> PluginChain:
        """Sort by priority (then name) and keep, per phase, the plugins that implement it."""
        ordered = tuple(sorted(plugins, key=lambda p: (-p.priority, p.name)))
        return cls(
            ordered,
            tuple(p for p in ordered if type(p).access is not Plugin.access),
            tuple(p for p in ordered if type(p).response is not Plugin.response),
            tuple(p for p in ordered if type(p).log is not Plugin.log),
        )


EMPTY_CHAIN = PluginChain((), (), (), ())


@dataclass(frozen=True, slots=True)
class UpstreamTarget:
    """How to reach a service: pool key, Host header and timeouts in seconds."""

    host: str
    port: int
    tls: bool
    host_header: str
    connect_timeout: float
    read_timeout: float
    write_timeout: float
    retries: int
    key: tuple[str, int, bool] = field(init=False)
    """The upstream pool key: (host, port, tls)."""
    host_line: str = field(init=False)
    """``host: <host_header>\\r\\n``, the Host field of every request without preserve_host."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", (self.host, self.port, self.tls))
        object.__setattr__(self, "host_line", f"host: {self.host_header}\r\n")

    @classmethod
    def of(cls, service: Service) -> UpstreamTarget:
        """Derive from a service entity."""
        tls = service.protocol == "https"
        host = f"[{service.host}]" if ":" in service.host else service.host
        default_port = 443 if tls else 80
        host_header = host if service.port == default_port else f"{host}:{service.port}"
        return cls(
            service.host,
            service.port,
            tls,
            host_header,
            service.connect_timeout / 1000,
            service.read_timeout / 1000,
            service.write_timeout / 1000,
            service.retries,
        )


@dataclass(frozen=True, slots=True)
class RoutePlan:
    """What the hot path needs about a route, computed once per config.

    ``https_only``: the route's ``protocols`` is ``[https]``, so plain-http requests get
    ``redirect_status`` (Kong's ``https_redirect_status_code``) instead of being proxied.
    """

    chain: PluginChain
    target: UpstreamTarget | None
    preserve_host: bool
    strip_path: bool
    https_only: bool
    redirect_status: int
    route_id: str | None = None
    route_name: str | None = None
    service_id: str | None = None
    service_name: str | None = None


class Runtime:
    """A compiled config: router, per-route plugin chains, per-service upstream targets."""

    def __init__(
        self,
        config: GatewayConfig,
        router: Router,
        entries: list[tuple[PluginEntry, Plugin]],
        observers: Sequence[Observer],
    ) -> None:
        self.config = config
        self.router = router
        self.observers = tuple(observers)
        self._entries = entries
        self._consumer_scoped = any(entry.consumer is not None for entry, _ in entries)
        self.targets = {service.id: UpstreamTarget.of(service) for service in config.services}
        self.route_chains: dict[str, PluginChain] = {
            route.id: self._resolve(route.id, route.service, None) for route in config.routes
        }
        services = {service.id: service for service in config.services}
        self.plans: dict[str, RoutePlan] = {}
        for route in config.routes:
            service = services.get(route.service) if route.service is not None else None
            self.plans[route.id] = RoutePlan(
                self.route_chains[route.id],
                self.targets.get(route.service) if route.service is not None else None,
                route.preserve_host,
                route.strip_path,
                "http" not in route.protocols,
                route.https_redirect_status_code,
                route.id,
                route.name,
                service.id if service is not None else None,
                service.name if service is not None else None,
            )
        self.global_chain = self._resolve(None, None, None)
        self._consumer_chains: dict[tuple[str, str], PluginChain] = {}

    @classmethod
    def build(cls, config: GatewayConfig, observers: Sequence[Observer] = ()) -> Runtime:
        """Compile ``config``: instantiate enabled plugins and precompute route chains."""
        entries = [
            (entry, plugin_class(entry.name)(entry.config))
            for entry in config.plugins
            if entry.enabled
        ]
        return cls(config, Router(config), entries, observers)

    @property
    def has_consumer_plugins(self) -> bool:
        """Whether any plugin is scoped to a consumer (otherwise chains never change)."""
        return self._consumer_scoped

    def chain(self, route_id: str) -> PluginChain:
        """The chain of a route before any consumer is known."""
        return self.route_chains.get(route_id, EMPTY_CHAIN)

    def consumer_chain(
        self, route_id: str, service_id: str | None, consumer_id: str
    ) -> PluginChain:
        """The chain once a plugin has identified ``consumer_id`` (cached)."""
        key = (route_id, consumer_id)
        chain = self._consumer_chains.get(key)
        if chain is None:
            chain = self._resolve(route_id, service_id, consumer_id)
            if len(self._consumer_chains) < MAX_CACHED_CONSUMER_CHAINS:
                self._consumer_chains[key] = chain
        return chain

    def _resolve(
        self, route_id: str | None, service_id: str | None, consumer_id: str | None
    ) -> PluginChain:
        best: dict[str, tuple[int, Plugin]] = {}
        for entry, plugin in self._entries:
            if entry.route is not None and entry.route != route_id:
                continue
            if entry.service is not None and entry.service != service_id:
                continue
            if entry.consumer is not None and entry.consumer != consumer_id:
                continue
            rank = _RANK[
                (entry.consumer is not None, entry.route is not None, entry.service is not None)
            ]
            current = best.get(entry.name)
            if current is None or rank > current[0]:
                best[entry.name] = (rank, plugin)
        if not best:
            return EMPTY_CHAIN
        return PluginChain.of([plugin for _, plugin in best.values()])

    def observe(self, record: AccessRecord) -> None:
        """Hand ``record`` to every observer; a failing observer never affects the others."""
        for observer in self.observers:
            try:
                observer(record)
            except Exception:
                logger.exception("access record observer failed")


class RuntimeHolder:
    """The runtime new requests use; swapped atomically on reload."""

    __slots__ = ("current",)

    def __init__(self, runtime: Runtime) -> None:
        self.current = runtime

    def swap(self, runtime: Runtime) -> None:
        """Serve new requests with ``runtime``; requests already running keep theirs."""
        self.current = runtime
