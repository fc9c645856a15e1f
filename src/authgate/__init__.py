"""authgate: an API gateway with OpenID Connect built in and an embedded identity provider."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
