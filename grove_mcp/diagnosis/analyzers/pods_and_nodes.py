"""Node problems under the workload (NotReady, missing, cordoned) and pods that fail (crash
loops, image pulls, bad configuration, not ready)."""

from __future__ import annotations

from ...reports.common import Severity
from ...reports.diagnose import DiagnosisFinding, Impact
from ..base import Evidence, finding, from_report
from ._health_codes import health_issues

NAME = "pods_and_nodes"
EXPLAIN = {
    "CRASH_LOOP": "A crash-looping engine serves nothing and keeps its gang below readiness.",
    "IMAGE_PULL": "The pod cannot start until its image can be pulled.",
    "CONTAINER_CONFIG": "The container cannot be created as configured.",
    "POD_FAILED": "A failed pod serves nothing until it is replaced.",
    "POD_NOT_READY": "A running pod that is not Ready takes no traffic.",
    "POD_TERMINATING": "A terminating pod is leaving; its replacement is not serving yet.",
    "NODE_NOT_READY": "Pods on a NotReady node are unreachable and will be evicted.",
    "NODE_MISSING": "Pods bound to a node that no longer exists are lost.",
}
CODES = frozenset(EXPLAIN)


def analyze(ev: Evidence) -> list[DiagnosisFinding]:
    out = [
        from_report(NAME, f, Impact.blocks_serving, EXPLAIN[f.code], [ev.command("health")])
        for f in health_issues(ev, CODES)
    ]
    nodes = ev.snapshot.nodes_by_name
    mine = {p.spec.node_name for p in ev.snapshot.pods if p.spec.node_name}
    for name in sorted(n for n in mine if n in nodes and nodes[n].spec.unschedulable):
        pods = sorted(p.name for p in ev.snapshot.pods if p.spec.node_name == name)
        out.append(
            finding(
                NAME,
                "NODE_CORDONED",
                Severity.warning,
                Impact.efficiency,
                f"Node {name} runs {len(pods)} of the workload's pods and is cordoned",
                f"node/{name}",
                [f"node/{name}: spec.unschedulable true", f"pods: {', '.join(pods)}"],
                "A pod of this gang that restarts cannot come back on this node; it may land "
                "in another rack or wait for room.",
                "Uncordon the node if the maintenance is over, or plan the gang's move.",
                [f"kubectl uncordon {name}"],
            )
        )
    return out
