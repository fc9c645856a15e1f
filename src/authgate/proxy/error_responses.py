"""Responses the gateway produces itself: Kong-style JSON ``{"message", "request_id"}`` bodies."""

from __future__ import annotations

from http import HTTPStatus

import orjson

__all__ = [
    "BAD_GATEWAY",
    "GATEWAY_TIMEOUT",
    "NO_ROUTE",
    "error_body",
    "reason_phrase",
]

NO_ROUTE = "no Route matched with those values"
BAD_GATEWAY = "An invalid response was received from the upstream server"
GATEWAY_TIMEOUT = "The upstream server is timing out"

_MESSAGES = {
    400: "Bad request",
    404: "Not found",
    408: "Request timeout",
    413: "Request Entity Too Large",
    431: "Request header fields too large",
    500: "An unexpected error occurred",
    502: BAD_GATEWAY,
    503: "Service unavailable",
    504: GATEWAY_TIMEOUT,
    505: "HTTP version not supported",
}

_REASONS = {status.value: status.phrase for status in HTTPStatus}


def reason_phrase(status: int) -> str:
    """The standard reason phrase of ``status`` (empty when unknown)."""
    return _REASONS.get(status, "")


def default_message(status: int) -> str:
    """The message the gateway uses for ``status`` when it has nothing more specific."""
    return _MESSAGES.get(status) or reason_phrase(status) or "Error"


def error_body(status: int, request_id: str, message: str | None = None) -> bytes:
    """The JSON body of a gateway-produced error."""
    return orjson.dumps({"message": message or default_message(status), "request_id": request_id})
