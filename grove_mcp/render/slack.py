"""Reports as Slack Block Kit messages: one layout per report, fitted into the budget the bot
relies on (``blockkit.BUDGET_*``), the whole report attached as Markdown when it does not fit.
Pure: no I/O, no slack_sdk; the bot posts ``message(report).payload()``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .slack_fit import SlackMessage, assemble
from .slack_generic import generic
from .slack_health import RENDERERS as HEALTH
from .slack_metrics import RENDERERS as METRICS
from .slack_parts import Layout
from .slack_plan import RENDERERS as PLAN
from .slack_replan import RENDERERS as REPLAN
from .slack_status import RENDERERS as STATUS
from .slack_topology import RENDERERS as TOPOLOGY

__all__ = ["SlackMessage", "layout", "message"]

LAYOUTS: dict[type, Callable[[Any], Layout]] = {
    **STATUS,
    **HEALTH,
    **TOPOLOGY,
    **METRICS,
    **PLAN,
    **REPLAN,
}


def layout(report: Any) -> Layout:
    """The report's own layout, or the generic one (its Markdown in sections)."""
    for cls in type(report).__mro__:
        if cls in LAYOUTS:
            return LAYOUTS[cls](report)
    return generic(report, _markdown(report))


def message(report: Any) -> SlackMessage:
    """``report`` as a Slack message; ``snippet`` holds its whole Markdown when it overflowed."""
    return assemble(layout(report), lambda: _markdown(report))


def _markdown(report: Any) -> str:
    from .registry import render_markdown  # the registry renders Slack through this module

    return render_markdown(report)
