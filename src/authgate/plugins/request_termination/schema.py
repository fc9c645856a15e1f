"""Config of ``request-termination``: Kong's field names, defaults and cross-field rules.

Kong 3.x OSS ``kong/plugins/request-termination/schema.lua``: the same six fields
(authgate lacks none of them) and the same three rules.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field, field_validator

from authgate.config.fields import is_token
from authgate.config.plugin_schema import PluginSchema, Problem

__all__ = ["RequestTerminationConfig"]


class RequestTerminationConfig(PluginSchema):
    """Settings of the request-termination plugin."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    status_code: int = Field(
        default=503, ge=100, le=599, description="Status code of the response, 100 to 599."
    )
    message: str | None = Field(
        default=None,
        description='Message of the default JSON body `{"message": …}`; not with body.',
    )
    content_type: str | None = Field(
        default=None, description="Content-Type of `body`; needs `body`."
    )
    body: str | None = Field(default=None, description="Raw response body; not with `message`.")
    echo: bool = Field(
        default=False,
        description="Answer with a JSON description of the request (for debugging).",
    )
    trigger: str | None = Field(
        default=None,
        description=(
            "Header or query argument name; when set, the plugin only terminates requests"
            " that carry it."
        ),
    )

    @field_validator("trigger")
    @classmethod
    def _header_name(cls, value: str | None) -> str | None:
        if value is not None and not is_token(value):
            raise ValueError(f'invalid header name "{value}"')
        return value

    def cross_field_problems(self) -> list[Problem]:
        """Kong's ``custom_validator`` rules, all of them reported (Kong stops at the first)."""
        problems = []
        if self.message is not None and (self.content_type is not None or self.body is not None):
            problems.append(
                Problem(
                    ("message", "content_type", "body"), "cannot be used with content_type or body"
                )
            )
        if self.content_type is not None and self.body is None:
            problems.append(Problem(("content_type", "body"), "requires a body"))
        if self.echo and (self.content_type is not None or self.body is not None):
            problems.append(
                Problem(
                    ("echo", "content_type", "body"), "cannot be used with content_type or body"
                )
            )
        return problems
