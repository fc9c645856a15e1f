"""Load a Kong 3.x declarative config (YAML or JSON) into a :class:`GatewayConfig`.

:func:`load_gateway_config` is the one way from a file to a config: the gateway's workers,
``authgate config validate`` and ``authgate up`` all use it (the gateway command and its
SIGHUP/admin reloads validate the same text through :func:`load_config_text`, read with
:func:`read_config_file`). Plugin configs are checked against ``plugin_schemas``, which the
caller passes in: config imports nothing of authgate outside ``authgate.config``, so the code
that knows the plugins (``authgate.plugins.registry.plugin_schemas()``) provides them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel

from authgate.config.assemble import assemble
from authgate.config.document import read_document
from authgate.config.gateway import GatewayConfig
from authgate.config.issues import ConfigError, ConfigIssue
from authgate.config.positions import locate_issues
from authgate.config.vault import resolve_references
from authgate.config.yaml_source import parse_yaml

__all__ = [
    "MAX_CONFIG_BYTES",
    "PluginSchemas",
    "load_config_text",
    "load_gateway_config",
    "parse_config",
    "read_config_file",
]

MAX_CONFIG_BYTES = 16 * 1024 * 1024

PluginSchemas = Mapping[str, type[BaseModel]]
"""Plugin name -> its config model: what plugin entries are validated against."""


def parse_config(
    data: object,
    plugin_schemas: PluginSchemas,
    environ: Mapping[str, str] | None = None,
) -> GatewayConfig:
    """Validate a parsed document; :class:`ConfigError` lists every problem found.

    ``plugin_schemas`` maps each known plugin name to its config model. ``{vault://env/…}``
    references are read from ``environ`` (default: ``os.environ``).
    """
    resolved, issues = resolve_references(data, os.environ if environ is None else environ)
    if issues and issues[0].path == "":
        raise ConfigError(issues)
    doc = read_document(resolved, plugin_schemas)
    # A reference left unresolved is reported once: not again as a bad value of its field.
    unresolved = {issue.path for issue in issues}
    doc.issues = issues + [issue for issue in doc.issues if issue.path not in unresolved]
    return assemble(doc)


def load_config_text(
    text: str,
    plugin_schemas: PluginSchemas,
    source: str = "<string>",
    environ: Mapping[str, str] | None = None,
) -> GatewayConfig:
    """Parse YAML or JSON ``text`` and validate it.

    The :class:`ConfigError` names ``source`` and the line and column of every problem.
    """
    try:
        return parse_config(parse_yaml(text, source), plugin_schemas, environ)
    except ConfigError as exc:
        raise locate_issues(exc, text, source) from None


def read_config_file(path: str | Path) -> str:
    """The text of the config file at ``path``; :class:`ConfigError` when it cannot be used.

    The one problem is named after the file: unreadable, over :data:`MAX_CONFIG_BYTES`, or not
    UTF-8.
    """
    source = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError([ConfigIssue(source, f"cannot read: {exc.strerror}")], source) from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError([ConfigIssue(source, f"larger than {MAX_CONFIG_BYTES} bytes")], source)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        issue = ConfigIssue(source, f"not UTF-8 (byte {exc.start})")
        raise ConfigError([issue], source) from None


def load_gateway_config(
    path: str | Path,
    plugin_schemas: PluginSchemas,
    environ: Mapping[str, str] | None = None,
) -> GatewayConfig:
    """Read and validate the config file at ``path``; :class:`ConfigError` lists every problem."""
    return load_config_text(read_config_file(path), plugin_schemas, str(path), environ)
