"""Generate the field reference of ``docs/configuration.md`` from the config models.

``python -m authgate.config.reference docs/configuration.md`` rewrites the part of the file
between the two markers; a test fails when the committed file is out of date.
"""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr
from pydantic_core import PydanticUndefined

from authgate.config.certificates import Certificate, Sni
from authgate.config.entities import Consumer, PluginEntry, Route, Service
from authgate.config.upstreams import (
    ActiveHealthcheck,
    ActiveHealthy,
    ActiveUnhealthy,
    Healthchecks,
    PassiveHealthcheck,
    PassiveHealthy,
    PassiveUnhealthy,
    Target,
    Upstream,
)

__all__ = ["BEGIN", "END", "render_reference", "replace_generated", "type_name", "update_document"]

BEGIN = "<!-- BEGIN GENERATED REFERENCE (python -m authgate.config.reference) -->"
END = "<!-- END GENERATED REFERENCE -->"

_TOP_LEVEL = (
    ("_format_version", "string", "required", 'Format of the file: "3.0" ("1.1" and "2.1" too).'),
    ("_transform", "boolean", "`true`", "Accepted for compatibility; no effect."),
    ("services", "list of [services](#services)", "`[]`", "Upstream services."),
    ("routes", "list of [routes](#routes)", "`[]`", "Top-level routes (with `service`)."),
    ("consumers", "list of [consumers](#consumers)", "`[]`", "Consumers."),
    ("plugins", "list of [plugins](#plugins)", "`[]`", "Global or scoped plugins."),
    ("upstreams", "list of [upstreams](#upstreams)", "`[]`", "Load balancers."),
    ("targets", "list of [targets](#targets)", "`[]`", "Top-level targets (with `upstream`)."),
    ("certificates", "list of [certificates](#certificates)", "`[]`", "Certificates of https."),
    ("snis", "list of [SNIs](#snis)", "`[]`", "Top-level SNIs (with `certificate`)."),
)
_NESTED: dict[type[BaseModel], tuple[tuple[str, str, str, str], ...]] = {
    Service: (
        ("routes", "list of [routes](#routes)", "`[]`", "Routes of this service."),
        ("plugins", "list of [plugins](#plugins)", "`[]`", "Plugins scoped to this service."),
    ),
    Route: (("plugins", "list of [plugins](#plugins)", "`[]`", "Plugins scoped to this route."),),
    Consumer: (
        ("plugins", "list of [plugins](#plugins)", "`[]`", "Plugins scoped to this consumer."),
    ),
    Upstream: (("targets", "list of [targets](#targets)", "`[]`", "Targets of this upstream."),),
}
_DEFAULTS = {
    (Service, "port"): "80, or 443 for https",
    (Service, "host"): "required unless `url` is set",
    (PluginEntry, "config"): "`{}`",
}
_SECTIONS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("Services", Service),
    ("Routes", Route),
    ("Consumers", Consumer),
    ("Plugins", PluginEntry),
    ("Upstreams", Upstream),
    ("Targets", Target),
    ("Certificates", Certificate),
    ("SNIs", Sni),
    ("Upstream `healthchecks`", Healthchecks),
    ("`healthchecks.active`", ActiveHealthcheck),
    ("`healthchecks.active.healthy`", ActiveHealthy),
    ("`healthchecks.active.unhealthy`", ActiveUnhealthy),
    ("`healthchecks.passive`", PassiveHealthcheck),
    ("`healthchecks.passive.healthy`", PassiveHealthy),
    ("`healthchecks.passive.unhealthy`", PassiveUnhealthy),
)


def render_reference() -> str:
    """The generated markdown: one table of fields per entity."""
    lines = ["### Top level", "", *_table(_TOP_LEVEL)]
    for title, model in _SECTIONS:
        rows = [_row(model, name) for name in model.model_fields]
        rows.extend(_NESTED.get(model, ()))
        lines += ["", f"### {title}", "", (model.__doc__ or "").strip(), "", *_table(rows)]
    return "\n".join(lines) + "\n"


def update_document(text: str) -> str:
    """``text`` with the part between :data:`BEGIN` and :data:`END` regenerated."""
    return replace_generated(text, render_reference(), BEGIN, END)


def replace_generated(text: str, generated: str, begin: str, end: str) -> str:
    """``text`` with what lies between the ``begin`` and ``end`` marker lines replaced."""
    head, found, rest = text.partition(begin)
    _, found_end, tail = rest.partition(end)
    if not found or not found_end:
        raise ValueError("the reference markers are missing")
    return f"{head}{begin}\n{generated}{end}{tail}"


def _table(rows: Any) -> list[str]:
    out = ["| field | type | default | description |", "|---|---|---|---|"]
    out += [f"| `{name}` | {kind} | {default} | {text} |" for name, kind, default, text in rows]
    return out


def _row(model: type[BaseModel], name: str) -> tuple[str, str, str, str]:
    field = model.model_fields[name]
    if name == "id":
        default = "generated"
    elif (model, name) in _DEFAULTS:
        default = _DEFAULTS[(model, name)]
    elif field.default_factory is not None:
        value = field.default_factory()  # type: ignore[call-arg]
        default = "see below" if isinstance(value, BaseModel) else f"`{json.dumps(value)}`"
    elif field.default is PydanticUndefined:
        default = "required"
    else:
        default = f"`{json.dumps(field.default)}`"
    description = (field.description or "").replace("|", "\\|")
    return name, type_name(field.annotation).replace("|", "\\|"), default, description


def type_name(annotation: Any) -> str:
    """A field's type as the reference tables write it (``list of string or null``)."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return type_name(args[0])
    if origin is Literal:
        return " | ".join(json.dumps(a) for a in args)
    if origin in (Union, types.UnionType):
        kept = [type_name(a) for a in args if a is not type(None)]
        return " | ".join(kept) + (" or null" if len(kept) < len(args) else "")
    if origin is list:
        return f"list of {type_name(args[0])}"
    if origin is dict:
        return f"map of {type_name(args[0])} to {type_name(args[1])}"
    names = {str: "string", int: "integer", bool: "boolean", float: "number", SecretStr: "secret"}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping"
    return names.get(annotation, str(annotation))


def rewrite_generated(argv: list[str], usage: str, update: Callable[[str], str]) -> int:
    """Rewrite, with ``update``, the markdown file given as the only argument (a ``main``)."""
    if len(argv) != 1:
        print(f"usage: {usage}", file=sys.stderr)
        return 2
    path = Path(argv[0])
    path.write_text(update(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


def main(argv: list[str]) -> int:
    """Rewrite the generated part of the markdown file given as the only argument."""
    usage = "python -m authgate.config.reference docs/configuration.md"
    return rewrite_generated(argv, usage, update_document)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
