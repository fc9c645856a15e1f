"""The ``openid-connect`` plugin: bearer JWT, introspection, userinfo, password, client
credentials and refresh-token authentication against any OpenID Provider, with Kong's config."""

from __future__ import annotations

from authgate.plugins.openid_connect.plugin import OpenIDConnectPlugin
from authgate.plugins.openid_connect.schema import OpenIDConnectConfig
from authgate.plugins.openid_connect.services import OidcServices

__all__ = ["OidcServices", "OpenIDConnectConfig", "OpenIDConnectPlugin"]
