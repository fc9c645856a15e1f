"""RFC 6265 cookies as the gateway reads and writes them: parsing, Set-Cookie, chunking.

Browsers keep at most about 4096 bytes per cookie, so a long value is split over ``name``,
``name2`` … ``name9`` (lua-resty-session's scheme) and the first chunk says how many there
are; an oversized cookie is never silently dropped into a login loop (envoy#27875).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "CHUNK_BYTES",
    "MAX_CHUNKS",
    "CookieJar",
    "CookieSettings",
    "SameSite",
    "chunk_names",
    "parse_cookie_header",
    "strip_cookies",
]

MAX_CHUNKS = 9
# Room for the name and attributes inside the 4096 bytes a browser stores per cookie.
CHUNK_BYTES = 3800
MAX_COOKIE_HEADER_PAIRS = 200

SameSite = Literal["Strict", "Lax", "None", "Default"]


def parse_cookie_header(values: Iterable[str]) -> dict[str, str]:
    """Every ``name=value`` of the Cookie header(s); the first of a repeated name wins."""
    cookies: dict[str, str] = {}
    count = 0
    for header in values:
        for part in header.split(";"):
            count += 1
            if count > MAX_COOKIE_HEADER_PAIRS:
                return cookies
            name, sep, value = part.strip().partition("=")
            if not sep or not name:
                continue
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            cookies.setdefault(name, value)
    return cookies


def strip_cookies(values: Iterable[str], drop: Iterable[str], prefixes: Iterable[str]) -> list[str]:
    """The Cookie header values without the named cookies (or names with ``prefixes``)."""
    names, starts = set(drop), tuple(prefixes)
    kept = []
    for header in values:
        parts = [
            p.strip()
            for p in header.split(";")
            if p.strip()
            and (name := p.strip().partition("=")[0]) not in names
            and not (starts and name.startswith(starts))
        ]
        if parts:
            kept.append("; ".join(parts))
    return kept


def chunk_names(name: str) -> list[str]:
    """``name``, ``name2`` … ``name9``."""
    return [name] + [f"{name}{index}" for index in range(2, MAX_CHUNKS + 1)]


@dataclass(frozen=True, slots=True)
class CookieSettings:
    """Name and attributes of one cookie (``secure`` None: Secure on https requests)."""

    name: str
    path: str = "/"
    domain: str | None = None
    secure: bool | None = None
    http_only: bool = True
    same_site: SameSite = "Lax"

    def header(self, name: str, value: str, https: bool, max_age: int | None = None) -> str:
        """A Set-Cookie value for ``name`` (this cookie or one of its chunks)."""
        parts = [f"{name}={value}", f"Path={self.path}"]
        if self.domain:
            parts.append(f"Domain={self.domain}")
        if max_age is not None:
            parts.append(f"Max-Age={max_age}")
            if max_age == 0:
                parts.append("Expires=Thu, 01 Jan 1970 00:00:00 GMT")
        if self.secure or (self.secure is None and https):
            parts.append("Secure")
        if self.http_only:
            parts.append("HttpOnly")
        if self.same_site != "Default":
            parts.append(f"SameSite={self.same_site}")
        return "; ".join(parts)


@dataclass
class CookieJar:
    """One request's cookies and the Set-Cookie headers its response will carry.

    At most one Set-Cookie per cookie name: a later one for the same name replaces the
    earlier (RFC 6265 §5.3: the browser would keep only the last anyway), so a session that
    is cleared twice while one request is handled still sends one clearing header.
    """

    cookies: Mapping[str, str]
    https: bool
    set_cookies: list[str] = field(default_factory=list)

    def put(self, settings: CookieSettings, name: str, value: str, max_age: int | None) -> None:
        """Add the Set-Cookie of ``name``, replacing one this jar already holds."""
        prefix = name + "="
        kept = [header for header in self.set_cookies if not header.startswith(prefix)]
        kept.append(settings.header(name, value, self.https, max_age))
        self.set_cookies[:] = kept

    def write(self, settings: CookieSettings, value: str, max_age: int | None = None) -> None:
        """Set ``settings.name`` to ``value``, chunked; stale chunks are deleted."""
        parts = [value[i : i + CHUNK_BYTES] for i in range(0, len(value), CHUNK_BYTES)] or [""]
        if len(parts) > MAX_CHUNKS:
            raise ValueError(f"cookie {settings.name} would need {len(parts)} chunks")
        names = chunk_names(settings.name)
        if len(parts) > 1:
            parts[0] = f"{len(parts)}.{parts[0]}"
        for name, part in zip(names, parts, strict=False):
            self.put(settings, name, part, max_age)
        for name in names[len(parts) :]:
            if name in self.cookies:
                self.put(settings, name, "", 0)

    def read(self, name: str) -> str | None:
        """The value of ``name`` reassembled from its chunks; None if absent or incomplete."""
        first = self.cookies.get(name)
        if not first:
            return None
        count_text, dot, rest = first.partition(".")
        if not dot or not count_text.isdigit():
            return first
        count = int(count_text)
        if not 2 <= count <= MAX_CHUNKS:
            return None
        parts = [rest]
        for chunk in chunk_names(name)[1:count]:
            part = self.cookies.get(chunk)
            if not part:
                return None
            parts.append(part)
        return "".join(parts)

    def delete(self, settings: CookieSettings, name: str | None = None) -> None:
        """Expire ``name`` (default: the cookie and every chunk the request carried)."""
        if name is not None:
            self.put(settings, name, "", 0)
            return
        for chunk in chunk_names(settings.name):
            if chunk in self.cookies:
                self.put(settings, chunk, "", 0)
