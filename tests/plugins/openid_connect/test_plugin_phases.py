"""Which phases the plugin has: a response phase (cookies) only for browser-login configs.

The proxy skips the phases a plugin class does not override, and a response phase moves the
route's responses to the slower header-editing path, so API-only configs must not have one.
"""

from __future__ import annotations

from typing import Any

import pytest

from authgate.plugins.openid_connect import OpenIDConnectConfig
from authgate.plugins.openid_connect.plugin import BrowserOpenIDConnectPlugin, OpenIDConnectPlugin
from authgate.plugins.registry import build_plugin
from authgate.plugins.services import PluginServices
from authgate.proxy.runtime import PluginChain

ISSUER = "http://127.0.0.1:9/pool"
API: dict[str, Any] = {"issuer": ISSUER, "client_id": ["app"], "auth_methods": ["bearer"]}
BROWSER: dict[str, Any] = {
    **API,
    "auth_methods": ["authorization_code", "session", "bearer"],
    "session_secret": "s" * 32,
}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [(API, OpenIDConnectPlugin), (BROWSER, BrowserOpenIDConnectPlugin)],
    ids=["api", "browser"],
)
def test_the_registry_picks_the_class_from_the_config(
    fields: dict[str, Any], expected: type[OpenIDConnectPlugin]
) -> None:
    config = OpenIDConnectConfig.model_validate(fields)
    plugin = build_plugin("openid-connect", config, PluginServices())
    assert type(plugin) is expected
    chain = PluginChain.of([plugin])
    assert chain.access == (plugin,)
    assert chain.response == ((plugin,) if expected is BrowserOpenIDConnectPlugin else ())
    assert chain.log == ()
