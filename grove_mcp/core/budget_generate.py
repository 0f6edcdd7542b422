"""A ``generate`` report fitted to a size budget: manifests are what make it large.

The generic budget (``budget.py``) cuts lists; a generate report has two short lists and two
manifests of 3-8 KB each. So, when the text or the structured content is over budget, whole
manifests are left out — the plan not recommended first — and the answer's ``truncated`` names
them and how to get them (the front end says how: for MCP ``mode=``, served from the tool's
cache without a second run).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field, create_model

from ..reports.common import ReportModel
from ..reports.generate import GenerateReport
from .budget import Fitted, clip, json_size, text_size

Mode = Literal["disagg", "agg"]
# A generate answer's bound: one plan's manifest (PodCliqueSet, ServiceAccount, RBAC and Service,
# 9-17 KB) with its report must fit, so it is larger than the reports' default.
GENERATE_BUDGET_BYTES = 32 * 1024


class ManifestsLeftOut(ReportModel):
    """Present only when manifests were left out to fit the response budget."""

    budget_bytes: int = Field(description="The size bound of the text and of this JSON.")
    left_out: list[Mode] = Field(
        description="Plans whose `manifest` is empty in this answer (their plan is complete)."
    )
    how_to_get: str = Field(description="How to get the manifests left out.")


GenerateAnswer = create_model(
    "GenerateReport",
    __base__=GenerateReport,
    __doc__=GenerateReport.__doc__,
    truncated=(
        ManifestsLeftOut | None,
        Field(
            default=None,
            description="Only present when manifests were left out to fit the response budget: "
            "which, and how to get them.",
        ),
    ),
)


def only_mode(report: GenerateReport, mode: Mode | None) -> GenerateReport:
    """The report with only ``mode``'s plan (None: both)."""
    if mode is None:
        return report
    return report.model_copy(update={"plans": [p for p in report.plans if p.mode == mode]})


def _drop_order(report: GenerateReport) -> list[Mode]:
    """Manifests to leave out first: plans not recommended, then the recommended one."""
    modes = [p.mode for p in report.plans]
    return sorted(modes, key=lambda m: m == report.recommended)


def _without(report: GenerateReport, modes: list[Mode]) -> GenerateReport:
    plans = [p.model_copy(update={"manifest": ""}) if p.mode in modes else p for p in report.plans]
    return report.model_copy(update={"plans": plans})


def fit_generate(
    report: GenerateReport,
    budget: int,
    render: Callable[[BaseModel], str],
    how_to_get: Callable[[list[Mode]], str],
) -> Fitted:
    """The answer with as many manifests as fit in ``budget`` bytes (text and JSON each);
    ``how_to_get`` says how to ask for the ones left out."""
    left_out: list[Mode] = []
    for mode in [None, *_drop_order(report)]:
        if mode is not None:
            left_out.append(mode)
        shown = _without(report, left_out)
        text = render(shown)
        data = shown.model_dump(mode="json")
        truncation = None
        if left_out:
            truncation = ManifestsLeftOut(
                budget_bytes=budget,
                left_out=left_out,
                how_to_get=how_to_get(left_out),
            )
            data["truncated"] = truncation.model_dump(mode="json")
            text = (
                f"> Manifests left out to fit {budget // 1024} KB: {truncation.how_to_get}\n\n"
                + (text)
            )
        if text_size(text) <= budget and json_size(data) <= budget:
            break
    return Fitted(clip(text, budget), data, None)
