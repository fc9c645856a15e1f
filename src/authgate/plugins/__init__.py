"""Gateway plugins: the phase contract (:mod:`.base`), the registry, the built-in plugins and
the services a worker hands them (:mod:`.services`: clocks, state that outlives reloads)."""

from __future__ import annotations

from authgate.plugins.base import Headers, Plugin, PluginResponse, RequestContext

__all__ = ["Headers", "Plugin", "PluginResponse", "RequestContext"]
