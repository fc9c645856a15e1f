"""One validated configuration as the supervisor hands it to workers, and a reload's outcome.

The text is validated with every plugin's schema and every certificate checked before any
worker sees it; :func:`config_hash` is Kong's ``configuration_hash``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from authgate.config import (
    ConfigError,
    ConfigIssue,
    GatewayConfig,
    load_config_text,
    read_config_file,
)
from authgate.config.positions import locate_issues
from authgate.plugins.registry import plugin_schemas
from authgate.proxy.tls import unusable_certificates

__all__ = ["LoadedConfig", "ReloadResult", "config_hash", "load_config_file", "parse_config_text"]


@dataclass(frozen=True)
class LoadedConfig:
    """One validated configuration, as text (what the user gave) and as models."""

    version: int
    text: str
    config: GatewayConfig
    hash: str


@dataclass(frozen=True)
class ReloadResult:
    """The outcome of a reload: either every worker serves ``version`` or nothing changed."""

    ok: bool
    version: int
    issues: list[ConfigIssue] = field(default_factory=list)
    message: str = ""
    report: list[str] = field(default_factory=list)  # the issues as FILE:LINE:COLUMN lines


def config_hash(config: GatewayConfig) -> str:
    """A stable digest of the configuration's content (Kong's ``configuration_hash``)."""
    canonical = orjson.dumps(config.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    return hashlib.md5(canonical, usedforsecurity=False).hexdigest()


def parse_config_text(text: str, version: int, source: str = "<string>") -> LoadedConfig:
    """Validate ``text``; :class:`ConfigError` lists every problem, placed in ``source``."""
    config = load_config_text(text, plugin_schemas(), source)
    unusable = unusable_certificates(config)
    if unusable:
        error = ConfigError(ConfigIssue(path, message) for path, message in unusable)
        raise locate_issues(error, text, source)
    return LoadedConfig(version=version, text=text, config=config, hash=config_hash(config))


def load_config_file(path: Path, version: int) -> LoadedConfig:
    """Read (:func:`~authgate.config.read_config_file`) and validate the ``--config`` file.

    The one loader of the gateway's start and of SIGHUP; :class:`ConfigError` names the file.
    """
    return parse_config_text(read_config_file(path), version, source=str(path))
