"""Read a plugin schema's problems the way a user sees them: ``(path, message)`` pairs."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from authgate.config.translate import issues_from_validation_error


def problems(model: type[BaseModel], data: object) -> list[tuple[str, str]]:
    """Every problem of ``data`` as ``config.<field>`` paths, in the order reported."""
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return [tuple(issue) for issue in issues_from_validation_error(info.value, "config")]
