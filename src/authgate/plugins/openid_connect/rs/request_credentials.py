"""RFC 6750 §2.2 credentials in the request body, and ``hide_credentials`` for every source.

Kong's ``body`` param type reads ``application/x-www-form-urlencoded`` and JSON bodies. The
body is read only on routes whose enabled methods look there, and at most
``MAX_BODY_BYTES`` of it: a larger body (or another media type) is not searched and goes
upstream untouched. ``hide_credentials`` removes exactly the argument, form field, JSON
member, cookie or header the credential came from; everything else is passed on byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote_plus

import orjson

from authgate.json_object import loads_object
from authgate.plugins.base import FORM_MEDIA_TYPE, RequestBodyError, RequestContext

__all__ = [
    "MAX_BODY_BYTES",
    "BodyParams",
    "hide_credential",
    "read_body_params",
    "without_args",
]

MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class BodyParams:
    """The string fields of a form or JSON body, and what is needed to rewrite it."""

    kind: Literal["form", "json"]
    params: dict[str, list[str]]
    raw: bytes = field(repr=False)
    document: dict[str, Any] | None = field(default=None, repr=False)


def _media_type(ctx: RequestContext) -> str:
    content_type = ctx.headers.get("content-type") or ""
    return content_type.partition(";")[0].strip(" \t").lower()


def _is_json(media: str) -> bool:
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


async def read_body_params(ctx: RequestContext) -> BodyParams | None:
    """The body's fields when it is a form or a JSON object within the size cap, else None."""
    media = _media_type(ctx)
    try:
        if media == FORM_MEDIA_TYPE:
            form = await ctx.read_form(MAX_BODY_BYTES)
            raw = await ctx.read_body(MAX_BODY_BYTES)
            return BodyParams("form", form or {}, raw)
        if not _is_json(media):
            return None
        raw = await ctx.read_body(MAX_BODY_BYTES)
    except RequestBodyError:  # too large or too many fields: not searched, forwarded whole
        return None
    document = loads_object(raw)
    if document is None:
        return None
    params = {k: [v] for k, v in document.items() if isinstance(v, str)}
    return BodyParams("json", params, raw, document)


def without_args(raw: str, names: set[str]) -> str:
    """``raw`` (``a=1&b=2``) minus the arguments named ``names``; the rest kept verbatim."""
    kept = [
        part
        for part in raw.split("&")
        if part and unquote_plus(part.partition("=")[0]) not in names
    ]
    return "&".join(kept)


def _without_cookie(ctx: RequestContext, name: str) -> None:
    kept = []
    for header in ctx.headers.get_all("cookie"):
        parts = [p for p in header.split(";") if p.strip().partition("=")[0] != name]
        if any(p.strip() for p in parts):
            kept.append(";".join(parts).strip())
    ctx.headers.remove("cookie")
    for value in kept:
        ctx.headers.add("cookie", value)


def _without_body_fields(ctx: RequestContext, body: BodyParams, names: set[str]) -> None:
    if body.kind == "form":
        ctx.set_body(without_args(body.raw.decode("latin-1"), names).encode("latin-1"))
    elif body.document is not None:
        kept = {k: v for k, v in body.document.items() if k not in names}
        ctx.set_body(orjson.dumps(kept))


def hide_credential(ctx: RequestContext, source: str, body: BodyParams | None) -> None:
    """Remove the credential from where it was found (``header:<name>``, ``query:<a>,<b>``…)."""
    kind, _, spec = source.partition(":")
    if kind == "header":
        ctx.headers.remove(spec)
    elif kind == "query":
        ctx.query = without_args(ctx.query, set(spec.split(",")))
    elif kind == "body" and body is not None:
        _without_body_fields(ctx, body, set(spec.split(",")))
    elif kind == "cookie":
        _without_cookie(ctx, spec)
