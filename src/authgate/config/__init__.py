"""Kong-format declarative configuration: models, loading and validation (pure data, no I/O)."""

from __future__ import annotations

from authgate.config.certificates import Certificate, Sni
from authgate.config.entities import Consumer, PluginEntry, Route, Service
from authgate.config.errors import ConfigError, ConfigIssue, Position
from authgate.config.gateway import GatewayConfig
from authgate.config.loader import load_config_file, load_config_text, parse_config
from authgate.config.upstreams import Target, Upstream
from authgate.config.uri import normalize_path

__all__ = [
    "Certificate",
    "ConfigError",
    "ConfigIssue",
    "Consumer",
    "GatewayConfig",
    "PluginEntry",
    "Position",
    "Route",
    "Service",
    "Sni",
    "Target",
    "Upstream",
    "load_config_file",
    "load_config_text",
    "normalize_path",
    "parse_config",
]
