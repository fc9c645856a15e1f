"""Helpers to write bad configs tersely and read back their issues."""

from __future__ import annotations

import textwrap

import pytest

from authgate.config import ConfigError, load_config_text

from .schemas import SCHEMAS

HEAD = '_format_version: "3.0"\n'
SVC = HEAD + "services:\n  - name: s\n    url: http://127.0.0.1:8080\n"


def route(body: str) -> str:
    """A config with one nested route whose keys are ``body`` (YAML flow mapping content)."""
    return SVC + f"    routes:\n      - {{{body}}}\n"


def issues_of(text: str, environ: dict[str, str] | None = None) -> list[tuple[str, str]]:
    with pytest.raises(ConfigError) as info:
        load_config_text(textwrap.dedent(text), SCHEMAS, source="kong.yaml", environ=environ or {})
    return [tuple(issue) for issue in info.value.issues]
