"""What every endpoint needs: the store, the token store and the settings, per app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.requests import Request

from authgate.idp.protocol.settings import IdpSettings
from authgate.idp.storage.store import IdpStore
from authgate.idp.storage.token_store import TokenStore

__all__ = ["IdpContext", "context"]


@dataclass(frozen=True)
class IdpContext:
    """Shared state of one IdP app."""

    store: IdpStore
    tokens: TokenStore
    settings: IdpSettings

    def now(self) -> int:
        """Current time in epoch seconds (from the injected clock)."""
        return self.settings.now()

    def now_dt(self) -> datetime:
        """Current time as an aware UTC datetime (what the store takes)."""
        return datetime.fromtimestamp(self.settings.now(), UTC)


def context(request: Request) -> IdpContext:
    """The IdpContext of the app serving ``request``."""
    ctx: IdpContext = request.app.state.idp
    return ctx
