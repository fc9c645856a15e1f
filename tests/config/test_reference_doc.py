"""docs/configuration.md documents exactly what the models accept."""

from __future__ import annotations

from pathlib import Path

from authgate.config import (
    Certificate,
    Consumer,
    PluginEntry,
    Route,
    Service,
    Sni,
    Target,
    Upstream,
)
from authgate.config.reference import render_reference, update_document
from authgate.config.upstreams import (
    ActiveHealthcheck,
    ActiveHealthy,
    ActiveUnhealthy,
    Healthchecks,
    PassiveHealthcheck,
    PassiveHealthy,
    PassiveUnhealthy,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_committed_reference_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert update_document(text) == text, (
        "docs/configuration.md is stale: run python -m authgate.config.reference"
        " docs/configuration.md"
    )


def test_every_field_has_a_description_and_a_row() -> None:
    reference = render_reference()
    models = (
        Service, Route, Consumer, PluginEntry, Upstream, Target, Healthchecks,
        ActiveHealthcheck, ActiveHealthy, ActiveUnhealthy,
        PassiveHealthcheck, PassiveHealthy, PassiveUnhealthy, Certificate, Sni,
    )  # fmt: skip
    for model in models:
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"
            assert f"| `{name}` |" in reference


def test_certificates_and_snis_have_their_sections() -> None:
    reference = render_reference()
    assert "### Certificates" in reference
    assert "### SNIs" in reference
    assert "| `certificates` | list of [certificates](#certificates) |" in reference
