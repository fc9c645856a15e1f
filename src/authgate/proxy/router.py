"""Route matching with Kong 3's priority rules (``traditional_compatible`` router flavor).

Each (route, path) pair is one candidate; candidates are ordered once, at construction:

1. more matching attributes first (hosts, headers, methods, paths: one point each);
2. routes whose hosts are all plain before routes with a wildcard host;
3. more headers first;
4. regex paths before prefix paths; among regex paths, higher ``regex_priority`` first;
5. longer prefix paths first;
6. definition order (``GatewayConfig.routes`` order, then the route's path order).

The first candidate whose every attribute matches wins. Candidates are precomputed per
exact host and indexed by prefix path, so a request costs a few dict lookups (one per
distinct prefix length) plus the regex and path-less candidates. Results are cached by
method, host, path and the values of the headers routes look at, like Kong's LRU.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from authgate.config import GatewayConfig, Route, Service
from authgate.config.fields import compile_header_regex, compile_path_regex
from authgate.proxy.paths import upstream_path

__all__ = ["RouteMatch", "Router"]

_NO_CAPTURES: Mapping[str, str] = MappingProxyType({})
# Caches are bounded because clients choose hosts and paths: a full cache is emptied.
_HOST_CACHE_SIZE = 4096
_MATCH_CACHE_SIZE = 8192
_MAX_CACHED_PATH = 512


@dataclass(frozen=True, slots=True)
class RouteMatch:
    """The route a request matched and where it goes.

    ``matched_path`` is the part of the request path the route's path matched (the prefix,
    or the regex's match), None for a route without paths; with ``strip_path`` it is what
    was removed (``X-Forwarded-Prefix``). ``captures`` holds a regex path's groups, by
    number (``"1"``) and by name.
    """

    route: Route
    service: Service | None
    upstream_path: str
    matched_path: str | None
    captures: Mapping[str, str]


class _Candidate:
    """One (route, path) pair with everything the hot path needs precomputed."""

    __slots__ = (
        "handling",
        "headers",
        "methods",
        "prefix",
        "regex",
        "route",
        "service",
        "service_path",
        "sort_key",
        "strip",
        "wildcards",
    )

    def __init__(self, route: Route, service: Service | None, path: str | None, order: int):
        self.route = route
        self.service = service
        self.service_path = service.path if service is not None else None
        self.strip = route.strip_path
        self.handling = route.path_handling
        self.methods = frozenset(route.methods) if route.methods else None
        self.wildcards = tuple(
            (True, h[1:]) if h.startswith("*") else (False, h[:-1]) for h in route.hosts if "*" in h
        )
        self.headers = tuple(
            (
                name,
                frozenset(values),
                compile_header_regex(values[0][2:]) if values[0].startswith("~*") else None,
            )
            for name, values in route.headers.items()
        )
        is_regex = path is not None and path.startswith("~")
        self.regex = compile_path_regex(path[1:]) if path is not None and is_regex else None
        self.prefix = path if path is not None and not is_regex else None
        plain_hosts = bool(route.hosts) and not self.wildcards
        weight = sum(map(bool, (route.hosts, route.headers, route.methods, route.paths)))
        self.sort_key = (
            -weight,
            -plain_hosts,
            -len(route.headers),
            -is_regex,
            -route.regex_priority if is_regex else 0,
            -len(self.prefix or ""),
            order,
        )

    def host_matches(self, host: str) -> bool:
        for is_suffix, text in self.wildcards:
            if is_suffix:
                if len(host) > len(text) and host.endswith(text):
                    return True
            elif len(host) > len(text) and host.startswith(text):
                return True
        return False

    def headers_match(self, get_header: Callable[[str], str | None]) -> bool:
        for name, values, pattern in self.headers:
            value = get_header(name)
            if value is None:
                return False
            if pattern is not None:
                if pattern.search(value) is None:
                    return False
            elif value.lower() not in values:
                return False
        return True


_NO_RANK = 1 << 62
# (rank in the plan, candidate, needs a wildcard host check)
_Entry = tuple[int, _Candidate, bool]


class _Plan:
    """The candidates a request with a given host may match, indexed by prefix path."""

    __slots__ = ("by_prefix", "lengths", "others")

    def __init__(self, entries: list[tuple[_Candidate, bool]]) -> None:
        by_prefix: dict[str, list[_Entry]] = {}
        others: list[_Entry] = []
        for rank, (candidate, check_host) in enumerate(entries):
            entry = (rank, candidate, check_host)
            if candidate.prefix is not None:
                by_prefix.setdefault(candidate.prefix, []).append(entry)
            else:
                others.append(entry)
        self.by_prefix = {prefix: tuple(group) for prefix, group in by_prefix.items()}
        self.lengths = tuple(sorted({len(prefix) for prefix in by_prefix}, reverse=True))
        self.others = tuple(others)


class Router:
    """Matches requests against the routes of one config; build once per config load."""

    def __init__(self, config: GatewayConfig) -> None:
        services = {service.id: service for service in config.services}
        candidates: list[_Candidate] = []
        for route in config.routes:
            service = services.get(route.service) if route.service is not None else None
            if service is not None and not service.enabled:
                continue
            paths: list[str | None] = [*route.paths] if route.paths else [None]
            for path in paths:
                candidates.append(_Candidate(route, service, path, len(candidates)))
        candidates.sort(key=lambda c: c.sort_key)
        self._by_host: dict[str, _Plan] = {}
        exact_hosts = {h for c in candidates for h in c.route.hosts if "*" not in h}
        for host in exact_hosts:
            self._by_host[host] = _Plan(
                [
                    (c, host not in c.route.hosts)
                    for c in candidates
                    if not c.route.hosts or host in c.route.hosts or c.wildcards
                ]
            )
        self._default = _Plan(
            [(c, bool(c.route.hosts)) for c in candidates if not c.route.hosts or c.wildcards]
        )
        self._host_keys: dict[str, str] = {}
        self._header_names = tuple(sorted({n for c in candidates for n, _, _ in c.headers}))
        self.uses_headers = bool(self._header_names)
        """Whether some route matches on headers (otherwise ``get_header`` is never called)."""
        self._cache: dict[tuple[str | None, ...], RouteMatch | None] = {}

    def match(
        self, method: str, host: str, path: str, get_header: Callable[[str], str | None]
    ) -> RouteMatch | None:
        """The best route for a request, or None (404).

        ``path`` must already be normalized (:func:`authgate.proxy.paths.normalize_path`);
        ``host`` is the Host header (a port is ignored); ``get_header`` takes a lower-case
        name and returns the header's value or None.
        """
        if len(path) > _MAX_CACHED_PATH:
            return self._find(method, host, path, get_header)
        if self._header_names:
            cache_key: tuple[str | None, ...] = (
                method,
                host,
                path,
                *[get_header(name) for name in self._header_names],
            )
        else:
            cache_key = (method, host, path)
        try:
            return self._cache[cache_key]
        except KeyError:
            pass
        found = self._find(method, host, path, get_header)
        if len(self._cache) >= _MATCH_CACHE_SIZE:
            self._cache.clear()
        self._cache[cache_key] = found
        return found

    def _find(
        self, method: str, host: str, path: str, get_header: Callable[[str], str | None]
    ) -> RouteMatch | None:
        key = self._host_keys.get(host)
        if key is None:
            key = self._host_key(host)
        plan = self._by_host.get(key, self._default)
        best: RouteMatch | None = None
        best_rank = _NO_RANK
        size = len(path)
        for length in plan.lengths:
            if length <= size:
                group = plan.by_prefix.get(path[:length])
                if group is not None:
                    best, best_rank = _first(group, best, best_rank, method, key, path, get_header)
        best, _ = _first(plan.others, best, best_rank, method, key, path, get_header)
        return best

    def _host_key(self, host: str) -> str:
        if host.startswith("["):
            end = host.find("]")
            key = host[: end + 1] if end != -1 else host
        else:
            key = host.partition(":")[0]
        key = key.lower()
        if len(self._host_keys) >= _HOST_CACHE_SIZE:
            self._host_keys.clear()
        self._host_keys[host] = key
        return key


def _first(
    group: tuple[_Entry, ...],
    best: RouteMatch | None,
    best_rank: int,
    method: str,
    host: str,
    path: str,
    get_header: Callable[[str], str | None],
) -> tuple[RouteMatch | None, int]:
    """The first match of ``group`` if it ranks before ``best``, else ``best``."""
    for rank, candidate, check_host in group:
        if rank >= best_rank:
            break
        found = _try(candidate, check_host, method, host, path, get_header)
        if found is not None:
            return found, rank
    return best, best_rank


def _try(
    candidate: _Candidate,
    check_host: bool,
    method: str,
    host: str,
    path: str,
    get_header: Callable[[str], str | None],
) -> RouteMatch | None:
    captures = _NO_CAPTURES
    matched = candidate.prefix  # a prefix candidate is only tried when the prefix matches
    if candidate.regex is not None:
        found = candidate.regex.match(path)
        if found is None:
            return None
        matched = found.group()
        if found.re.groups:
            captures = _captures(found)
    if check_host and not candidate.host_matches(host):
        return None
    if candidate.methods is not None and method not in candidate.methods:
        return None
    if candidate.headers and not candidate.headers_match(get_header):
        return None
    return RouteMatch(
        candidate.route,
        candidate.service,
        upstream_path(candidate.service_path, path, matched, candidate.strip, candidate.handling),
        matched,
        captures,
    )


def _captures(found: re.Match[str]) -> Mapping[str, str]:
    captures = {str(i): g for i, g in enumerate(found.groups(), start=1) if g is not None}
    captures.update({k: v for k, v in found.groupdict().items() if v is not None})
    return MappingProxyType(captures)  # read-only: cached matches are shared
