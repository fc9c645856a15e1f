"""Helpers for authgate's own tests and for plugin authors: real processes on loopback."""

from __future__ import annotations

from authgate.testing.processes import ServerProcess, free_port, wait_for_port
from authgate.testing.services import require_service

__all__ = ["ServerProcess", "free_port", "require_service", "wait_for_port"]
