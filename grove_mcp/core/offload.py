"""Run a blocking core call off the event loop, within a deadline.

For the async front ends (the MCP server, the Slack bot, the TUI): the core does blocking I/O,
so it runs in a worker thread; the caller waits at most ``timeout`` seconds. A call that runs
past it is abandoned (its thread finishes on its own, every API request being bounded) and the
caller gets ``on_timeout()``'s error, which says what to do. ``cancel`` is set once the caller
stops waiting — answered, timed out, or cancelled (the MCP client went away or sent
``notifications/cancelled``) — so that work which watches it (a metrics window, the
AIConfigurator child) stops at its next step instead of running on unseen. A long-running front end hands
memory back when its last call ends (``allocation.report_in_flight``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

from ..allocation import report_in_flight
from ..errors import GroveError

T = TypeVar("T")


async def run_off_loop(
    call: Callable[[], T],
    *,
    timeout: float,
    on_timeout: Callable[[], GroveError],
    cancel: threading.Event | None = None,
) -> T:
    """``call()`` in a worker thread; raises ``on_timeout()`` after ``timeout`` seconds; sets
    ``cancel`` when it returns or raises, cancellation included."""

    def work() -> T:
        with report_in_flight():
            return call()

    try:
        with anyio.fail_after(timeout):
            return await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
    except TimeoutError:
        raise on_timeout() from None
    finally:
        if cancel is not None:
            cancel.set()
