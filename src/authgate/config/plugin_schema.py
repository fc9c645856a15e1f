"""The base of plugin config models: every problem of a plugin's config, found in one pass.

Like Kong's schema validation (``kong/db/schema/init.lua``: ``validate_fields``, then
``run_entity_checks``, which skips a check whose fields have errors), a config is checked in
one go: names first (a Kong field authgate lacks, an old Kong name, an unknown name with a
"did you mean"), then every field, then every cross-field rule whose fields are all valid.
A config with three mistakes reports three problems, not the first of them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any, ClassVar, NamedTuple, Self, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    ModelWrapValidatorHandler,
    ValidationError,
    ValidationInfo,
    create_model,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError
from pydantic_core.core_schema import ErrorType

from authgate.config.translate import unknown_field_message

__all__ = ["PluginSchema", "Problem", "kong_only_message"]

_KNOWN_ERROR_TYPES = frozenset(get_args(ErrorType))
_LENIENT = "authgate.lenient"  # validation context key: validate fields only


class Problem(NamedTuple):
    """A cross-field problem: the ``fields`` its rule reads (reported at the first) and why."""

    fields: tuple[str, ...]
    message: str


class PluginSchema(BaseModel):
    """Config model of a plugin: Kong's field names, unknown keys refused, rules in one pass.

    Subclasses list the Kong fields they lack in :attr:`kong_only` (with Kong's default: a
    field at its default loads, so Kong configs that spell defaults out still load), Kong's
    old field names in :attr:`old_names`, and their cross-field rules in
    :meth:`cross_field_problems`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kong_only: ClassVar[Mapping[str, object]] = {}
    """Kong fields authgate does not implement yet -> Kong's default."""
    old_names: ClassVar[Mapping[str, str | None]] = {}
    """Names Kong still accepts for compatibility -> the current name (None: no effect)."""

    def cross_field_problems(self) -> list[Problem]:
        """The broken cross-field rules; every field a rule reads is listed in its problem."""
        return []

    @model_validator(mode="wrap")
    @classmethod
    def _every_problem(
        cls, data: Any, handler: ModelWrapValidatorHandler[Self], info: ValidationInfo
    ) -> Self:
        if not isinstance(data, dict) or _LENIENT in (info.context or {}):
            return handler(data)
        errors = _name_errors(cls, data)
        fields = {key: value for key, value in data.items() if key in cls.model_fields}
        model: Self | None = None
        try:
            model = handler(fields)
        except ValidationError as exc:
            found = exc.errors(include_url=False)
            errors += [_again(detail) for detail in found]
            invalid = {str(detail["loc"][0]) for detail in found if detail["loc"]}
            errors += _rule_errors(_lenient_problems(cls, fields, invalid), invalid)
        else:
            errors += _rule_errors(model.cross_field_problems(), set())
        if model is not None and not errors:
            return model
        # In the order of the keys as written; rules about keys left out come last.
        order = {key: index for index, key in enumerate(data)}
        errors.sort(key=lambda error: order.get(_field_of(error), len(order)))
        raise ValidationError.from_exception_data(cls.__name__, errors) from None


def kong_only_message(default: object) -> str:
    """What a Kong field authgate lacks says when it is set to something else than ``default``."""
    if default is None:
        return "Kong field, not supported by authgate yet; remove it"
    if isinstance(default, Mapping):
        return "Kong field, not supported by authgate yet; remove it or leave Kong's defaults"
    return (
        "Kong field, not supported by authgate yet; remove it or leave Kong's default"
        f" {json.dumps(default)}"
    )


def _name_errors(cls: type[PluginSchema], data: dict[Any, Any]) -> list[InitErrorDetails]:
    """Problems of the keys themselves: Kong fields authgate lacks, old and unknown names."""
    known = [*cls.model_fields, *cls.kong_only]
    errors = []
    for key, value in data.items():
        name = str(key)
        if name in cls.model_fields:
            continue
        if name in cls.kong_only:
            errors += _kong_only_errors((name,), value, cls.kong_only[name])
        elif name in cls.old_names:
            errors.append(_error((name,), value, _old_name_message(cls.old_names[name])))
        else:
            errors.append(_error((name,), value, unknown_field_message(name, known)))
    return errors


def _kong_only_errors(
    loc: tuple[str, ...], value: object, default: object
) -> list[InitErrorDetails]:
    """Nothing when ``value`` is Kong's ``default``; a record is checked key by key."""
    if value is None or value == default:
        return []
    if isinstance(default, Mapping) and isinstance(value, Mapping):
        errors = []
        for key, item in value.items():
            if key in default:
                errors += _kong_only_errors((*loc, str(key)), item, default[key])
            else:
                message = unknown_field_message(str(key), list(default))
                errors.append(_error((*loc, str(key)), item, message))
        return errors
    # Kong's array and record fields with no default also accept an empty one.
    if default is None and value in ([], {}):
        return []
    return [_error(loc, value, kong_only_message(default))]


def _old_name_message(current: str | None) -> str:
    if current is None:
        return "old Kong field, without effect since Kong 3.2; remove it"
    return f"old Kong name (renamed in Kong 3.2); write {current}"


def _field_of(error: InitErrorDetails) -> str:
    loc = error["loc"]
    return str(loc[0]) if loc else ""


@functools.cache
def _lenient_model(cls: type[PluginSchema]) -> type[PluginSchema]:
    """``cls`` with its required fields optional: the rules can run when one is invalid."""
    optional: dict[str, Any] = {}
    for name, field in cls.model_fields.items():
        if field.is_required():
            annotation: Any = field.annotation
            optional[name] = (annotation | None, None)
    return create_model(f"Lenient{cls.__name__}", __base__=cls, **optional)


def _lenient_problems(
    cls: type[PluginSchema], fields: dict[str, Any], invalid: set[str]
) -> list[Problem]:
    """The rule problems of the valid fields (none when they do not validate on their own)."""
    valid = {key: value for key, value in fields.items() if key not in invalid}
    try:
        model = _lenient_model(cls).model_validate(valid, context={_LENIENT: True})
    except ValidationError:
        return []
    return model.cross_field_problems()


def _rule_errors(problems: list[Problem], invalid: set[str]) -> list[InitErrorDetails]:
    return [
        _error(problem.fields[:1], None, problem.message)
        for problem in problems
        if invalid.isdisjoint(problem.fields)
    ]


def _error(loc: tuple[str, ...], value: object, message: str) -> InitErrorDetails:
    return {"type": "value_error", "loc": loc, "input": value, "ctx": {"error": message}}


def _again(detail: ErrorDetails) -> InitErrorDetails:
    """A pydantic error as it can be raised again."""
    kind = detail["type"]
    error: InitErrorDetails = {
        "type": kind if kind in _KNOWN_ERROR_TYPES else PydanticCustomError(kind, detail["msg"]),
        "loc": detail["loc"],
        "input": detail["input"],
    }
    if "ctx" in detail and kind in _KNOWN_ERROR_TYPES:
        error["ctx"] = detail["ctx"]
    return error
