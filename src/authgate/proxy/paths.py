"""Request and upstream paths: RFC 3986 §6.2.2 normalization and Kong's upstream path rules."""

from __future__ import annotations

from authgate.config.uri import normalize_path

__all__ = ["normalize_path", "upstream_path"]


def upstream_path(
    service_path: str | None,
    request_path: str,
    matched_prefix: str | None,
    strip_path: bool,
    path_handling: str,
) -> str:
    """The path sent upstream, as Kong builds it (``kong/router/utils.lua``, traditional.lua).

    ``request_path`` is the normalized request path, ``matched_prefix`` the part of it the
    route's path matched (None when the route has no paths). ``path_handling`` "v1" joins
    the service path and the rest as strings; "v0" (the default) keeps a ``/`` between them
    and keeps the request's trailing slash.
    """
    base = service_path or "/"
    if matched_prefix is None:
        postfix = request_path[1:]
    else:
        postfix = _sanitize_postfix(request_path[len(matched_prefix) :])
    if path_handling == "v1":
        if not strip_path:
            return base + request_path[1:]
        if base[-1] == "/" and postfix[:1] == "/":
            return base[:-1] + postfix
        return base + postfix
    return _v0(base, postfix, request_path, strip_path)


def _v0(base: str, postfix: str, request_path: str, strip_path: bool) -> str:
    if base[-1] == "/":
        if not strip_path:
            return base + request_path[1:]
        if not postfix:
            if base == "/" or request_path[-1] == "/":
                return base
            return base[:-1]
        if postfix[0] == "/":
            return base[:-1] + postfix
        return base + postfix
    if not strip_path:
        return base if request_path == "/" else base + request_path
    if not postfix:
        return base + "/" if len(request_path) > 1 and request_path[-1] == "/" else base
    if postfix[0] == "/":
        return base + postfix
    return base + "/" + postfix


def _sanitize_postfix(postfix: str) -> str:
    """Kong drops a leading ``.``/``..`` segment left after stripping (``/bar../x`` -> ``x``)."""
    if postfix in (".", ".."):
        return ""
    if postfix.startswith("./"):
        return postfix[2:]
    if postfix.startswith("../"):
        return postfix[3:]
    return postfix
