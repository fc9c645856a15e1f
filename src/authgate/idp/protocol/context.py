"""What every endpoint needs: the store (with its one clock) and the settings, per app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from starlette.requests import Request

from authgate.idp.protocol.settings import IdpSettings
from authgate.idp.storage.store import IdpStore

__all__ = ["IdpContext", "context"]


@dataclass(frozen=True)
class IdpContext:
    """Shared state of one IdP app."""

    store: IdpStore
    settings: IdpSettings

    def now(self) -> int:
        """Current time in whole epoch seconds, from the store's clock (RFC 7519 §2)."""
        return self.store.clock.seconds()

    def now_dt(self) -> datetime:
        """:meth:`now` as an aware UTC datetime (what the store takes)."""
        return self.store.clock.this_second()


def context(request: Request) -> IdpContext:
    """The IdpContext of the app serving ``request``."""
    ctx: IdpContext = request.app.state.idp
    return ctx
