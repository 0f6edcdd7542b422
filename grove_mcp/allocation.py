"""Fewer garbage collections in a process that builds reports.

A report on a large cluster decodes and validates hundreds of thousands of small objects
(8,000 pods are about a million dicts, lists and strings). CPython's default thresholds start a
collection every 700 net allocations, and the older generations' collections walk the whole
growing heap: decoding and validating 8,000 pods took 2.2× as long as with the thresholds below.
They are raised for the whole process, once, not around each report: restoring them at a
report's end starts a full collection of the heap the report just built (0.3 s at 8,000 pods),
which the user would wait for. Collections still happen, less often: a long-running MCP server
still frees whatever cycles its reports leave.
"""

from __future__ import annotations

import gc

RAISED_THRESHOLDS = (50_000, 20, 100)


def collect_less() -> None:
    """Raise the collector's thresholds to ``RAISED_THRESHOLDS`` (never lowers them)."""
    current = gc.get_threshold()
    if current[0] < RAISED_THRESHOLDS[0]:
        gc.set_threshold(*RAISED_THRESHOLDS)
