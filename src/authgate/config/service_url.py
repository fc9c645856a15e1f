"""The ``url`` shorthand of a service: ``http://host:port/path`` sets four fields at once."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from authgate.config.issues import ConfigIssue
from authgate.config.uri import is_valid_path_text, normalize_path

__all__ = ["expand_url"]

_EXPANDED = ("protocol", "host", "port", "path")
# Stands in for the host of an invalid url so the rest of the service is still checked.
_PLACEHOLDER_HOST = "invalid.invalid"


def expand_url(data: dict[Any, Any], path: str) -> list[ConfigIssue]:
    """Replace ``data["url"]`` by protocol/host/port/path in place; the problems found."""
    url = data.get("url")
    if url is None:
        if "host" in data:
            return []
        data["host"] = _PLACEHOLDER_HOST
        return [ConfigIssue(f"{path}.host", "required; set url or host")]
    where = f"{path}.url"
    if not isinstance(url, str):
        data.pop("url")
        data.setdefault("host", _PLACEHOLDER_HOST)
        return [ConfigIssue(where, "must be a string")]
    if any(key in data for key in _EXPANDED):
        data.setdefault("host", _PLACEHOLDER_HOST)
        return [ConfigIssue(where, "set either url or protocol/host/port/path, not both")]
    fields, problem = _parse(url)
    if problem is not None:
        data["host"] = _PLACEHOLDER_HOST
        return [ConfigIssue(where, problem)]
    data.update(fields)
    return []


def _parse(url: str) -> tuple[dict[str, Any], str | None]:
    hint = "use http://host[:port][/path]"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        if "out of range" in str(exc):
            return {}, "the port must be between 1 and 65535"
        return {}, f"invalid url {url!r}; {hint}"
    if parts.scheme not in ("http", "https"):
        if parts.scheme in ("grpc", "grpcs", "tcp", "tls", "udp", "ws", "wss", "tls_passthrough"):
            return {}, f'"{parts.scheme}" is not supported by authgate yet; use http or https'
        return {}, f"invalid url {url!r}; {hint}"
    if not parts.hostname:
        return {}, f"invalid url {url!r}: no host; {hint}"
    if parts.username is not None or parts.password is not None:
        return {}, "credentials in the url are not supported; remove user:password@"
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        return {}, "remove the query string and fragment from the url"
    if port == 0:
        return {}, "the port must be between 1 and 65535"
    fields: dict[str, Any] = {
        "protocol": parts.scheme,
        "host": parts.hostname,
        "port": port if port is not None else (443 if parts.scheme == "https" else 80),
    }
    if parts.path:
        if not is_valid_path_text(parts.path) or normalize_path(parts.path) is None:
            return {}, "invalid path in the url; percent-encode special characters"
        fields["path"] = parts.path
    return fields, None
