"""The loaded configuration: flat lists of entities whose references are ids."""

from __future__ import annotations

from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field

from authgate.config.certificates import Certificate, Sni
from authgate.config.consumers import ConsumerIndex
from authgate.config.entities import Consumer, PluginEntry, Route, Service
from authgate.config.upstreams import Target, Upstream

__all__ = ["EMPTY_CONFIG", "GatewayConfig"]


class GatewayConfig(BaseModel):
    """Everything the gateway runs with, as loaded from one declarative document.

    ``routes`` holds nested and top-level routes alike, in document order (nested first),
    each with ``service`` set to its service's id (or None). ``plugins`` holds global and
    nested plugins alike, each with its ``service``/``route``/``consumer`` scope ids.
    ``targets`` holds nested and top-level targets alike, each with its ``upstream`` id.
    ``snis`` holds nested and top-level SNIs alike, each with its ``certificate`` id; each
    certificate's ``snis`` lists the names of its SNIs.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    services: list[Service] = Field(default_factory=list, description="Upstream services.")
    routes: list[Route] = Field(default_factory=list, description="Every route, flattened.")
    consumers: list[Consumer] = Field(default_factory=list, description="Known consumers.")
    plugins: list[PluginEntry] = Field(default_factory=list, description="Every plugin, flattened.")
    upstreams: list[Upstream] = Field(default_factory=list, description="Load balancers.")
    targets: list[Target] = Field(default_factory=list, description="Every target, flattened.")
    certificates: list[Certificate] = Field(
        default_factory=list, description="Certificates of the https port."
    )
    snis: list[Sni] = Field(default_factory=list, description="Every SNI, flattened.")

    @cached_property
    def consumer_index(self) -> ConsumerIndex:
        """The consumers by id, username and custom_id (built on first use, once)."""
        return ConsumerIndex(self.consumers)

    def service(self, service_id: str | None) -> Service | None:
        """The service with this id, or None."""
        if service_id is None:
            return None
        return next((s for s in self.services if s.id == service_id), None)

    def upstream_targets(self, upstream_id: str) -> list[Target]:
        """The targets of one upstream, in configuration order."""
        return [t for t in self.targets if t.upstream == upstream_id]


EMPTY_CONFIG = GatewayConfig()
