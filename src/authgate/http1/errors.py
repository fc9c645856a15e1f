"""Why a request to a server failed, as the client side of :mod:`authgate.http1` reports it."""

from __future__ import annotations

__all__ = ["UNREACHABLE_KINDS", "UpstreamError"]

# Failures that mean "the server could not be reached", as opposed to "it answered badly".
UNREACHABLE_KINDS = frozenset({"connect", "timeout", "tls", "reset"})


class UpstreamError(Exception):
    """Talking to the upstream (the server this client sent a request to) failed.

    ``kind`` is one of ``connect``, ``timeout``, ``tls``, ``reset``, ``invalid_response``
    and ``too_large`` (what the proxy's access record reports); ``status`` is the status
    a gateway answers with for it (502, or 504 for a timeout).
    """

    def __init__(self, kind: str, status: int, detail: str = "") -> None:
        super().__init__(detail or kind)
        self.kind = kind
        self.status = status
        self.response_started = False

    @property
    def unreachable(self) -> bool:
        """The server could not be reached (down, timing out, TLS refused, reset)."""
        return self.kind in UNREACHABLE_KINDS
