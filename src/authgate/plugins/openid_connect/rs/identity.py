"""What the credential search returns (:class:`Identity`) and reads (:class:`Request`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from authgate.plugins.base import Headers
from authgate.plugins.openid_connect.rs.bearer import Found

__all__ = ["Identity", "Request"]


@dataclass(slots=True)
class Identity:
    """A successful authentication."""

    method: str
    claims: dict[str, Any]
    found: Found
    access_token: str | None = field(default=None, repr=False)
    id_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    introspection: dict[str, Any] | None = None
    userinfo: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Request:
    """The request pieces credentials are read from."""

    headers: Headers
    query: Mapping[str, list[str]]
    body: Mapping[str, list[str]] | None
