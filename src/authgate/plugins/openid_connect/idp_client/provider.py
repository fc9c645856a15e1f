"""One OpenID Provider as the gateway sees it: cached discovery metadata and JWKS.

OIDC Discovery §4 and RFC 7517, with the refresh rules of research/rp.md §0.2: the first use
fetches (once, however many requests arrive together); an unknown ``kid`` triggers one
single-flight rediscovery, at most once per ``rediscovery_lifetime``; when the IdP is down
the last good metadata and keys keep working and the failure is logged once, not per request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from authgate.plugins.openid_connect.errors import IdpUnavailableError
from authgate.plugins.openid_connect.idp_client.discovery import (
    Metadata,
    discovery_url,
    parse_metadata,
)
from authgate.plugins.openid_connect.idp_client.http_client import IdpHttpClient, OutboundError
from authgate.plugins.openid_connect.idp_client.jwks import Jwk, KeySet, parse_jwks

__all__ = ["Provider", "ProviderSettings"]

logger = logging.getLogger("authgate.openid_connect")


@dataclass(frozen=True, slots=True)
class ProviderSettings:
    """What identifies a provider's caches (routes with equal settings share them)."""

    issuer: str
    jwks_endpoint: str | None
    extra_jwks_uris: tuple[str, ...]
    rediscovery_lifetime: float
    timeout: float
    ssl_verify: bool


class _Loaded:
    __slots__ = ("keys", "metadata")

    def __init__(self, metadata: Metadata, keys: KeySet) -> None:
        self.metadata = metadata
        self.keys = keys


class Provider:
    """Discovery and keys of one issuer, fetched through the plugin's HTTP client."""

    def __init__(
        self, settings: ProviderSettings, client: IdpHttpClient, clock: Callable[[], float]
    ) -> None:
        self.settings = settings
        self._client = client
        self._clock = clock
        self._loaded: _Loaded | None = None
        self._last_attempt: float | None = None
        self._inflight: asyncio.Task[_Loaded] | None = None
        self._failing = False
        self.fetches = 0

    def current_metadata(self) -> Metadata | None:
        """The metadata already fetched (no I/O), else None."""
        loaded = self._loaded
        return loaded.metadata if loaded is not None else None

    async def metadata(self) -> Metadata:
        """The provider metadata (fetched on first use); 503 if never fetched successfully."""
        return (await self._current()).metadata

    async def keys_for(self, kid: str | None) -> Sequence[Jwk]:
        """Keys for ``kid``; an unknown kid may trigger one rediscovery (see module doc)."""
        loaded = await self._current()
        found = loaded.keys.find(kid)
        if found:
            return found
        if not self._cooldown_over():
            return ()
        loaded = await self._refresh()
        return loaded.keys.find(kid)

    def _cooldown_over(self) -> bool:
        last = self._last_attempt
        return last is None or self._clock() - last >= self.settings.rediscovery_lifetime

    async def _current(self) -> _Loaded:
        if self._loaded is not None:
            return self._loaded
        if self._inflight is None and not self._cooldown_over():
            raise IdpUnavailableError("identity provider unavailable")
        return await self._refresh()

    async def _refresh(self) -> _Loaded:
        """Single flight: concurrent callers share one fetch."""
        task = self._inflight
        if task is None:
            self._last_attempt = self._clock()
            task = self._inflight = asyncio.get_running_loop().create_task(self._fetch())
            task.add_done_callback(self._finished)
        try:
            return await asyncio.shield(task)
        except (OutboundError, ValueError) as exc:
            self._report_failure(exc)
            if self._loaded is not None:
                return self._loaded
            raise IdpUnavailableError("identity provider unavailable") from None

    def _finished(self, task: asyncio.Task[_Loaded]) -> None:
        self._inflight = None
        if not task.cancelled() and task.exception() is None:
            self._loaded = task.result()
            if self._failing:
                self._failing = False
                logger.warning("identity provider %s reachable again", self.settings.issuer)

    def _report_failure(self, exc: Exception) -> None:
        if not self._failing:
            self._failing = True
            logger.error(
                "identity provider %s: discovery/JWKS fetch failed (%s); keeping %s",
                self.settings.issuer,
                exc,
                "the last good keys" if self._loaded is not None else "no keys",
            )

    async def _fetch(self) -> _Loaded:
        self.fetches += 1
        settings = self.settings
        url = discovery_url(settings.issuer)
        metadata = parse_metadata(await self._get_json(url, "discovery"), settings.issuer)
        jwks_uri = settings.jwks_endpoint or metadata.jwks_uri
        if jwks_uri is None:
            raise ValueError("discovery document has no jwks_uri")
        keys = KeySet(parse_jwks(await self._get_json(jwks_uri, "jwks")))
        for extra in settings.extra_jwks_uris:
            keys = keys.with_keys(parse_jwks(await self._get_json(extra, "extra jwks")))
        return _Loaded(metadata, keys)

    async def _get_json(self, url: str, what: str) -> object:
        response = await self._client.request(
            "GET",
            url,
            headers={"Accept": "application/json"},
            timeout=self.settings.timeout,
            verify=self.settings.ssl_verify,
        )
        if response.status != 200:
            raise OutboundError(f"{what} endpoint {url} answered {response.status}")
        try:
            return response.json()
        except OutboundError as exc:
            raise OutboundError(f"{what} endpoint {url}: {exc}") from None
