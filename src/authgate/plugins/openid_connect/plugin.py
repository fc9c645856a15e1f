"""``openid-connect`` (Kong priority 1050): the gateway as an OAuth 2.0 resource server.

The phases, as in Kong's ``handler.lua``: access (:mod:`.access`: the browser flow, the
credential search, the claims rules, the upstream headers) and, for configs with ``session`` or
``authorization_code``, response (the session and login cookies). :func:`plugin_for` picks the class
from the config: the proxy skips the phases a plugin class does not override, and a response
phase moves every response of the route to the slower path that lets plugins edit headers.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel

from authgate.plugins.base import Headers, Plugin, PluginResponse, RequestContext
from authgate.plugins.openid_connect.access import AccessPhase
from authgate.plugins.openid_connect.rp.browser_flow import add_set_cookies
from authgate.plugins.openid_connect.schema import BROWSER_METHODS, OpenIDConnectConfig
from authgate.plugins.openid_connect.services import OidcServices
from authgate.plugins.services import PluginServices

__all__ = ["BrowserOpenIDConnectPlugin", "OpenIDConnectPlugin", "plugin_for"]


class OpenIDConnectPlugin(Plugin):
    """The plugin for API credentials only: an access phase (see the module docstring)."""

    name: ClassVar[str] = "openid-connect"
    priority: ClassVar[int] = 1050
    Config: ClassVar[type[BaseModel]] = OpenIDConnectConfig

    def __init__(self, config: BaseModel, services: PluginServices) -> None:
        super().__init__(config)
        assert isinstance(config, OpenIDConnectConfig)
        self.settings = config
        self.phase = AccessPhase(config, OidcServices.of(services))

    async def access(self, ctx: RequestContext) -> PluginResponse | None:
        return await self.phase.access(ctx)


class BrowserOpenIDConnectPlugin(OpenIDConnectPlugin):
    """The plugin for configs with ``session`` or ``authorization_code``: Set-Cookie headers."""

    def response(self, ctx: RequestContext, status: int, headers: Headers) -> None:
        add_set_cookies(ctx, headers)


def plugin_for(config: BaseModel, services: PluginServices) -> OpenIDConnectPlugin:
    """The plugin for ``config``: with a response phase only when it has browser methods."""
    assert isinstance(config, OpenIDConnectConfig)
    browser = bool(config.active_methods & BROWSER_METHODS)
    return (BrowserOpenIDConnectPlugin if browser else OpenIDConnectPlugin)(config, services)
