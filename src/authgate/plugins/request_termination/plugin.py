"""``request-termination`` (Kong priority 2): stop matching requests with a fixed response."""

from __future__ import annotations

import socket
from http import HTTPStatus
from typing import ClassVar
from urllib.parse import parse_qsl

import orjson
from pydantic import BaseModel

from authgate.plugins.base import Headers, Plugin, PluginResponse, RequestContext
from authgate.plugins.request_termination.schema import RequestTerminationConfig

__all__ = ["RequestTerminationPlugin"]

# Kong's kong.response default messages.
_DEFAULT_MESSAGES = {
    401: "Unauthorized",
    404: "Not found",
    405: "Method not allowed",
    500: "An unexpected error occurred",
    502: "Bad Gateway",
    503: "Service unavailable",
}


def default_message(status: int) -> str:
    """Kong's default message for ``status``."""
    if status in _DEFAULT_MESSAGES:
        return _DEFAULT_MESSAGES[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "The upstream server responded with " + str(status)


class RequestTerminationPlugin(Plugin):
    """Answers with ``status_code`` and a message, a raw body or an echo of the request."""

    name: ClassVar[str] = "request-termination"
    priority: ClassVar[int] = 2
    Config: ClassVar[type[BaseModel]] = RequestTerminationConfig

    def __init__(self, config: BaseModel) -> None:
        super().__init__(config)
        assert isinstance(config, RequestTerminationConfig)
        self.settings = config

    async def access(self, ctx: RequestContext) -> PluginResponse | None:
        settings = self.settings
        if settings.trigger is not None and not self._triggered(ctx, settings.trigger):
            return None
        status = settings.status_code
        if settings.echo:
            body = orjson.dumps(self._echo(ctx))
            return PluginResponse(
                status, Headers([("content-type", "application/json; charset=utf-8")]), body
            )
        if settings.body is not None:
            headers = Headers()
            if settings.content_type is not None:
                headers.set("content-type", settings.content_type)
            return PluginResponse(status, headers, settings.body.encode())
        return PluginResponse.json(
            status, settings.message or default_message(status), ctx.request_id
        )

    @staticmethod
    def _triggered(ctx: RequestContext, trigger: str) -> bool:
        if trigger in ctx.headers:
            return True
        return any(name == trigger for name, _ in parse_qsl(ctx.query, keep_blank_values=True))

    def _echo(self, ctx: RequestContext) -> dict[str, object]:
        query: dict[str, object] = {}
        for name, value in parse_qsl(ctx.query, keep_blank_values=True):
            previous = query.get(name)
            if previous is None:
                query[name] = value
            elif isinstance(previous, list):
                previous.append(value)
            else:
                query[name] = [previous, value]
        headers: dict[str, object] = {}
        for name, value in ctx.headers:
            previous = headers.get(name)
            headers[name] = value if previous is None else f"{previous}, {value}"
        return {
            "message": self.settings.message or default_message(self.settings.status_code),
            "authgate": {"hostname": socket.gethostname()},
            "request": {
                "scheme": ctx.scheme,
                "host": ctx.host,
                "port": ctx.port,
                "method": ctx.method,
                "path": ctx.path,
                "query": query,
                "headers": headers,
            },
            "matched_route": _entity(ctx.route),
            "matched_service": _entity(ctx.service),
            "matched_consumer": _entity(ctx.consumer),
        }


def _entity(model: object) -> object:
    if isinstance(model, BaseModel):
        return model.model_dump(mode="json")
    return None
