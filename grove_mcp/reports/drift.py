"""Traffic drift: the traffic a deployment serves against the traffic its plan assumed
(issue 18, step 2). Shared by ``diagnose`` and ``replan``."""

from __future__ import annotations

from pydantic import Field

from .common import ReportModel


class DriftRow(ReportModel):
    """One observed statistic against the plan's assumption."""

    figure: str = Field(description='What is compared: "ISL", "OSL" or "request rate".')
    statistic: str = Field(description='The observed statistic: "mean", "p50" or "p90".')
    planned: float = Field(
        description="The plan's assumption: inputs.isl / inputs.osl, tokens; or the request "
        "rate the plan predicted (expected.requests_per_second), req/s."
    )
    observed: float | None = Field(description="Measured over the window; null when not observed.")
    ratio: float | None = Field(description="observed / planned; null when not observed.")
    unit: str = Field(description="Unit of planned and observed.")
    drifted: bool = Field(
        description="The ratio crossed a drift threshold (only mean and p50 are judged; p90 "
        "is shown for the tail)."
    )
    note: str = Field(default="", description="What the row rests on.")


class TrafficDrift(ReportModel):
    """The traffic served against the plan's assumptions."""

    drifted: bool = Field(description="Some row drifted: the plan does not describe this traffic.")
    summary: str = Field(
        description='One line, e.g. "the plan assumed ISL 2,000; the deployment serves p50 '
        '9,100 (×4.55)".'
    )
    rows: list[DriftRow] = Field(description="ISL, OSL, then request rate; mean, p50, p90.")
    thresholds: list[str] = Field(description="The drift rules applied, with their thresholds.")
