"""The loaded configuration: flat lists of entities whose references are ids."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from authgate.config.entities import Consumer, PluginEntry, Route, Service

__all__ = ["GatewayConfig"]


class GatewayConfig(BaseModel):
    """Everything the gateway runs with, as loaded from one declarative document.

    ``routes`` holds nested and top-level routes alike, in document order (nested first),
    each with ``service`` set to its service's id (or None). ``plugins`` holds global and
    nested plugins alike, each with its ``service``/``route``/``consumer`` scope ids.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    services: list[Service] = Field(default_factory=list, description="Upstream services.")
    routes: list[Route] = Field(default_factory=list, description="Every route, flattened.")
    consumers: list[Consumer] = Field(default_factory=list, description="Known consumers.")
    plugins: list[PluginEntry] = Field(default_factory=list, description="Every plugin, flattened.")

    def service(self, service_id: str | None) -> Service | None:
        """The service with this id, or None."""
        if service_id is None:
            return None
        return next((s for s in self.services if s.id == service_id), None)
