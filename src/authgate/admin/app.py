"""The admin API (Kong-like): node info, status, entities, declarative ``/config``, metrics.

It runs inside the supervisor process on loopback by default. Every answer is JSON except
``/metrics``; bad input gets a 4xx with a ``message``, never a traceback.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import orjson
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from authgate import __version__
from authgate.admin.config_body import (
    MAX_CONFIG_BYTES,
    ConfigBody,
    ConfigBodyError,
    read_config_body,
    truthy,
)
from authgate.admin.entities import (
    CONFIG_KINDS,
    ENTITY_KINDS,
    PageError,
    dump_entity,
    entity_list,
    find_entity,
    page,
)
from authgate.admin.flattened_errors import flattened_errors
from authgate.admin.guard import BrowserGuard, is_loopback_name
from authgate.admin.metrics import CONTENT_TYPE, SupervisorCounters, render_metrics
from authgate.admin.nested import (
    CHILDREN,
    Child,
    TagFilterError,
    children,
    filter_by_tags,
    find_parent,
    tag_rows,
)
from authgate.admin.target_health import HealthCollector, upstream_health
from authgate.config import ConfigError, Upstream
from authgate.plugins.registry import plugin_class, plugin_schemas
from authgate.proxy.workers.loaded_config import ReloadResult, parse_config_text
from authgate.proxy.workers.supervisor import GatewaySettings, Supervisor

__all__ = ["MAX_CONFIG_BYTES", "create_admin_app"]

_EMPTY_HASH = "0" * 32


def _json(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


def _error(status: int, message: str, **extra: Any) -> Response:
    return _json({"message": message, **extra}, status)


class _AdminApi:
    def __init__(self, supervisor: Supervisor, admin_listen: str) -> None:
        self.supervisor = supervisor
        self.admin_listen = admin_listen
        self.node_id = str(uuid.uuid4())
        self.hostname = socket.gethostname()

    def counters(self) -> SupervisorCounters:
        sup = self.supervisor
        return SupervisorCounters(
            reloads_success=sup.reloads_success,
            reloads_failure=sup.reloads_failure,
            worker_restarts=sup.worker_restarts,
            workers_ready=len(sup.workers),
        )

    async def root(self, request: Request) -> Response:
        sup = self.supervisor
        config = sup.current.config
        settings = sup.settings
        enabled = sorted({p.name for p in config.plugins if getattr(p, "enabled", True)})
        return _json(
            {
                "tagline": "Welcome to authgate",
                "version": __version__,
                "hostname": self.hostname,
                "node_id": self.node_id,
                "pid": os.getpid(),
                "workers": {"configured": settings.workers, "pids": sup.workers},
                "configuration": {
                    "database": "off",
                    "proxy_listen": _proxy_listen(settings),
                    "admin_listen": [self.admin_listen],
                    "nginx_worker_processes": settings.workers,
                },
                "plugins": {
                    "available_on_server": {
                        name: {"priority": plugin_class(name).priority, "version": __version__}
                        for name in sorted(plugin_schemas())
                    },
                    "enabled_in_cluster": enabled,
                },
            }
        )

    async def status(self, request: Request) -> Response:
        sup = self.supervisor
        workers = await sup.worker_stats()
        for worker in workers:
            worker.pop("upstream_health", None)  # see /upstreams/{upstream}/health
        server: dict[str, int] = {"total_requests": sum(w.get("requests", 0) for w in workers)}
        server["connections_active"] = sum(w.get("connections_active", 0) for w in workers)
        return _json(
            {
                "server": server,
                "workers": workers,
                "database": {"reachable": True},
                "configuration_hash": sup.current.hash or _EMPTY_HASH,
                "configuration_version": sup.current.version,
            }
        )

    async def ready(self, request: Request) -> Response:
        sup = self.supervisor
        if len(sup.workers) < sup.settings.workers:
            return _error(503, f"{len(sup.workers)} of {sup.settings.workers} workers ready")
        return _json({"message": "ready"})

    async def listing(self, request: Request) -> Response:
        kind = request.url.path.strip("/")
        return _page(request, entity_list(self.supervisor.current.config, kind))

    async def enabled_plugins(self, request: Request) -> Response:
        config = self.supervisor.current.config
        enabled = sorted({p.name for p in config.plugins if getattr(p, "enabled", True)})
        return _json({"enabled_plugins": enabled})

    def nested(self, child: Child) -> Any:
        """``GET /{parent}/{key}/{kind}``: the parent's children, one page of them."""

        async def endpoint(request: Request) -> Response:
            config = self.supervisor.current.config
            own = children(config, child, request.path_params["key"])
            return _page(request, own) if own is not None else _error(404, "Not found")

        return endpoint

    def nested_one(self, child: Child) -> Any:
        """``GET /{parent}/{key}/{kind}/{child}``: one child, only if it is the parent's."""

        async def endpoint(request: Request) -> Response:
            config = self.supervisor.current.config
            own = children(config, child, request.path_params["key"])
            found = find_entity(own or [], child.kind, request.path_params["child"])
            return _json(found) if found is not None else _error(404, "Not found")

        return endpoint

    async def route_service(self, request: Request) -> Response:
        config = self.supervisor.current.config
        route = find_parent(config, "routes", request.path_params["key"])
        service = config.service(getattr(route, "service", None))
        if service is None:
            return _error(404, "Not found")
        return _json(dump_entity(service))

    async def tags(self, request: Request) -> Response:
        only = request.path_params.get("tag")
        rows = tag_rows(self.supervisor.current.config, only)
        params = request.query_params
        try:
            answer = page(
                rows, request.url.path, params.get("size"), params.get("offset"), dump=dict
            )
        except PageError as exc:
            return _error(400, str(exc))
        return _json(answer)

    async def entity(self, request: Request) -> Response:
        kind = request.url.path.strip("/").split("/")[0]
        config = self.supervisor.current.config
        entities = entity_list(config, kind)
        key = request.path_params["key"]
        if kind == "certificates":
            # Kong also finds a certificate by one of its SNI names.
            name = key.lower()
            key = next((s.certificate or key for s in config.snis if s.name == name), key)
        found = find_entity(entities, kind, key)
        return _json(found) if found is not None else _error(404, "Not found")

    def _upstream(self, request: Request) -> Upstream | None:
        key = request.path_params["key"]
        config = self.supervisor.current.config
        return next((u for u in config.upstreams if key in (u.id, u.name)), None)

    async def upstream_health(self, request: Request) -> Response:
        upstream = self._upstream(request)
        if upstream is None:
            return _error(404, "Not found")
        config = self.supervisor.current.config
        workers = await self.supervisor.worker_stats()
        return _json(upstream_health(config, upstream, workers, self.node_id))

    async def get_config(self, request: Request) -> Response:
        current = self.supervisor.current
        return _json({"config": current.text, "configuration_hash": current.hash})

    async def post_config(self, request: Request) -> Response:
        try:
            body = await read_config_body(request)
        except ConfigBodyError as exc:
            return _error(exc.status, exc.message)
        if body.options.get("check_hash") == "1" and self._unchanged(body):
            return Response(status_code=304)
        result = await self.supervisor.reload_text(body.text)
        if not result.ok:
            return _refused(result, body)
        config = self.supervisor.current.config
        return _json(
            {
                "configuration_hash": self.supervisor.current.hash,
                "configuration_version": result.version,
                **{
                    kind: [dump_entity(e) for e in entity_list(config, kind)]
                    for kind in CONFIG_KINDS
                },
            },
            201,
        )

    def _unchanged(self, body: ConfigBody) -> bool:
        """Kong's ``check_hash=1``: the posted config has the content being served."""
        try:
            loaded = parse_config_text(body.text, version=0)
        except ConfigError:
            return False
        return loaded.hash == self.supervisor.current.hash

    async def metrics(self, request: Request) -> Response:
        config = self.supervisor.current.config
        extra = []
        if config.upstreams:
            extra.append(HealthCollector(config, await self.supervisor.worker_stats()))
        data = render_metrics(str(self.supervisor.metrics_dir), self.counters, extra)
        return Response(data, media_type=CONTENT_TYPE)


