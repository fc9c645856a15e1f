"""Gateway plugins: the phase contract (:mod:`.base`), the registry and the built-in plugins."""

from __future__ import annotations

from authgate.plugins.base import Headers, Plugin, PluginResponse, RequestContext

__all__ = ["Headers", "Plugin", "PluginResponse", "RequestContext"]
