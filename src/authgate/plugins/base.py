"""The plugin contract: phases (access, response, log), priorities and per-request context.

A plugin is a thin handler class with a ``name``, an explicit ``priority`` (higher runs
first, as in Kong) and a pydantic ``Config`` model. The proxy calls, per request:

- ``access(ctx)`` (async) before proxying; returning a :class:`PluginResponse` ends the
  request there (later plugins and the upstream are skipped);
- ``response(ctx, status, headers)`` (sync) once the response status and headers are known,
  proxied or produced by the gateway; it may change the headers;
- ``log(ctx, record)`` (sync) after the response has been sent.

A plugin that needs the request body (RFC 9110 §6.4) calls ``await ctx.read_body(limit)``
or ``await ctx.read_form(limit)``; the body is buffered and still sent upstream, or replaced
with ``ctx.set_body(data)``. Routes whose plugins never ask keep streaming bodies untouched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar, cast
from urllib.parse import parse_qs, urlencode

import orjson
from pydantic import BaseModel

from authgate.config.entities import Consumer, Route, Service
from authgate.config.fields import is_token
from authgate.config.gateway import EMPTY_CONFIG, GatewayConfig

if TYPE_CHECKING:
    from authgate.plugins.access_record import AccessRecord

__all__ = [
    "FORM_MEDIA_TYPE",
    "MAX_FORM_FIELDS",
    "BufferedBody",
    "Headers",
    "Plugin",
    "PluginResponse",
    "RequestBodyError",
    "RequestBodySource",
    "RequestBodyTooLarge",
    "RequestContext",
    "Slot",
]

MAX_FORM_FIELDS = 1000
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
_FIELD_BREAKERS = re.compile(r"[\r\n\x00]")
T = TypeVar("T")


def _checked(name: str, value: str) -> tuple[str, str]:
    """A field a plugin sets, with its name lower-cased; ValueError when it can't be sent."""
    name = name.lower()
    if not is_token(name):
        raise ValueError(f"invalid header name {name!r}")
    if _FIELD_BREAKERS.search(value) is not None:
        raise ValueError(f"header {name!r}: value holds CR, LF or NUL")
    return name, value


class RequestBodyError(Exception):
    """The request body can't be handed to a plugin; uncaught, the gateway answers ``status``.

    The JSON error body carries ``message``; the connection is closed afterwards unless the
    rest of the body is small enough to be read and discarded.
    """

    status: ClassVar[int] = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RequestBodyTooLarge(RequestBodyError):
    """The body is longer than the ``limit`` a plugin passed (announced or as received)."""

    status: ClassVar[int] = 413

    def __init__(self, limit: int) -> None:
        super().__init__("Request size limit exceeded")
        self.limit = limit


class RequestBodySource(Protocol):
    """Where :class:`RequestContext` gets the request body from (the proxy supplies one)."""

    async def read(self, limit: int) -> bytes:
        """The whole body (the replacement once one was set); RequestBodyTooLarge over ``limit``."""
        ...

    def replace(self, data: bytes) -> None:
        """Send ``data`` upstream instead of the client's body."""
        ...


class BufferedBody:
    """A body already in memory (for contexts built outside the proxy, e.g. plugin tests)."""

    __slots__ = ("data",)

    def __init__(self, data: bytes = b"") -> None:
        self.data = data

    async def read(self, limit: int) -> bytes:
        """``data``, or RequestBodyTooLarge when it is longer than ``limit``."""
        if len(self.data) > limit:
            raise RequestBodyTooLarge(limit)
        return self.data

    def replace(self, data: bytes) -> None:
        """Replace ``data``."""
        self.data = bytes(data)


class Headers:
    """An ordered, case-insensitive multi-map of header fields.

    Names are stored lower-case, values as ``str`` (latin-1 on the wire). ``X_A`` and
    ``X-A`` are different names: underscores are never turned into dashes.
    """

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._items: list[tuple[str, str]] = [_checked(k, v) for k, v in items]

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
        """Replace every value of ``name`` with ``value`` (kept at the first one's position).

        ValueError for a name that is not an RFC 9110 token or a value with CR, LF or NUL.
        """
        name, value = _checked(name, value)
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
        """Append one more value for ``name`` (ValueError as for :meth:`set`)."""
        self._items.append(_checked(name, value))

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


class Slot(Generic[T]):
    """A typed key for per-request plugin state (Kong's ``kong.ctx.plugin``/``kong.ctx.shared``).

    Declare one per piece of state at module level (``JAR = Slot[CookieJar]("oidc.jar")``);
    ``ctx.get(JAR)`` is then typed, and two plugins can't collide on a string key.
    """

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"


