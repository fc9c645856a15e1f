"""Runtime settings of the IdP's HTTP side: public URL, issuer per pool, lifetimes.

The time comes from the store's clock (:class:`authgate.idp.domain.clock.Clock`), not from here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

__all__ = ["IdpSettings"]


@dataclass(frozen=True)
class IdpSettings:
    """How the IdP presents itself.

    ``public_url`` is the base URL clients and browsers use (no trailing slash); each
    pool's issuer is ``{public_url}/{pool_id}`` so discovery, ``iss`` and the URL an RP
    fetched agree (OIDC Discovery §4.3).
    """

    public_url: str = "http://127.0.0.1:9000"
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    code_ttl: int = 300
    session_ttl: int = 3600
    challenge_ttl: int = 180
    password_grant: bool = True
    introspection: bool = True
    purge_interval: float = 600.0
    """Seconds between purges of expired codes, sessions and refresh tokens; 0 purges only
    at start."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "public_url", self.public_url.rstrip("/"))
        if self.purge_interval < 0:
            raise ValueError("purge_interval must be 0 (off) or a number of seconds")

    def issuer(self, pool_id: str) -> str:
        """The issuer URL of ``pool_id``."""
        return f"{self.public_url}/{pool_id}"

    @property
    def secure_cookies(self) -> bool:
        """Cookies get ``Secure`` when browsers reach us over https."""
        return self.public_url.startswith("https://")
