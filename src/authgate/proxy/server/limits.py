"""What a listener allows a client: timeouts and head-size caps (RFC 9112 §2.3, §9.8)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ServerLimits"]


@dataclass
class ServerLimits:
    """Listener limits and timeouts (seconds)."""

    client_header_timeout: float = 60.0
    """From the first byte of a request to the end of its head (-> 408)."""
    client_body_timeout: float = 60.0
    """Between two reads of a request body (-> 408, or the connection closes)."""
    keepalive_timeout: float = 75.0
    """How long an idle keep-alive connection stays open."""
    send_timeout: float = 60.0
    """How long a client may leave our response unread before the connection is dropped."""
    max_header_bytes: int = 32 * 1024
    """Request line + headers larger than this get 431."""
    max_headers_count: int = 100
    """More header fields than this get 431."""
