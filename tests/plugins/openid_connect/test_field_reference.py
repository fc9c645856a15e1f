"""docs/openid-connect-fields.md documents every Kong field, generated from the schema."""

from __future__ import annotations

from pathlib import Path

from authgate.plugins.openid_connect.field_reference import render_fields, update_document
from authgate.plugins.openid_connect.schema import OpenIDConnectConfig

from .test_schema import EXTENSIONS, KONG_FIELDS

DOCS = Path(__file__).resolve().parents[3] / "docs"
DOC = DOCS / "openid-connect-fields.md"


def test_committed_field_reference_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert update_document(text) == text, (
        "docs/openid-connect-fields.md is stale: run python -m"
        " authgate.plugins.openid_connect.field_reference docs/openid-connect-fields.md"
    )


def test_every_supported_field_has_a_one_line_description() -> None:
    for name, field in OpenIDConnectConfig.model_fields.items():
        assert field.description, f"{name} has no description"
        assert "\n" not in field.description, name
        own = field.description.startswith("authgate:")
        assert own == (name in EXTENSIONS), name


def test_every_kong_field_has_a_row() -> None:
    reference = render_fields()
    missing = [name for name in KONG_FIELDS if f"| `{name}` |" not in reference]
    assert missing == []


def test_the_reference_is_linked_from_the_plugin_guide_and_the_readme() -> None:
    assert "(openid-connect-fields.md)" in (DOCS / "openid-connect.md").read_text()
    assert "(docs/openid-connect-fields.md)" in (DOCS.parent / "README.md").read_text()
