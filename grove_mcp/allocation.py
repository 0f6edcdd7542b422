"""Fewer garbage collections while reports are built; memory handed back when a server idles.

A report on a large cluster decodes and validates hundreds of thousands of small objects
(8,000 pods are about a million dicts, lists and strings). CPython's default thresholds start a
collection every 700 net allocations, and the older generations' collections walk the whole
growing heap: decoding and validating 8,000 pods took 2.2× as long as with the thresholds below.
They are raised for the whole process, once, not around each report: restoring them at a
report's end starts a full collection of the heap the report just built (0.3 s at 8,000 pods),
which the user would wait for.

With full collections rare, a long-running server (MCP, Slack) kept the memory of its last big
report: 180 MB of RSS after ``grove_list`` of 200 PodCliqueSets, 90 MB after a full
collection. So when the last report in flight ends, at most every ``IDLE_COLLECT_SECONDS``, one
runs on a thread of its own (about 40 ms on the server's own heap). A call abandoned at its
deadline still counts until its thread ends (every API request is bounded).
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

RAISED_THRESHOLDS = (50_000, 20, 100)
IDLE_COLLECT_SECONDS = 5.0

_lock = threading.Lock()
_in_flight = 0
_last_collect = 0.0


def collect_less() -> None:
    """Raise the collector's thresholds to ``RAISED_THRESHOLDS`` (never lowers them)."""
    current = gc.get_threshold()
    if current[0] < RAISED_THRESHOLDS[0]:
        gc.set_threshold(*RAISED_THRESHOLDS)


@contextmanager
def report_in_flight() -> Iterator[None]:
    """Count a report being built by a long-running process; the last one out collects (see
    the module's docstring)."""
    global _in_flight, _last_collect
    with _lock:
        _in_flight += 1
    try:
        yield
    finally:
        with _lock:
            _in_flight -= 1
            due = _in_flight == 0 and time.monotonic() - _last_collect >= IDLE_COLLECT_SECONDS
            if due:
                _last_collect = time.monotonic()
        if due:  # on its own thread: the caller has its answer without waiting for it
            threading.Thread(target=gc.collect, name="grove-gc", daemon=True).start()
