"""The pool that runs the lazy listeners, able to say when all submitted work is done (the demo
and the tests wait on it instead of sleeping)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class TrackingExecutor(ThreadPoolExecutor):
    def __init__(self, max_workers: int = 8, max_waiting: int = 32) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="grove-slack")
        self.max_in_flight = max_workers + max_waiting
        self._busy = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self._busy += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future[Any]) -> None:
        with self._idle:
            self._busy -= 1
            self._idle.notify_all()

    @property
    def full(self) -> bool:
        """Whether as much work is running and waiting as the bot takes on."""
        with self._idle:
            return self._busy >= self.max_in_flight

    def wait_idle(self, timeout: float = 60.0) -> None:
        """Return once no submitted work is running; TimeoutError after ``timeout`` s."""
        with self._idle:
            if not self._idle.wait_for(lambda: self._busy == 0, timeout=timeout):
                raise TimeoutError(f"grove-slack still had {self._busy} job(s) after {timeout:g}s")
