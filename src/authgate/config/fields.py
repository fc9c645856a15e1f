"""Shared field types for the config models: each validator raises one short, fixable message.

The gateway's entities and every plugin schema take their common types from here (``Url``,
``Port``, ``HeaderName``, ...), and the RFC 9110 token charset (:data:`TCHAR`,
:func:`is_token`) is defined here once for the config and for the code that checks names at
run time (plugin-set header fields). Imports nothing of authgate outside ``authgate.config``.
"""

from __future__ import annotations

import ipaddress
import re
import string
import uuid
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

from authgate.config.uri import is_valid_path_text, normalize_path

__all__ = [
    "TCHAR",
    "EntityName",
    "EntityRef",
    "HeaderName",
    "HeaderValues",
    "Host",
    "Method",
    "Port",
    "Retries",
    "RoutePath",
    "ServicePath",
    "Tag",
    "Timeout",
    "Url",
    "Uuid",
    "compile_header_regex",
    "compile_path_regex",
    "int_range",
    "is_token",
    "is_valid_hostname",
]

_NAME = re.compile(r"[\w.~-]+")
_LABEL = re.compile(r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?")
TCHAR = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~")
"""RFC 9110 §5.6.2 ``tchar``: the characters of a token (a method, a field name, ...)."""
# PCRE's `(?<name>` is Python's `(?P<name>`; lookbehinds `(?<=`/`(?<!` stay as they are.
_PCRE_NAMED_GROUP = re.compile(r"(?<!\\)\(\?<(?=[A-Za-z_])")


def is_token(text: str) -> bool:
    """Whether ``text`` is an RFC 9110 token: one or more :data:`TCHAR` characters."""
    return bool(text) and set(text) <= TCHAR


def _check_url(value: str) -> str:
    if not value.startswith(("http://", "https://")) or len(value) < 10:
        raise ValueError(f'"{value}" is not an http(s) URL')
    if any(c.isspace() or c == "\\" for c in value):
        raise ValueError(f'"{value}" contains whitespace or a backslash')
    return value


Url = Annotated[str, AfterValidator(_check_url)]
"""An absolute ``http://`` or ``https://`` URL, without whitespace or backslashes."""


def int_range(low: int, high: int) -> AfterValidator:
    """A validator keeping an integer between ``low`` and ``high`` (both included)."""

    def check(value: int) -> int:
        if not low <= value <= high:
            raise ValueError(f"must be between {low} and {high}")
        return value

    return AfterValidator(check)


Port = Annotated[int, int_range(1, 65535)]
Timeout = Annotated[int, int_range(1, 2_147_483_646)]
Retries = Annotated[int, int_range(0, 32_767)]


def _check_name(value: str) -> str:
    if not _NAME.fullmatch(value):
        raise ValueError(
            f'invalid name "{value}": use letters, digits, ".", "-", "_" or "~" (no spaces)'
        )
    return value


EntityName = Annotated[str, AfterValidator(_check_name)]


def _check_uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError(f'"{value}" is not a UUID; omit id to get a generated one') from None


Uuid = Annotated[str, AfterValidator(_check_uuid)]


def _check_tag(value: str) -> str:
    if not value or "," in value or "/" in value or not value.isprintable():
        raise ValueError(f'invalid tag "{value}": use printable text without "," or "/"')
    return value


Tag = Annotated[str, AfterValidator(_check_tag)]


def _ref(value: Any) -> Any:
    """Kong lets a foreign key be written ``x`` or ``{name: x}`` / ``{id: x}``."""
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get("name", value.get("id")), str):
            return value.get("name", value.get("id"))
        raise ValueError('must be a name or id, or a mapping with one key "name" or "id"')
    return value


EntityRef = Annotated[str, BeforeValidator(_ref)]


def compile_path_regex(path: str) -> re.Pattern[str]:
    """Compile a ``~`` route path (without the ``~``), accepting PCRE's ``(?<name>…)`` groups."""
    return re.compile(_PCRE_NAMED_GROUP.sub("(?P<", path))


