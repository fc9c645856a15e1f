"""Configurations the lifecycle tests load, reload and break."""

from __future__ import annotations

from collections.abc import Callable

from authgate.testing.gateway import Gateway

GatewayFactory = Callable[..., Gateway]


def bar_config(echo_port: int, extra_route: str | None = None) -> str:
    """The workshop config: route /bar (and optionally one more path) to the echo upstream."""
    text = (
        '_format_version: "3.0"\n'
        "services:\n"
        f"  - name: echo\n    url: http://127.0.0.1:{echo_port}\n"
        "    routes:\n      - name: bar\n        paths: [/bar]\n"
    )
    if extra_route:
        text += f"      - name: extra\n        paths: [{extra_route}]\n"
    return text
