"""Signing keys and their rotation timeline (OIDC Core §10.1.1: publish before use, keep after).

A pool has separate RS256 keys for ID and access tokens (Cognito does the same, so the
two ``kid``s differ). Rotation adds a key that is *published* at once but only becomes
*active* after a publish delay, so relying parties that cache the JWKS learn it before
the first token signed with it. The key it replaces stays published until every token it
signed has expired, then it is retired and deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from joserfc.jwk import RSAKey

from authgate.idp.domain.records import KeyState

__all__ = [
    "DEFAULT_PUBLISH_DELAY",
    "KEY_RETENTION",
    "RSA_KEY_BITS",
    "KeyTimeline",
    "generate_private_jwk",
    "key_timelines",
]

RSA_KEY_BITS = 2048
DEFAULT_PUBLISH_DELAY = timedelta(minutes=5)
# The longest ID/access token lifetime Cognito allows (1 day), plus clock-skew slack.
KEY_RETENTION = timedelta(days=1, minutes=5)


def generate_private_jwk() -> tuple[str, dict[str, Any]]:
    """A fresh RSA-2048 private JWK and its ``kid`` (the RFC 7638 SHA-256 thumbprint)."""
    key = RSAKey.generate_key(RSA_KEY_BITS, private=True)
    kid = key.thumbprint()
    jwk = dict(key.as_dict(private=True))
    jwk.update({"kid": kid, "use": "sig", "alg": "RS256"})
    return kid, jwk


@dataclass(frozen=True, slots=True)
class KeyTimeline:
    """Where one key stands at ``now``."""

    state: KeyState
    superseded_at: datetime | None  # when its successor becomes active
    published_until: datetime | None  # when it leaves the JWKS


def key_timelines(
    activations: Sequence[datetime], now: datetime, retention: timedelta = KEY_RETENTION
) -> list[KeyTimeline]:
    """The state of each key of one use, given activation times in ascending order."""
    result: list[KeyTimeline] = []
    for index, activates_at in enumerate(activations):
        successor = activations[index + 1] if index + 1 < len(activations) else None
        until = successor + retention if successor is not None else None
        if activates_at > now:
            state = KeyState.PENDING
        elif successor is None or successor > now:
            state = KeyState.ACTIVE
        elif until is not None and now < until:
            state = KeyState.RETIRING
        else:
            state = KeyState.RETIRED
        result.append(KeyTimeline(state, successor, until))
    return result
