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

from authgate.plugins.access_record import AccessRecord, Observer
from authgate.plugins.base import Plugin, PluginResponse, RequestContext
from authgate.plugins.registry import build_plugin
from authgate.plugins.services import PluginServices
from authgate.proxy.router import Router
from authgate.proxy.upstreams.active_checks import ActiveChecker
from authgate.proxy.upstreams.balancer import Balancer

if TYPE_CHECKING:
    from authgate.config import GatewayConfig
    from authgate.config.entities import PluginEntry, Service
    from authgate.config.upstreams import Upstream
    from authgate.proxy.upstreams.balancer import Peer

__all__ = [
    "BalancedService",
    "PluginChain",
    "RoutePlan",
    "Runtime",
    "RuntimeHolder",
    "UpstreamTarget",
]

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
        return cls._reach(service, service.host, service.port, None, service.retries)

    @classmethod
    def of_peer(cls, service: Service, upstream: Upstream, peer: Peer) -> UpstreamTarget:
        """How to reach one target of ``service``'s upstream (connect retries: none here,
        :class:`BalancedService` retries on the next target)."""
        return cls._reach(service, peer.host, peer.port, upstream.host_header, 0)

    @classmethod
    def _reach(
        cls, service: Service, host: str, port: int, host_name: str | None, retries: int
    ) -> UpstreamTarget:
        tls = service.protocol == "https"
        name = host_name or (f"[{host}]" if ":" in host else host)
        host_header = name if port == (443 if tls else 80) else f"{name}:{port}"
        return cls(
            host,
            port,
            tls,
            host_header,
            service.connect_timeout / 1000,
            service.read_timeout / 1000,
            service.write_timeout / 1000,
            retries,
        )


@dataclass(frozen=True, slots=True)
class BalancedService:
    """A service whose host names an upstream: its balancer and a target per peer."""

    balancer: Balancer
    targets: tuple[UpstreamTarget, ...]
    retries: int
    hashed: bool
    """Whether the balancer wants a hash value (consistent-hashing with a hash_on)."""

    @classmethod
    def of(cls, service: Service, balancer: Balancer) -> BalancedService:
        """Targets for ``service`` over ``balancer``'s peers."""
        upstream = balancer.upstream
        targets = tuple(UpstreamTarget.of_peer(service, upstream, p) for p in balancer.peers)
        hashed = upstream.algorithm == "consistent-hashing" and upstream.hash_on != "none"
        return cls(balancer, targets, service.retries, hashed)


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
    balanced: BalancedService | None = None
    """Set (and ``target`` None) when the service's host is an upstream's name."""


class Runtime:
    """A compiled config: router, per-route plugin chains, per-service upstream targets."""

    def __init__(
        self,
        config: GatewayConfig,
        router: Router,
        entries: list[tuple[PluginEntry, Plugin]],
        observers: Sequence[Observer],
        plugin_services: PluginServices,
    ) -> None:
        self.config = config
        self.services = plugin_services
        """The worker's services this runtime was built with (a reload passes them on)."""
        self.router = router
        self.observers = tuple(observers)
        self._entries = entries
        self._consumer_scoped = any(entry.consumer is not None for entry, _ in entries)
        self.balancers = {
            upstream.name: Balancer(upstream, config.upstream_targets(upstream.id))
            for upstream in config.upstreams
        }
        self.checkers = [
            ActiveChecker(b, clock=plugin_services.timer) for b in self.balancers.values()
        ]
        self.checkers = [checker for checker in self.checkers if checker.enabled]
        balanced = {
            service.id: BalancedService.of(service, self.balancers[service.host])
            for service in config.services
            if service.host in self.balancers
        }
        self.targets = {
            service.id: UpstreamTarget.of(service)
            for service in config.services
            if service.id not in balanced
        }
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
                balanced.get(route.service) if route.service is not None else None,
            )
        self.global_chain = self._resolve(None, None, None)
        self._consumer_chains: dict[tuple[str, str], PluginChain] = {}

    @classmethod
    def build(
        cls, config: GatewayConfig, services: PluginServices, observers: Sequence[Observer] = ()
    ) -> Runtime:
        """Compile ``config``: instantiate enabled plugins and precompute route chains.

        ``services`` (the worker's clocks and plugin state) go to every plugin and health
        checker; a reload passes the same ones, so plugin caches outlive it.
        """
        entries = [
            (entry, build_plugin(entry.name, entry.config, services))
            for entry in config.plugins
            if entry.enabled
        ]
        return cls(config, Router(config), entries, observers, services)

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

    def start_health_checks(self) -> None:
        """Start the active probes of every upstream that has them (needs a running loop)."""
        for checker in self.checkers:
            checker.start()

    def stop_health_checks(self) -> None:
        """Stop every probe timer of this runtime."""
        for checker in self.checkers:
            checker.stop()

    def health(self) -> dict[str, dict[str, str]]:
        """Upstream id -> target id -> ``HEALTHY`` / ``UNHEALTHY`` in this worker."""
        return {
            balancer.upstream.id: {
                peer.id: "HEALTHY" if peer.health.healthy else "UNHEALTHY"
                for peer in balancer.peers
            }
            for balancer in self.balancers.values()
        }

    def observe(self, record: AccessRecord) -> None:
        """Hand ``record`` to every observer; a failing observer never affects the others."""
        for observer in self.observers:
            try:
                observer(record)
            except Exception:
                logger.exception("access record observer failed")


class RuntimeHolder:
    """The runtime new requests use; swapped atomically on reload.

    The current runtime's active health checks run from construction (or swap) until it is
    swapped out or :meth:`close` is called; create the holder on a running event loop when
    the config has active health checks.
    """

    __slots__ = ("current",)

    def __init__(self, runtime: Runtime) -> None:
        self.current = runtime
        runtime.start_health_checks()

    def swap(self, runtime: Runtime) -> None:
        """Serve new requests with ``runtime``; requests already running keep theirs."""
        runtime.start_health_checks()
        previous, self.current = self.current, runtime
        previous.stop_health_checks()

    def close(self) -> None:
        """Stop the current runtime's health checks (on drain)."""
        self.current.stop_health_checks()
