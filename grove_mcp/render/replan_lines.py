"""``replan`` as plain lines per section, shared by the terminal and Markdown renderers. Pure."""

from __future__ import annotations

from ..reports.plan_reports import DiffRow
from ..reports.replan import Cited, ExpectedRow, ReplanReport


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "?"
    shown = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"
    return f"{shown} {unit}".rstrip() if unit and unit != "ratio" else shown


def cited(c: Cited) -> str:
    value = number(c.value, c.unit) if c.value is not None else ""
    return f"{c.figure} {value}".rstrip() + f"  [{c.source}: {c.detail}]"


def expected_cells(r: ExpectedRow) -> list[str]:
    sign = "≥" if r.at_least else "≤"
    target = "-" if r.target is None else f"{sign} {number(r.target, r.today.unit)}"
    meets = "-" if r.meets is None else ("yes" if r.meets else "NO")
    predicted = number(r.predicted.value, r.predicted.unit) if r.predicted else "-"
    return [
        r.metric,
        number(r.today.value, r.today.unit),
        predicted,
        number(r.expected.value, r.expected.unit),
        target,
        meets,
    ]


EXPECTED_HEADERS = [
    "METRIC",
    "TODAY (measured)",
    "AIC PREDICTS",
    "EXPECTED (calibrated)",
    "TARGET",
    "MEETS",
]
DIFF_HEADERS = ["PARAMETER", "PROPOSED", "DEPLOYED", "CHANGES"]


def diff_cells(d: DiffRow) -> list[str]:
    """One row of the proposal against what is deployed (``DIFF_HEADERS``)."""
    return [d.label, d.planned, d.deployed, d.verdict.value]


def sections(report: ReplanReport) -> list[tuple[str, list[str]]]:
    """(heading, lines) in reading order; tables are left to the renderers."""
    out: list[tuple[str, list[str]]] = []
    if report.unsteady_reasons:
        out.append(("Not steady", [f"- {r}" for r in report.unsteady_reasons]))
    if report.deployed:
        out.append(("Deployed", [report.deployed.text]))
    if report.observed:
        out.append(
            (
                "Observed"
                + (f" (window {report.window_seconds:g}s)" if report.window_seconds else ""),
                [f"- {cited(c)}" for c in report.observed],
            )
        )
    if report.drift:
        rows = [
            f"- {r.figure} {r.statistic}: planned {number(r.planned, r.unit)}, observed "
            f"{number(r.observed, r.unit)}"
            + (f" (x{r.ratio:.2f})" if r.ratio is not None else "")
            + (" DRIFTED" if r.drifted else "")
            for r in report.drift.rows
        ]
        out.append(("Traffic against the plan", [report.drift.summary, *rows]))
    if report.assumptions:
        out.append(("Kept", [f"- {cited(c)}" for c in report.assumptions]))
    if report.calibration:
        out.append(("Calibration", [f"- {r.text}" for r in report.calibration]))
    p = report.proposal
    if p:
        head = "Proposal" + (" (FORCED: not steady)" if p.forced else "")
        out.append(
            (
                head,
                [
                    p.shape.text,
                    f"why: {p.chosen_because}",
                    f"replicas: {p.replicas_from}",
                    f"p90: {p.p90_check}",
                    f"statistic: {report.statistic}",
                ],
            )
        )
    if report.not_observed:
        out.append(("Not observed", [f"- {n}" for n in report.not_observed]))
    if report.timings:
        t = report.timings
        out.append(
            (
                "Time",
                [
                    f"{t.total_s:.1f}s, of which AIConfigurator {t.aiconfigurator_s:.1f}s "
                    f"(grove-mcp {t.overhead_s:.2f}s)"
                ],
            )
        )
    return out
