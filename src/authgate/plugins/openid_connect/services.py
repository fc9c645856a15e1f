"""The plugin's state in a worker: the IdP HTTP client, the clock, providers and caches.

Plugin instances are rebuilt on every config reload; this state is not: it is the
worker's :class:`~authgate.plugins.services.PluginServices` slot for this plugin
(:meth:`OidcServices.of`), so warm keys and caches survive reloads and every route that names
the same issuer shares one provider. Tests hand the runtime services with a fake clock.
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
from authgate.plugins.services import PluginServices

__all__ = ["ObtainedTokens", "OidcServices"]


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

    @classmethod
    def of(cls, services: PluginServices) -> OidcServices:
        """The worker's one instance (on the worker's clock), made on first use."""
        return services.shared(cls, lambda shared: cls(clock=shared.clock))

    def provider(self, settings: ProviderSettings) -> Provider:
        """The provider for ``settings`` (created on first use)."""
        provider = self.providers.get(settings)
        if provider is None:
            provider = self.providers[settings] = Provider(settings, self.client, self.clock)
        return provider
