"""Plan drift: replicas, workers, TP, GPUs, backend, image or topology constraint that differ
from the stored plan (the plan diff's rows)."""

from __future__ import annotations

from ...reports.common import Severity
from ...reports.diagnose import DiagnosisFinding, Impact
from ...reports.plan_reports import Verdict
from ..base import Evidence, finding

NAME = "plan_drift"


def analyze(ev: Evidence) -> list[DiagnosisFinding]:
    drift = [r for r in ev.diff if r.verdict is Verdict.drift]
    if not drift:
        return []
    return [
        finding(
            NAME,
            "PLAN_DRIFT",
            Severity.warning,
            Impact.efficiency,
            f"The deployment differs from its plan in {len(drift)} parameter(s): "
            + ", ".join(r.label for r in drift),
            f"podcliqueset/{ev.name}",
            [f"{r.label}: planned {r.planned}, deployed {r.deployed} ({r.reason})" for r in drift],
            "The plan's performance and SLA figures hold for the planned shape only.",
            "Bring the PodCliqueSet back to the plan, or re-plan and store the new plan.",
            [ev.command("plan diff")],
        )
    ]
