"""Small plugins used only by the framework tests; registered on import."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from authgate.plugins.access_record import AccessRecord
from authgate.plugins.base import Headers, Plugin, PluginResponse, RequestContext
from authgate.plugins.registry import register
from authgate.plugins.services import PluginServices

LOGGED: list[tuple[str, int]] = []


class TagConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tag: str = Field(default="", description="Value appended to X-Trace.")


class _Tagger(Plugin):
    Config: ClassVar[type[BaseModel]] = TagConfig

    async def access(self, ctx: RequestContext) -> PluginResponse | None:
        assert isinstance(self.config, TagConfig)
        ctx.headers.add("x-trace", f"{self.name}:{self.config.tag}")
        return None

    def response(self, ctx: RequestContext, status: int, headers: Headers) -> None:
        headers.add("x-response-trace", self.name)

    def log(self, ctx: RequestContext, record: AccessRecord) -> None:
        LOGGED.append((self.name, record.status))


@register
class HighTagger(_Tagger):
    name: ClassVar[str] = "test-high"
    priority: ClassVar[int] = 2000


@register
class LowTagger(_Tagger):
    name: ClassVar[str] = "test-low"
    priority: ClassVar[int] = 10


class NoConfig(BaseModel):
    """The config of a plugin that takes none."""

    model_config = ConfigDict(extra="forbid")


@register
class HeaderLogin(Plugin):
    """Identifies the consumer named in X-User (an authentication plugin stand-in)."""

    name: ClassVar[str] = "test-login"
    priority: ClassVar[int] = 1500
    Config: ClassVar[type[BaseModel]] = NoConfig

    async def access(self, ctx: RequestContext) -> PluginResponse | None:
        username = ctx.headers.get("x-user")
        consumer = ctx.config.consumer_index.find(username, ("username",)) if username else None
        if consumer is not None:
            ctx.consumer = consumer
        return None


class ClockStamp(Plugin):
    """Sends the worker's clock upstream in X-Clock and counts requests in a shared tally."""

    name: ClassVar[str] = "test-clock"
    priority: ClassVar[int] = 5
    Config: ClassVar[type[BaseModel]] = NoConfig

    def __init__(self, config: BaseModel, services: PluginServices) -> None:
        super().__init__(config)
        self.clock = services.clock
        self.tally = services.shared(Tally, lambda _: Tally())

    async def access(self, ctx: RequestContext) -> PluginResponse | None:
        self.tally.requests += 1
        ctx.headers.set("x-clock", f"{self.clock():g}")
        ctx.headers.set("x-tally", str(self.tally.requests))
        return None


class Tally:
    """State a plugin keeps in the services: it outlives config reloads."""

    def __init__(self) -> None:
        self.requests = 0


register(ClockStamp, ClockStamp)
