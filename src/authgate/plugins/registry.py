"""The plugins this gateway knows, by name: their handler classes and config schemas."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from authgate.plugins.base import Plugin
from authgate.plugins.openid_connect import OpenIDConnectPlugin, plugin_for
from authgate.plugins.request_termination import RequestTerminationPlugin
from authgate.plugins.services import PluginServices

__all__ = ["PluginFactory", "build_plugin", "plugin_class", "plugin_schemas", "register"]

PluginFactory = Callable[[BaseModel, PluginServices], Plugin]
"""Builds a plugin from its config and the worker's services (clock, shared state)."""

_BUILT_IN: tuple[type[Plugin], ...] = (RequestTerminationPlugin, OpenIDConnectPlugin)
_BY_NAME: dict[str, type[Plugin]] = {cls.name: cls for cls in _BUILT_IN}
# Plugins that use the services, or whose class depends on the config (openid-connect: a
# response phase for browser logins). The others are built as ``cls(config)``.
_FACTORIES: dict[str, PluginFactory] = {OpenIDConnectPlugin.name: plugin_for}


def register(cls: type[Plugin], factory: PluginFactory | None = None) -> type[Plugin]:
    """Add a plugin class (usable as a decorator); its ``name`` must be new.

    With ``factory``, runtimes build the plugin as ``factory(config, services)`` (a plugin that
    needs the worker's clock or state that outlives reloads); otherwise as ``cls(config)``.
    Register before configs are loaded and runtimes built: both look plugins up by name.
    """
    if cls.name in _BY_NAME and _BY_NAME[cls.name] is not cls:
        raise ValueError(f"plugin {cls.name!r} is already registered")
    _BY_NAME[cls.name] = cls
    if factory is not None:
        _FACTORIES[cls.name] = factory
    return cls


def plugin_schemas() -> dict[str, type[BaseModel]]:
    """Plugin name -> its pydantic config model (what the config loader validates against)."""
    return {name: cls.Config for name, cls in _BY_NAME.items()}


def plugin_class(name: str) -> type[Plugin]:
    """The handler class of plugin ``name``; KeyError for an unknown name."""
    return _BY_NAME[name]


def build_plugin(name: str, config: BaseModel, services: PluginServices) -> Plugin:
    """An instance of plugin ``name`` for ``config``, given the worker's ``services`` when its
    factory takes them (a plugin without a factory, like request-termination, needs none)."""
    factory = _FACTORIES.get(name)
    return factory(config, services) if factory is not None else _BY_NAME[name](config)
