"""RFC 6749 §3.1/§3.2 request parameters: read once, never repeated, size-capped.

Parameters sent without a value are treated as omitted (§3.1); a parameter sent twice is
an ``invalid_request``. Bodies above ``MAX_FORM_BYTES`` are refused before parsing.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl

from starlette.requests import Request

from authgate.idp.protocol.oauth_errors import InvalidRequestError

__all__ = [
    "MAX_FORM_BYTES",
    "MAX_PARAM_CHARS",
    "Params",
    "has_form_body",
    "query_params",
    "read_form",
]

MAX_FORM_BYTES = 64 * 1024
MAX_PARAM_CHARS = 8 * 1024

Params = dict[str, str]


def _single(pairs: Iterable[tuple[str, str]]) -> Params:
    params: Params = {}
    for name, value in pairs:
        if name in params:
            raise InvalidRequestError(f"parameter {name} is repeated")
        if len(value) > MAX_PARAM_CHARS:
            raise InvalidRequestError(f"parameter {name} is too long")
        if value != "":
            params[name] = value
    return params


def query_params(request: Request) -> Params:
    """The query string as single-valued parameters."""
    return _single(parse_qsl(request.url.query, keep_blank_values=True))


def has_form_body(request: Request) -> bool:
    """True if the request declares an ``application/x-www-form-urlencoded`` body."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return content_type == "application/x-www-form-urlencoded"


async def read_form(request: Request) -> Params:
    """The ``application/x-www-form-urlencoded`` body as single-valued parameters."""
    if not has_form_body(request):
        raise InvalidRequestError("the body must be application/x-www-form-urlencoded")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise InvalidRequestError("the body is too large")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise InvalidRequestError("the body is too large")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequestError("the body is not UTF-8") from None
    return _single(parse_qsl(text, keep_blank_values=True))
