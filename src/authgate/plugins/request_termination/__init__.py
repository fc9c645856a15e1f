"""The ``request-termination`` plugin: answer with a fixed response instead of proxying."""

from __future__ import annotations

from authgate.plugins.request_termination.plugin import RequestTerminationPlugin
from authgate.plugins.request_termination.schema import RequestTerminationConfig

__all__ = ["RequestTerminationConfig", "RequestTerminationPlugin"]
