"""Generate ``docs/openid-connect-fields.md``: every Kong field of the plugin, from the schema.

``python -m authgate.plugins.openid_connect.field_reference docs/openid-connect-fields.md``
rewrites the part of the file between the two markers, the way ``docs/configuration.md`` is
generated (:mod:`authgate.config.reference`); a test fails when the committed file is stale.
The schema is the single source, as in Kong: supported fields with their type, default and
description, Kong's fields authgate lacks with the Kong default they load at, old names.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping

from pydantic_core import PydanticUndefined

from authgate.config.reference import replace_generated, rewrite_generated, type_name
from authgate.plugins.openid_connect.schema import OpenIDConnectConfig
from authgate.plugins.openid_connect.unsupported import OLD_NAMES, UNSUPPORTED_FIELDS

__all__ = ["BEGIN", "END", "render_fields", "update_document"]

BEGIN = (
    "<!-- BEGIN GENERATED FIELDS (python -m authgate.plugins.openid_connect.field_reference) -->"
)
END = "<!-- END GENERATED FIELDS -->"


def render_fields() -> str:
    """The generated markdown: supported fields, Kong fields not yet supported, old names."""
    supported = sorted(OpenIDConnectConfig.model_fields)
    lines = ["### Supported fields", "", f"{len(supported)} fields.", ""]
    lines += ["| field | type | default | description |", "|---|---|---|---|"]
    lines += [_supported_row(name) for name in supported]
    lines += ["", "### Kong fields not supported yet", ""]
    lines += [
        f"{len(UNSUPPORTED_FIELDS)} fields. Each one loads at Kong's default (so Kong configs"
        " and deck dumps that spell defaults out still load); any other value is refused"
        ' with "Kong field, not supported by authgate yet".',
        "",
        "| field | Kong default, the only value accepted |",
        "|---|---|",
    ]
    lines += [f"| `{name}` | {_kong_default(name)} |" for name in sorted(UNSUPPORTED_FIELDS)]
    lines += ["", "### Old Kong names", ""]
    lines += ["Kong 3.x still accepts these Kong 2.x names; authgate asks for the current one.", ""]
    lines += ["| old name | write instead |", "|---|---|"]
    lines += [
        f"| `{old}` | {f'`{new}`' if new else 'nothing: no effect since Kong 3.2'} |"
        for old, new in sorted(OLD_NAMES.items())
    ]
    return "\n".join(lines) + "\n"


def update_document(text: str) -> str:
    """``text`` with the part between :data:`BEGIN` and :data:`END` regenerated."""
    return replace_generated(text, render_fields(), BEGIN, END)


def _supported_row(name: str) -> str:
    field = OpenIDConnectConfig.model_fields[name]
    if field.default is PydanticUndefined and field.default_factory is None:
        default = "required"
    else:
        value = field.get_default(call_default_factory=True)
        default = f"`{json.dumps(value)}`"
    description = (field.description or "").replace("|", "\\|")
    kind = type_name(field.annotation).replace("|", "\\|")
    return f"| `{name}` | {kind} | {default} | {description} |"


def _kong_default(name: str) -> str:
    default = UNSUPPORTED_FIELDS[name]
    if isinstance(default, Mapping):
        return "a record whose keys are all at Kong's defaults"
    return f"`{json.dumps(default)}`"


def main(argv: list[str]) -> int:
    """Rewrite the generated part of the markdown file given as the only argument."""
    usage = (
        "python -m authgate.plugins.openid_connect.field_reference docs/openid-connect-fields.md"
    )
    return rewrite_generated(argv, usage, update_document)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
