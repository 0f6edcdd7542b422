"""Scheduling: pods pending with the scheduler's reason, the scheduler's view contradicting free
capacity (quota, KAI queue), pods gated behind their base gang or another's gate."""

from __future__ import annotations

from ...reports.diagnose import DiagnosisFinding, Impact
from ..base import Evidence, from_report
from ._health_codes import health_issues

NAME = "scheduling"
EXPLAIN = {
    "POD_UNSCHEDULABLE": "A pending pod serves nothing, and a gang below minAvailable is not "
    "admitted at all: its capacity is missing from serving.",
    "PODS_UNSCHEDULED": "Pods that were never scheduled leave their gang short of capacity.",
    "SCHEDULER_DISAGREES": "The scheduler refuses pods the cluster's free GPUs would fit: "
    "something caps the workload (a quota, a KAI queue, a reservation), not the hardware.",
    "POD_GATED": "Gated pods wait for their PodGang or base gang; they serve nothing until the "
    "gate is lifted.",
    "POD_GATED_FOREIGN": "A scheduling gate that is not Grove's holds pods; Grove will not lift it.",
    "PODGANG_MIGRATION": "Grove is migrating the gang's PodGang; its pods wait meanwhile.",
}
CODES = frozenset(EXPLAIN)


def analyze(ev: Evidence) -> list[DiagnosisFinding]:
    return [
        from_report(NAME, f, Impact.blocks_serving, EXPLAIN[f.code], [ev.command("health")])
        for f in health_issues(ev, CODES)
    ]
