"""Process-wide state of the plugin: the IdP HTTP client, the clock, providers and caches.

Plugin instances are rebuilt on every config reload; this state is not, so warm keys and
caches survive reloads and every route that names the same issuer shares one provider.
Tests pass their own :class:`OidcServices` (with a fake clock) to the plugin.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from authgate.plugins.openid_connect.idp_client.grant_cache import GrantCache, ObtainedTokens
from authgate.plugins.openid_connect.idp_client.http_client import IdpHttpClient
from authgate.plugins.openid_connect.idp_client.provider import Provider, ProviderSettings
from authgate.plugins.openid_connect.idp_client.refresh import Refresher
from authgate.plugins.openid_connect.idp_client.token_cache import TokenCache

__all__ = ["ObtainedTokens", "OidcServices", "default_services"]


@dataclass
class OidcServices:
    """Everything shared by the plugin instances of one worker process."""

    client: IdpHttpClient = field(default_factory=IdpHttpClient)
    clock: Callable[[], float] = time.time
    providers: dict[ProviderSettings, Provider] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.verified: TokenCache[dict[str, Any]] = TokenCache(self.clock)
        self.introspected: TokenCache[dict[str, Any]] = TokenCache(self.clock)
        self.userinfo: TokenCache[dict[str, Any]] = TokenCache(self.clock)
        self.obtained = GrantCache(self.clock)
        self.refresher = Refresher(self.clock)

    def provider(self, settings: ProviderSettings) -> Provider:
        """The provider for ``settings`` (created on first use)."""
        provider = self.providers.get(settings)
        if provider is None:
            provider = self.providers[settings] = Provider(settings, self.client, self.clock)
        return provider


_default: OidcServices | None = None


def default_services() -> OidcServices:
    """The services of this process (created on first use)."""
    global _default
    if _default is None:
        _default = OidcServices()
    return _default
