"""The body of ``POST /config``: every form in which Kong takes a declarative configuration.

Kong's ``hydrate_config_from_request`` (``kong/api/routes/config.lua``) takes, in order:

1. a JSON declarative document itself (the body parses to an object with ``_format_version``);
2. the ``config`` parameter: a form field (``curl -F config=@kong.yml``, urlencoded
   ``config=…``) or a key of a JSON object (``{"config": "<yaml text>"}``);
3. otherwise the raw body, which is what ``curl --data-binary @kong.yaml`` sends — labelled
   ``application/x-www-form-urlencoded`` by curl, so a label alone does not make a form.

Kong hands a urlencoded body to its form parser whatever it holds, so a YAML file with
``&config=`` in a URL would be read as a form. Here a urlencoded body is a form only when it
parses strictly and holds nothing but the parameters ``/config`` knows (``config``,
``check_hash``, ``flatten_errors``); anything else is the file itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl

import orjson
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import Message, Scope

__all__ = [
    "MAX_CONFIG_BYTES",
    "ConfigBody",
    "ConfigBodyError",
    "read_config_body",
    "truthy",
]

MAX_CONFIG_BYTES = 16 << 20
_PARAMETERS = frozenset({"config", "check_hash", "flatten_errors"})
_NOT_UTF8 = "configuration must be UTF-8 encoded YAML or JSON"
_EMPTY = "empty body: send a declarative configuration (YAML or JSON)"


class ConfigBodyError(Exception):
    """A body that holds no usable configuration; ``status`` is the answer's status code."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ConfigBody:
    """The configuration text of one ``POST /config`` and the options sent with it."""

    def __init__(self, text: str, options: Mapping[str, str]) -> None:
        self.text = text
        self.options = options


def truthy(value: str | None) -> bool:
    """Kong's ``truthy()`` for ``flatten_errors``: true, 1, on, yes (any case)."""
    return value is not None and value.lower() in {"true", "1", "on", "yes"}


async def read_config_body(request: Request) -> ConfigBody:
    """The configuration in ``request``, in any of Kong's forms; raises :class:`ConfigBodyError`."""
    body = await _bounded_body(request)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    options = dict(request.query_params)
    if content_type == "multipart/form-data":
        text = await _multipart_config(request.scope, body)
    else:
        text = _decode(body)
        if content_type == "application/x-www-form-urlencoded":
            form = _strict_form(text)
            if form is not None:
                options = {**form, **options}
                text = form["config"]
        elif content_type == "application/json":
            text = _json_config(text)
    if not text.strip():
        raise ConfigBodyError(400, _EMPTY)
    return ConfigBody(text, options)


async def _bounded_body(request: Request) -> bytes:
    too_large = ConfigBodyError(413, f"configuration larger than {MAX_CONFIG_BYTES} bytes")
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_CONFIG_BYTES):
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_CONFIG_BYTES:
            raise too_large
    return bytes(body)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigBodyError(400, _NOT_UTF8) from None


def _strict_form(text: str) -> dict[str, str] | None:
    """``text`` as ``/config``'s form parameters, or None when it is not such a form."""
    try:
        pairs = parse_qsl(text, strict_parsing=True, errors="strict")
    except (ValueError, UnicodeDecodeError):
        return None
    form = dict(pairs)
    if "config" not in form or not set(form) <= _PARAMETERS or len(pairs) != len(form):
        return None
    return form


def _json_config(text: str) -> str:
    """The configuration in a JSON body: the document itself, or its ``config`` key."""
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        return text  # the loader says what is wrong with it
    if not isinstance(document, dict) or "_format_version" in document:
        return text
    config = document.get("config")
    if isinstance(config, str):
        return config
    if isinstance(config, dict):
        return orjson.dumps(config).decode()
    return text


async def _multipart_config(scope: Scope, body: bytes) -> str:
    async def replay() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        async with Request(scope, replay).form(
            max_files=1, max_fields=8, max_part_size=MAX_CONFIG_BYTES
        ) as form:
            value = form.get("config")
            raw = await value.read() if isinstance(value, UploadFile) else value
    except HTTPException as exc:
        raise ConfigBodyError(400, f"unreadable form: {exc.detail}") from None
    if raw is None:
        raise ConfigBodyError(400, "form field 'config' is required")
    return raw if isinstance(raw, str) else _decode(raw)
