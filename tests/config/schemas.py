"""Plugin config models for config tests: real pydantic models, as a plugin would declare them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class TerminationConfig(BaseModel):
    """Shaped like the request-termination plugin's config."""

    model_config = ConfigDict(extra="forbid", strict=True)

    status_code: int = Field(default=503, ge=100, le=599)
    message: str | None = None


class SecretConfig(BaseModel):
    """A plugin with a required secret, to exercise vault references."""

    model_config = ConfigDict(extra="forbid", strict=True)

    client_secret: str


SCHEMAS: dict[str, type[BaseModel]] = {
    "request-termination": TerminationConfig,
    "needs-secret": SecretConfig,
}
