"""The plugin contract: phases (access, response, log), priorities and per-request context.

A plugin is a thin handler class with a ``name``, an explicit ``priority`` (higher runs
first, as in Kong) and a pydantic ``Config`` model. The proxy calls, per request:

- ``access(ctx)`` (async) before proxying; returning a :class:`PluginResponse` ends the
  request there (later plugins and the upstream are skipped);
- ``response(ctx, status, headers)`` (sync) once the response status and headers are known,
  proxied or produced by the gateway; it may change the headers;
- ``log(ctx, record)`` (sync) after the response has been sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import orjson
from pydantic import BaseModel

if TYPE_CHECKING:
    from authgate.proxy.records import AccessRecord

__all__ = ["Headers", "Plugin", "PluginResponse", "RequestContext"]


class Headers:
    """An ordered, case-insensitive multi-map of header fields.

    Names are stored lower-case, values as ``str`` (latin-1 on the wire). ``X_A`` and
    ``X-A`` are different names: underscores are never turned into dashes.
    """

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._items: list[tuple[str, str]] = [(k.lower(), v) for k, v in items]

    @classmethod
    def from_lower(cls, items: list[tuple[str, str]]) -> Headers:
        """Wrap a list whose names are already lower-case (no copy)."""
        headers = cls.__new__(cls)
        headers._items = items
        return headers

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of ``name``, or ``default``."""
        name = name.lower()
        for key, value in self._items:
            if key == name:
                return value
        return default

    def get_all(self, name: str) -> list[str]:
        """Every value of ``name``, in order."""
        name = name.lower()
        return [value for key, value in self._items if key == name]

    def set(self, name: str, value: str) -> None:
        """Replace every value of ``name`` with ``value`` (kept at the first one's position)."""
        name = name.lower()
        items = self._items
        for index, (key, _) in enumerate(items):
            if key == name:
                items[index] = (name, value)
                self._items = items[: index + 1] + [
                    kv for kv in items[index + 1 :] if kv[0] != name
                ]
                return
        items.append((name, value))

    def add(self, name: str, value: str) -> None:
        """Append one more value for ``name``."""
        self._items.append((name.lower(), value))

    def remove(self, name: str) -> None:
        """Drop every value of ``name`` (no error when absent)."""
        name = name.lower()
        if any(key == name for key, _ in self._items):
            self._items = [kv for kv in self._items if kv[0] != name]

    def items(self) -> list[tuple[str, str]]:
        """All ``(name, value)`` pairs in order (the live list; do not keep it)."""
        return self._items

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        name = name.lower()
        return any(key == name for key, _ in self._items)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


@dataclass
class PluginResponse:
    """A response a plugin (or the gateway) sends instead of proxying."""

    status: int
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""

    @classmethod
    def json(
        cls,
        status: int,
        message: str,
        request_id: str,
        headers: Iterable[tuple[str, str]] = (),
        **extra: Any,
    ) -> PluginResponse:
        """A Kong-style JSON error body: ``{"message": …, "request_id": …}``."""
        body = orjson.dumps({"message": message, **extra, "request_id": request_id})
        result = cls(status, Headers(headers), body)
        result.headers.set("content-type", "application/json; charset=utf-8")
        return result


@dataclass
class RequestContext:
    """Per-request state shared by the proxy and every plugin of the request.

    ``headers`` are the headers that will go upstream (plugins may change them);
    ``upstream_path`` is the path the upstream receives (after ``strip_path``). ``route``,
    ``service`` and ``consumer`` are the config entities (``authgate.config``); an
    authentication plugin sets ``consumer`` (one of ``config.consumers``), which switches the
    rest of the chain to the consumer's plugin configs. ``shared`` is for plugins to pass
    data to each other.
    """

    request_id: str
    method: str
    path: str
    query: str
    headers: Headers
    client_ip: str
    scheme: str
    host: str
    port: int
    http_version: str
    route: Any = None
    service: Any = None
    consumer: Any = None
    config: Any = None
    upstream_path: str = "/"
    captures: dict[str, str] = field(default_factory=dict)
    shared: dict[str, object] = field(default_factory=dict)
    started_at: float = 0.0


class Plugin:
    """Base class of every plugin; override only the phases you need.

    The runtime skips phases a plugin does not override, so an unused phase costs nothing.
    """

    name: ClassVar[str]
    priority: ClassVar[int]
    Config: ClassVar[type[BaseModel]]

    def __init__(self, config: BaseModel) -> None:
        self.config = config

    async def access(self, ctx: RequestContext) -> PluginResponse | None:
        """Run before proxying; return a response to stop the request here."""
        return None

    def response(self, ctx: RequestContext, status: int, headers: Headers) -> None:
        """See (and change) the status line's headers before they go to the client."""

    def log(self, ctx: RequestContext, record: AccessRecord) -> None:
        """Run after the response has been sent."""
