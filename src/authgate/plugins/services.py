"""What a worker hands every plugin and health checker it builds: clocks and shared state.

The composition root (the worker process, or a test harness) makes one
:class:`PluginServices` and passes it to every ``Runtime.build``; a config reload builds a new
runtime with the same services, so whatever a plugin keeps in them (keys, token caches, pooled
connections) outlives the reload. Tests pass services with a fake clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["PluginServices"]

T = TypeVar("T")


class PluginServices:
    """The clocks of one worker process and the state its plugins share across reloads.

    ``clock``: epoch seconds (token expiry, cache lifetimes). ``timer``: monotonic seconds
    (health-check intervals), unaffected by wall-clock steps.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clock = clock
        self.timer = timer
        self._shared: dict[type[Any], Any] = {}

    def shared(self, kind: type[T], make: Callable[[PluginServices], T]) -> T:
        """The one ``kind`` of this worker, made by ``make(self)`` on first use.

        A plugin keeps here the state that must survive config reloads (one per class, so
        plugins never collide and the slot is typed).
        """
        found = self._shared.get(kind)
        if found is None:
            found = self._shared[kind] = make(self)
        assert isinstance(found, kind)
        return found
