"""Latency against the SLA, by role (compare's rules, on the same window): TTFT over the SLA with
prefill queueing or saturation, TPOT/ITL over it with decode saturation, a role underutilized
while another is saturated, one pod overloaded. Without a plan: saturated roles, said as such."""

from __future__ import annotations

from ...performance.rules import LATENCY_RULES, Facts
from ...reports.common import Severity
from ...reports.diagnose import DiagnosisFinding, Impact
from ...reports.metrics import Verdict
from ..base import Evidence, finding

NAME = "latency"
EFFICIENCY = {"THROUGHPUT_BELOW_PLAN"}


def analyze(ev: Evidence) -> list[DiagnosisFinding]:
    m = ev.metrics
    if m is None:
        return []
    if ev.plan is None:
        return [
            finding(
                NAME,
                "ROLE_SATURATED",
                Severity.warning,
                Impact.breaks_sla,
                f"Role {r.role} is saturated",
                f"role/{r.role}",
                [r.verdict_reason, f"{r.pods_read} of {r.pods} pods read"],
                "A saturated role queues requests: latency grows with the queue.",
                f"Add {r.role} workers, or store the plan to judge against its SLA.",
                [ev.command("metrics")],
            )
            for r in m.roles
            if r.verdict is Verdict.saturated
        ]
    facts = Facts(ev.name, ev.namespace, ev.plan, m, ev.topology, list(ev.diff))
    out = []
    for rule in LATENCY_RULES:
        for d, action in rule(facts):
            impact = Impact.efficiency if d.code in EFFICIENCY else Impact.breaks_sla
            out.append(
                finding(
                    NAME,
                    d.code,
                    d.severity,
                    impact,
                    d.text,
                    f"podcliqueset/{ev.name}",
                    d.evidence,
                    "Measured over the metrics window against the plan's SLA (compare's rules).",
                    action.action if action else "No action: see the evidence.",
                    action.commands if action else [],
                    action.expected_effect if action else None,
                )
            )
    return out
