"""Placement: gangs split over more topology domains than needed (their TP and prefill↔decode
traffic leaves the fast domain), with the topology report's consolidation advice. It weighs as
an SLA cause when a latency SLA is missed, as efficiency otherwise."""

from __future__ import annotations

from ...reports.diagnose import DiagnosisFinding, Impact
from ..base import Evidence, from_report

NAME = "placement"
EXPLAIN = {
    "GANG_SPLIT": "A split gang's tensor-parallel and prefill↔decode (KV-cache) traffic crosses "
    "slower links than the plan assumed (placement score 1.0), which adds latency.",
    "NO_PACK_CONSTRAINT": "Without a pack constraint the scheduler may split gangs again.",
    "CONSTRAINT_NOT_ENFORCED": "Grove reports that it cannot enforce the topology constraint: "
    "the scheduler does not pack by it.",
    "LEGACY_PACK_DOMAIN": "The pack domain is written in a form newer Grove no longer reads.",
}


def analyze(ev: Evidence) -> list[DiagnosisFinding]:
    impact = Impact.breaks_sla if ev.sla_missed else Impact.efficiency
    out = []
    recs = {r.gang: r for r in ev.topology.recommendations}
    for w in ev.topology.warnings:
        if w.code not in EXPLAIN:
            continue
        gang = w.subject.split("/", 1)[-1]
        rec = recs.get(gang)
        commands = [ev.command("topology"), *(rec.commands if rec else [])]
        f = from_report(NAME, w, impact if w.code == "GANG_SPLIT" else Impact.efficiency,
                        EXPLAIN[w.code], commands)  # fmt: skip
        if rec is not None:
            after = f"{rec.score_after:.2f}" if rec.score_after is not None else "?"
            f = f.model_copy(
                update={
                    "remediation": rec.explanation,
                    "expected_effect": f"derived placement score {rec.score_before:.2f} → {after}",
                }
            )
        out.append(f)
    return out
