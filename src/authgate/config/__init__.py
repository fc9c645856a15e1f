"""Kong-format declarative configuration: entities, shared field types, loading, validation.

- :mod:`.entities`, :mod:`.upstreams`, :mod:`.certificates`, :mod:`.gateway`: the typed
  entities (services, routes, consumers, plugin entries, upstreams, certificates) and the
  whole :class:`GatewayConfig` with its cross-entity checks (:mod:`.assemble`);
- :mod:`.fields`: every shared field type (``Url``, ``Port``, ``HeaderName``, the RFC 9110
  token charset, ...), for the entities and for plugin schemas;
- :mod:`.loader`: :func:`load_gateway_config` (a file) and :func:`load_config_text`; plugin
  configs are checked against the schemas the caller passes (:mod:`.plugin_schema` is their
  base class);
- :mod:`.issues`: :class:`ConfigError`, every problem with its path and file position.

Imports nothing of authgate outside ``authgate.config``: plugins, the proxy, the admin API
and the command line import it, never the other way round. The only I/O is reading the file
and ``{vault://env/...}`` references.
"""

from __future__ import annotations

from authgate.config.certificates import Certificate, Sni
from authgate.config.entities import Consumer, PluginEntry, Route, Service
from authgate.config.gateway import GatewayConfig
from authgate.config.issues import ConfigError, ConfigIssue, Position
from authgate.config.loader import (
    PluginSchemas,
    load_config_text,
    load_gateway_config,
    parse_config,
    read_config_file,
)
from authgate.config.upstreams import Target, Upstream
from authgate.config.uri import normalize_path

__all__ = [
    "Certificate",
    "ConfigError",
    "ConfigIssue",
    "Consumer",
    "GatewayConfig",
    "PluginEntry",
    "PluginSchemas",
    "Position",
    "Route",
    "Service",
    "Sni",
    "Target",
    "Upstream",
    "load_config_text",
    "load_gateway_config",
    "normalize_path",
    "parse_config",
    "read_config_file",
]
