"""Turn pydantic's validation errors into short config issues with full key paths."""

from __future__ import annotations

import difflib
from collections.abc import Collection

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from authgate.config.issues import ConfigIssue, join_path

__all__ = ["issues_from_validation_error", "unknown_field_message"]

_MESSAGES = {
    "missing": "required",
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "none_required": "must be null",
    "url_parsing": "must be a URL",
}


def issues_from_validation_error(
    error: ValidationError, base: str, known_fields: Collection[str] = ()
) -> list[ConfigIssue]:
    """One issue per pydantic error, located under ``base`` (e.g. ``services[0]``)."""
    issues = []
    for detail in error.errors(include_url=False):
        loc = [part for part in detail["loc"] if part != "[key]"]
        message = _message(detail, known_fields if len(loc) == 1 else ())
        issues.append(ConfigIssue(join_path(base, loc), message))
    return issues


def unknown_field_message(field: str, known_fields: Collection[str]) -> str:
    """``unknown field``, with the closest known field name when there is a near miss."""
    close = difflib.get_close_matches(field, list(known_fields), n=1, cutoff=0.6)
    return f'unknown field (did you mean "{close[0]}"?)' if close else "unknown field"


def _message(detail: ErrorDetails, known_fields: Collection[str]) -> str:
    kind = detail["type"]
    ctx = detail.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", detail["msg"]))
    if kind == "extra_forbidden":
        return unknown_field_message(str(detail["loc"][-1]) if detail["loc"] else "", known_fields)
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", '"')
        return f"must be {expected}"
    if kind in ("too_short", "string_too_short"):
        return "must not be empty"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return _bound_message(kind, ctx)
    fixed = _MESSAGES.get(kind)
    if fixed is not None:
        return fixed
    msg = detail["msg"]
    return msg[:1].lower() + msg[1:]


def _bound_message(kind: str, ctx: dict[str, object]) -> str:
    words = {
        "greater_than_equal": ("ge", "at least"),
        "less_than_equal": ("le", "at most"),
        "greater_than": ("gt", "greater than"),
        "less_than": ("lt", "less than"),
    }
    key, phrase = words[kind]
    return f"must be {phrase} {ctx.get(key)}"