def _check_route_path(path: str) -> str:
    if path.startswith("~"):
        if not path.startswith("~/"):
            raise ValueError('a regex path must start with "~/"')
        try:
            compile_path_regex(path[1:])
        except re.error as exc:
            raise ValueError(f"invalid regex: {exc}") from None
        return path
    if not path.startswith("/"):
        raise ValueError('must start with "/"')
    return _check_path_text(path, normalized=True)


def _check_path_text(path: str, *, normalized: bool) -> str:
    if not is_valid_path_text(path):
        raise ValueError(
            "contains characters not allowed in a URL path; percent-encode them (space as %20)"
        )
    normal = normalize_path(path)
    if "%00" in path:
        raise ValueError("%00 (NUL) is not allowed in a path")
    if normal is None:
        raise ValueError('invalid percent-encoding: "%" must be followed by two hex digits')
    if normalized and normal != path:
        raise ValueError(f'not normalized; use "{normal}" instead')
    return path


def _check_service_path(path: str) -> str:
    if not path.startswith("/"):
        raise ValueError('must start with "/"')
    return _check_path_text(path, normalized=False)


RoutePath = Annotated[str, AfterValidator(_check_route_path)]
ServicePath = Annotated[str, AfterValidator(_check_service_path)]


def is_valid_hostname(host: str) -> bool:
    """A DNS name (RFC 1123 labels, ``_`` tolerated), an IPv4 address or a bracketed IPv6 one."""
    if host.startswith("[") and host.endswith("]"):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return False
        return True
    if not host or len(host) > 253:
        return False
    return all(_LABEL.fullmatch(label) for label in host.split("."))


def _check_host(value: str) -> str:
    host = value.lower()
    bracketed = host.startswith("[")
    if (bracketed and "]:" in host) or (not bracketed and ":" in host):
        raise ValueError(f'invalid host "{value}": ports in hosts are not supported yet')
    if "*" in host:
        if host.count("*") > 1:
            raise ValueError(f'invalid wildcard host "{value}": only one "*" is allowed')
        bare = host[2:] if host.startswith("*.") else host[:-2] if host.endswith(".*") else None
        if bare is None or not is_valid_hostname(bare):
            raise ValueError(
                f'invalid wildcard host "{value}": "*" must be the whole leftmost or rightmost'
                ' label, as in "*.example.com" or "example.*"'
            )
        return host
    if not is_valid_hostname(host):
        raise ValueError(f'invalid host "{value}": use a hostname such as "api.example.com"')
    return host


Host = Annotated[str, AfterValidator(_check_host)]


def _check_method(value: str) -> str:
    if value.isalpha() and value.isascii():
        if value.isupper():
            return value
        raise ValueError(f'invalid method "{value}": use upper case, e.g. "{value.upper()}"')
    raise ValueError(f'invalid method "{value}": use an HTTP method such as "GET"')


Method = Annotated[str, AfterValidator(_check_method)]


def _check_header_name(value: str) -> str:
    name = value.lower()
    if not is_token(name):
        raise ValueError(f'invalid header name "{value}"')
    if name == "host":
        raise ValueError('match the Host header with "hosts", not "headers"')
    return name


def compile_header_regex(value: str) -> re.Pattern[str]:
    """Compile a ``~*`` header value (without the ``~*``); it matches case-insensitively."""
    return re.compile(value, re.IGNORECASE)


def _check_header_values(values: list[str]) -> list[str]:
    if not values:
        raise ValueError("give at least one value")
    if any(v.startswith("~*") for v in values):
        if len(values) > 1:
            raise ValueError('a "~*" regex must be the only value of its header')
        try:
            compile_header_regex(values[0][2:])
        except re.error as exc:
            raise ValueError(f"invalid regex: {exc}") from None
        return values
    return [v.lower() for v in values]


HeaderName = Annotated[str, AfterValidator(_check_header_name)]
HeaderValues = Annotated[list[str], AfterValidator(_check_header_values)]
