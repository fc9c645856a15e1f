"""Untrusted JSON that must be an object (a request body, a session, an error response)."""

from __future__ import annotations

from typing import Any

import orjson

__all__ = ["loads_object"]


def loads_object(raw: bytes | str) -> dict[str, Any] | None:
    """``raw`` parsed as a JSON object; None when it is not JSON or not an object."""
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return document if isinstance(document, dict) else None
