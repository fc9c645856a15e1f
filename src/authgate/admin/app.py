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

import orjson
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Message, Scope

from authgate import __version__
from authgate.admin.entities import (
    CONFIG_KINDS,
    ENTITY_KINDS,
    PageError,
    dump_entity,
    entity_list,
    find_entity,
    page,
)
from authgate.admin.guard import BrowserGuard, is_loopback_name
from authgate.admin.metrics import CONTENT_TYPE, SupervisorCounters, render_metrics
from authgate.admin.upstream_health import HealthCollector, upstream_health
from authgate.config import Upstream
from authgate.plugins.registry import plugin_class, plugin_schemas
from authgate.proxy.supervisor import GatewaySettings, ReloadResult, Supervisor

__all__ = ["MAX_CONFIG_BYTES", "create_admin_app"]

MAX_CONFIG_BYTES = 16 << 20
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

    async def upstream_targets(self, request: Request) -> Response:
        upstream = self._upstream(request)
        if upstream is None:
            return _error(404, "Not found")
        return _page(request, self.supervisor.current.config.upstream_targets(upstream.id))

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
        text = await _config_text(request)
        if isinstance(text, Response):
            return text
        if not text.strip():
            return _error(400, "empty body: send a declarative configuration (YAML or JSON)")
        result = await self.supervisor.reload_text(text)
        if not result.ok:
            return _refused(result)
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
    try:
        return _json(page(entities, request.url.path, params.get("size"), params.get("offset")))
    except PageError as exc:
        return _error(400, str(exc))


_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


async def _config_text(request: Request) -> str | Response:
    """The posted config: the raw body, or Kong's form field ``config`` (``-F config=@f``)."""
    too_large = _error(413, f"configuration larger than {MAX_CONFIG_BYTES} bytes")
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_CONFIG_BYTES):
        return too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_CONFIG_BYTES:
            return too_large
    if request.headers.get("content-type", "").startswith(_FORM_TYPES):
        return await _form_field(request.scope, bytes(body))
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return _error(400, "configuration must be UTF-8 encoded YAML or JSON")


async def _form_field(scope: Scope, body: bytes) -> str | Response:
    async def replay() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        async with Request(scope, replay).form(
            max_files=1, max_fields=8, max_part_size=MAX_CONFIG_BYTES
        ) as form:
            value = form.get("config")
            raw = await value.read() if isinstance(value, UploadFile) else value
    except HTTPException as exc:
        return _error(400, f"unreadable form: {exc.detail}")
    if raw is None:
        return _error(400, "form field 'config' is required")
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return _error(400, "configuration must be UTF-8 encoded YAML or JSON")


def _refused(result: ReloadResult) -> Response:
    issues = [{"path": issue.path, "message": issue.message} for issue in result.issues]
    fields = {issue.path: issue.message for issue in result.issues if issue.path}
    summary = "; ".join(str(issue) for issue in result.issues)
    return _json(
        {
            "code": 14,
            "name": "invalid declarative configuration",
            "message": f"declarative config is invalid: {summary}",
            "fields": fields,
            "issues": issues,
        },
        400,
    )


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
        Route("/upstreams/{key}/targets", api.upstream_targets),
        Route("/upstreams/{key}/health", api.upstream_health),
    ]
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