class RequestContext:
    """Per-request state shared by the proxy and every plugin of the request.

    ``headers`` are the headers that will go upstream (plugins may change them);
    ``upstream_path`` is the path the upstream receives (after ``strip_path``). ``route``,
    ``service`` and ``consumer`` are the config entities; an authentication plugin sets
    ``consumer`` (one of ``config.consumers``, found with ``config.consumer_index``), which
    switches the rest of the chain to the consumer's plugin configs, and ``credential`` (what
    authenticated it, Kong's ``kong.client.get_credential``). Plugins keep their own state
    in typed :class:`Slot` values (:meth:`get`/:meth:`put`).

    The proxy's request state is a subclass: this object is the one scope of the request,
    never copied.
    """

    __slots__ = (
        "_values",
        "body_source",
        "captures",
        "client_ip",
        "config",
        "consumer",
        "credential",
        "headers",
        "host",
        "http_version",
        "method",
        "path",
        "port",
        "query",
        "request_id",
        "route",
        "scheme",
        "service",
        "started_at",
        "upstream_path",
    )

    def __init__(
        self,
        *,
        request_id: str,
        method: str,
        path: str,
        query: str,
        headers: Headers,
        client_ip: str,
        scheme: str,
        host: str,
        port: int,
        http_version: str,
        route: Route | None = None,
        service: Service | None = None,
        consumer: Consumer | None = None,
        config: GatewayConfig = EMPTY_CONFIG,
        upstream_path: str = "/",
        captures: dict[str, str] | None = None,
        started_at: float = 0.0,
        body_source: RequestBodySource | None = None,
    ) -> None:
        self.request_id = request_id
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.client_ip = client_ip
        self.scheme = scheme
        self.host = host
        self.port = port
        self.http_version = http_version
        self.route = route
        self.service = service
        self.consumer = consumer
        self.credential: str | None = None
        self.config = config
        self.upstream_path = upstream_path
        self.captures = {} if captures is None else captures
        self.started_at = started_at
        self.body_source: RequestBodySource = BufferedBody() if body_source is None else body_source
        self._values: dict[Slot[Any], object] | None = None

    def get(self, slot: Slot[T]) -> T | None:
        """The value a plugin put in ``slot`` for this request, or None."""
        values = self._values
        return None if values is None else cast("T | None", values.get(slot))

    def put(self, slot: Slot[T], value: T) -> None:
        """Keep ``value`` in ``slot`` until the request ends."""
        if self._values is None:
            self._values = {}
        self._values[slot] = value

    async def read_body(self, limit: int) -> bytes:
        """The request body (``b""`` when there is none), at most ``limit`` bytes.

        The body is buffered and still sent upstream whole (with a Content-Length, a chunked
        body converted); later calls return the same bytes, or the replacement once
        :meth:`set_body` was called. Raises :class:`RequestBodyTooLarge` when the body is
        longer than ``limit`` (announced or received): uncaught, the client gets ``413``;
        caught, the request may go on and the body is still forwarded in full. Client
        timeouts and disconnects while reading end the request as they would without plugins.
        """
        return await self.body_source.read(limit)

    async def read_form(self, limit: int) -> dict[str, list[str]] | None:
        """The body's fields when it is ``application/x-www-form-urlencoded``, else None.

        Reads it with :meth:`read_body` (same ``limit`` rules); more than
        :data:`MAX_FORM_FIELDS` fields raise :class:`RequestBodyError` (400).
        """
        content_type = self.headers.get("content-type") or ""
        if content_type.partition(";")[0].strip(" \t").lower() != FORM_MEDIA_TYPE:
            return None
        body = await self.read_body(limit)
        try:
            return parse_qs(
                body.decode("latin-1"),
                keep_blank_values=True,
                encoding="utf-8",
                errors="replace",
                max_num_fields=MAX_FORM_FIELDS,
            )
        except ValueError:
            raise RequestBodyError("Bad request: too many form fields") from None

    def set_body(self, data: bytes) -> None:
        """Send ``data`` upstream instead of the client's body (with its Content-Length).

        The Content-Type is left as it is. A client body not read by then is read and
        discarded after the response when small, otherwise the connection is closed.
        """
        self.body_source.replace(data)

    def set_form(self, fields: Mapping[str, Sequence[str]]) -> None:
        """:meth:`set_body` with ``fields`` form-urlencoded (e.g. after removing credentials)."""
        self.set_body(urlencode([(k, v) for k, vs in fields.items() for v in vs]).encode())


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