def _page(request: Request, entities: Sequence[BaseModel]) -> Response:
    """One page of ``entities`` in Kong's shape, as ``?size=`` and ``?offset=`` ask."""
    params = request.query_params
    tags = params.get("tags")
    try:
        chosen = filter_by_tags(entities, tags)
        query = urlencode({"tags": tags}) if tags is not None else ""
        answer = page(
            chosen, request.url.path, params.get("size"), params.get("offset"), query=query
        )
    except (PageError, TagFilterError) as exc:
        return _error(400, str(exc))
    return _json(answer)


def _refused(result: ReloadResult, body: ConfigBody) -> Response:
    issues = [{"path": issue.path, "message": issue.message} for issue in result.issues]
    fields = {issue.path: issue.message for issue in result.issues if issue.path}
    summary = "; ".join(str(issue) for issue in result.issues)
    answer: dict[str, Any] = {
        "code": 14,
        "name": "invalid declarative configuration",
        "message": f"declarative config is invalid: {summary}",
        "fields": fields,
        "issues": issues,
    }
    if truthy(body.options.get("flatten_errors")):
        answer["flattened_errors"] = flattened_errors(body.text, result.issues)
    return _json(answer, 400)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {404: "Not found", 405: "Method not allowed"}
    return _error(exc.status_code, messages.get(exc.status_code, exc.detail))


async def _unexpected(request: Request, exc: Exception) -> Response:
    return _error(500, "An unexpected error occurred")


def create_admin_app(supervisor: Supervisor, admin_listen: str) -> Starlette:
    """The admin API for ``supervisor``; ``admin_listen`` is shown in ``GET /``."""
    api = _AdminApi(supervisor, admin_listen)
    routes = [
        Route("/", api.root),
        Route("/status", api.status),
        Route("/status/ready", api.ready),
        Route("/config", api.get_config, methods=["GET"]),
        Route("/config", api.post_config, methods=["POST"]),
        Route("/metrics", api.metrics),
        Route("/upstreams/{key}/health", api.upstream_health),
        Route("/plugins/enabled", api.enabled_plugins),
        Route("/routes/{key}/service", api.route_service),
        Route("/tags", api.tags),
        Route("/tags/{tag}", api.tags),
    ]
    for child in CHILDREN:
        base = f"/{child.parent}/{{key}}/{child.kind}"
        routes.append(Route(base, api.nested(child)))
        routes.append(Route(base + "/{child}", api.nested_one(child)))
    for kind in ENTITY_KINDS:
        routes.append(Route(f"/{kind}", api.listing))
        routes.append(Route(f"/{kind}/{{key}}", api.entity))
    host = admin_listen.rpartition(":")[0].strip("[]")
    return Starlette(
        routes=routes,
        exception_handlers={HTTPException: _http_error, Exception: _unexpected},
        middleware=[Middleware(BrowserGuard, loopback_only=is_loopback_name(host))],
    )


def _proxy_listen(settings: GatewaySettings) -> list[str]:
    """The proxy's listeners in Kong's notation (``HOST:PORT``, ``HOST:PORT ssl``)."""
    listen = [f"{settings.host}:{settings.port}"]
    if settings.tls is not None:
        listen.append(f"{settings.tls_host}:{settings.tls_port} ssl")
    return listen
