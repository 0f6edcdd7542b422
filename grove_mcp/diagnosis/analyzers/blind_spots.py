"""Blind spots: what could not be checked — metrics not read (no port, RBAC, engine metrics
switched off, not scraped at all), no plan to judge against, a scheduler that reports no
placement, unreadable kinds — each with what it blinds us to and how to fix it."""

from __future__ import annotations

from ...reports.common import Severity
from ...reports.diagnose import DiagnosisFinding, Impact
from ..base import Evidence, finding, from_report
from ._health_codes import health_issues

NAME = "blind_spots"
HEALTH_CODES = frozenset({"NODES_UNREADABLE", "GPU_USAGE_UNKNOWN", "TOPOLOGY_LABEL_MISSING"})


def metrics_blind_spots(ev: Evidence) -> list[DiagnosisFinding]:
    m = ev.metrics
    if m is None:
        return [
            finding(
                NAME,
                "METRICS_NOT_CHECKED",
                Severity.info,
                Impact.blind_spot,
                "Metrics were not read",
                f"podcliqueset/{ev.name}",
                [ev.metrics_why_not or "not asked"],
                "Without metrics, latency, queues and saturation cannot be judged: only "
                "placement and health causes are checked.",
                "Run diagnose without --no-metrics, or kubectl grove metrics.",
                [ev.command("metrics")],
            )
        ]
    engines = [p for p in m.pods if "not an inference engine" not in (p.error or "")]
    unread = [p for p in engines if not p.read and p.error and "not running" not in p.error]
    if not unread:
        return []
    none_read = not any(p.read for p in engines)
    caveats = [n for n in m.notes if n.startswith("Endpoint caveat")]
    recorded = m.read_via.startswith("recorded in")
    nothing_recorded = recorded and any("holds no recorded metrics" in n for n in m.notes)
    evidence = [f"{p.pod}: {p.error}" for p in unread[:5]] + caveats
    if len(unread) > 5:
        evidence.append(f"… and {len(unread) - 5} more")
    if nothing_recorded and not caveats:  # a capture without metrics, not a broken deployment
        severity = Severity.info
        fix = "Capture the bundle with its metrics, or run against the cluster."
    else:
        severity = Severity.warning if none_read else Severity.info
        fix = (
            "Make the engines serve metrics (SGLang: --enable-metrics; TRT-LLM: "
            "return_perf_metrics), give the port (--metrics-port), grant get pods/proxy "
            "(deploy/rbac.yaml, grove-mcp-metrics), or use --prometheus-url."
        )
    return [
        finding(
            NAME,
            "METRICS_UNREADABLE",
            severity,
            Impact.blind_spot,
            f"Metrics of {len(unread)} of {len(engines)} engine pods could not be read",
            f"podcliqueset/{ev.name}",
            evidence,
            "Latency, throughput and saturation are judged only from the pods that were read"
            + ("; none were, so none of them could be judged." if none_read else "."),
            fix,
            [ev.command("metrics")],
        )
    ]


def analyze(ev: Evidence) -> list[DiagnosisFinding]:
    out = metrics_blind_spots(ev)
    if ev.plan is None:
        out.append(
            finding(
                NAME,
                "NO_PLAN",
                Severity.info,
                Impact.blind_spot,
                "No plan to judge against",
                f"podcliqueset/{ev.name}",
                [ev.plan_origin],
                "Without the AIConfigurator plan there is no SLA and no expected throughput: "
                "latency is judged only by saturation.",
                "Store the plan beside the PodCliqueSet.",
                [f"kubectl grove plan store {ev.name} -n {ev.namespace} -f plan.json"],
            )
        )
    gangs = ev.topology.gangs
    if gangs and all(g.reported_placement_score is None for g in gangs):
        out.append(
            finding(
                NAME,
                "PLACEMENT_NOT_REPORTED",
                Severity.info,
                Impact.blind_spot,
                "The scheduler reports no placement score",
                f"podcliqueset/{ev.name}",
                ["PodGang.status.placementScore is empty on every gang"],
                "Placement is judged by grove-mcp's derived score only, from where the pods run.",
                "Nothing to do: no scheduler writes it today.",
            )
        )
    blind = [from_report(NAME, f, Impact.blind_spot, "Part of the cluster could not be read.")
             for f in health_issues(ev, HEALTH_CODES)]  # fmt: skip
    return out + blind
