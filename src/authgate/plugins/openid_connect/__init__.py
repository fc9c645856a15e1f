"""The ``openid-connect`` plugin: bearer JWT, introspection, userinfo, password, client
credentials and refresh-token authentication against any OpenID Provider, with Kong's config.

Layers, lowest first: ``idp_client`` (talks to the OpenID Provider), ``rs`` (verifies the
credential a request carries; may import idp_client), ``rp`` (browser login, session, logout;
may import rs and idp_client). The top level holds what they share (``errors``, ``schema``,
``browser_schema``, ``unsupported``, ``services``: these import idp_client at most) and the
composition root (``plugin``, ``access``, ``field_reference``, this module), which may import
everything.
Nothing here imports ``authgate.idp``. ``tests/plugins/openid_connect/test_layers.py`` checks it.
"""

from __future__ import annotations

from authgate.plugins.openid_connect.plugin import OpenIDConnectPlugin, plugin_for
from authgate.plugins.openid_connect.schema import OpenIDConnectConfig
from authgate.plugins.openid_connect.services import OidcServices

__all__ = ["OidcServices", "OpenIDConnectConfig", "OpenIDConnectPlugin", "plugin_for"]
