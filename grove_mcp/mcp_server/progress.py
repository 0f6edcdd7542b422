"""Progress for slow calls: a source wrapper that reports when the cluster has answered.

``report_progress`` is a no-op unless the client asked for progress (sent a token).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from ..redact import redact_text
from ..sources.base import ListQuery, ListResult, Source

log = logging.getLogger("grove_mcp.mcp_server")
STEPS = 3


class Progress:
    """Steps of one call: 0 reading the source, 1 listed, 2 report built, 3 answer ready
    (other calls give their own ``total``: ``generate`` reports percent done)."""

    def __init__(self, ctx: Any, total: float = STEPS) -> None:
        """Create it on the event loop: worker threads post their steps back to that loop."""
        self._ctx = ctx
        self._total = total
        self._loop = asyncio.get_running_loop()
        self._pending: set[asyncio.Task[None]] = set()

    async def step(self, done: float, message: str) -> None:
        try:  # a source's description may carry a credential (a bundle's label, a path)
            await self._ctx.report_progress(done, self._total, redact_text(message))
        except Exception:  # progress is best-effort: never fail a call over it
            log.debug("progress notification not delivered", exc_info=True)

    async def settle(self) -> None:
        """Deliver what worker threads posted before the call goes on: steps stay in order and
        no task is left behind when the call (or the loop) ends."""
        await asyncio.sleep(0)  # run the callbacks call_soon_threadsafe queued
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    def step_from_thread(self, done: float, message: str) -> None:
        """Post a step from a worker thread without waiting for it.

        Never blocks: a worker abandoned after a timeout must not wait on an event loop that
        may already be closed (that kept the interpreter from exiting).
        """

        def schedule() -> None:
            step = self.step(done, message)
            try:
                task = self._loop.create_task(step)
            except RuntimeError:  # the loop is closing: drop the step, never leave it unawaited
                step.close()
                return
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

        try:
            self._loop.call_soon_threadsafe(schedule)
        except RuntimeError:  # the loop is closed: the call is over, nobody is listening
            log.debug("progress after the call ended: dropped")


class Increasing:
    """Steps posted from worker threads as increasing progress out of 100 (MCP wants every
    notification to increase): a step that would not increase moves it on by 0.1 (a heartbeat
    of the same step, later)."""

    def __init__(self, progress: Progress, ceiling: float = 100.0) -> None:
        """``ceiling``: below 100 when the caller sends a last step of its own."""
        self._progress = progress
        self._ceiling = ceiling
        self._last = 0.0  # step 0 is sent before the work starts

    def step(self, value: float, message: str) -> None:
        value = min(max(round(value, 1), self._last + 0.1), self._ceiling)
        if value <= self._last:
            return
        self._last = value
        self._progress.step_from_thread(value, message)


class ProgressSource:
    """A ``Source`` that reports progress after each batch of LISTs; otherwise the same."""

    def __init__(self, inner: Source, progress: Progress) -> None:
        self._inner = inner
        self._progress = progress

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @property
    def description(self) -> str:
        return self._inner.description

    @property
    def default_namespace(self) -> str:
        return self._inner.default_namespace

    def list_many(self, queries: Sequence[ListQuery]) -> list[ListResult]:
        results = self._inner.list_many(queries)
        objects = sum(len(r.items) for r in results)
        self._progress.step_from_thread(1, f"Listed {objects} objects in {len(results)} queries")
        return results
