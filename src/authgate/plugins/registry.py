"""The plugins this gateway knows, by name: their handler classes and config schemas."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from authgate.plugins.base import Plugin
from authgate.plugins.openid_connect import OpenIDConnectPlugin, plugin_for
from authgate.plugins.request_termination import RequestTerminationPlugin

__all__ = ["build_plugin", "plugin_class", "plugin_schemas", "register"]

_BUILT_IN: tuple[type[Plugin], ...] = (RequestTerminationPlugin, OpenIDConnectPlugin)
_BY_NAME: dict[str, type[Plugin]] = {cls.name: cls for cls in _BUILT_IN}
# Plugins whose class depends on the config (openid-connect: a response phase for browser logins).
_FACTORIES: dict[str, Callable[[BaseModel], Plugin]] = {OpenIDConnectPlugin.name: plugin_for}


def register(cls: type[Plugin]) -> type[Plugin]:
    """Add a plugin class (usable as a decorator); its ``name`` must be new.

    Register before configs are loaded and runtimes built: both look plugins up by name.
    """
    if cls.name in _BY_NAME and _BY_NAME[cls.name] is not cls:
        raise ValueError(f"plugin {cls.name!r} is already registered")
    _BY_NAME[cls.name] = cls
    return cls


def plugin_schemas() -> dict[str, type[BaseModel]]:
    """Plugin name -> its pydantic config model (what the config loader validates against)."""
    return {name: cls.Config for name, cls in _BY_NAME.items()}


def plugin_class(name: str) -> type[Plugin]:
    """The handler class of plugin ``name``; KeyError for an unknown name."""
    return _BY_NAME[name]


def build_plugin(name: str, config: BaseModel) -> Plugin:
    """An instance of plugin ``name`` for ``config`` (its factory's choice of class, if any)."""
    return _FACTORIES.get(name, _BY_NAME[name])(config)
