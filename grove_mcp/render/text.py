"""Terminal rendering: any report → a rich renderable, chosen by report type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from rich.console import RenderableType

from ..reports.generate import GenerateReport
from ..reports.health import HealthList, HealthReport
from ..reports.listing import WorkloadList
from ..reports.plan_reports import (
    PlanDiffReport,
    PlanHistoryReport,
    PlanShowReport,
    PlanStoreReport,
)
from ..reports.status import StatusList, StatusReport
from ..reports.topology import TopologyList, TopologyReport
from .text_generate import render_generate
from .text_health import render_health, render_health_list
from .text_plan import render_plan_diff, render_plan_history, render_plan_show, render_plan_store
from .text_status import render_list, render_status, render_status_list
from .text_topology import render_topology, render_topology_list

RENDERERS: dict[type[BaseModel], Callable[..., RenderableType]] = {
    StatusReport: render_status,
    StatusList: render_status_list,
    HealthReport: render_health,
    HealthList: render_health_list,
    TopologyReport: render_topology,
    TopologyList: render_topology_list,
    WorkloadList: render_list,
    PlanShowReport: render_plan_show,
    PlanHistoryReport: render_plan_history,
    PlanDiffReport: render_plan_diff,
    PlanStoreReport: render_plan_store,
    GenerateReport: render_generate,
}


def render_text(report: Any, fancy: bool = True) -> RenderableType:
    """The terminal view of a report; ``fancy`` adds emoji headings (colour is the console's)."""
    try:
        renderer = RENDERERS[type(report)]
    except KeyError:
        raise TypeError(f"no text renderer for {type(report).__name__}") from None
    return renderer(report, fancy)
