"""Helpers for authgate's own tests and for plugin authors: real processes and sockets on loopback.

Kits: :mod:`.raw_upstream` (a scriptable upstream), :mod:`.raw_client` (exact bytes on a
socket), :mod:`.in_process` (a gateway in the test's event loop), :mod:`.serve_worker`, certs,
processes. The top layer: may import any of authgate; nothing in src imports it.
"""

from __future__ import annotations

from authgate.testing.processes import ServerProcess, free_port, wait_for_port
from authgate.testing.services import require_service

__all__ = ["ServerProcess", "free_port", "require_service", "wait_for_port"]
