"""On a real API server: health reads ResourceQuotas and KAI Queues when RBAC allows it, and
says so when it does not, while still checking the scheduler's GPU shortage against the nodes."""

from __future__ import annotations

from grove_mcp import core
from grove_mcp.reports.health import HealthReport
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.live import LiveSource
from grove_mcp.sources.seeder import seed

PCS = "my-inference"


def _disagreement(report: HealthReport) -> str:
    (finding,) = [i for g in report.gangs for i in g.issues if i.code == "SCHEDULER_DISAGREES"]
    return finding.remediation


def test_quota_read_when_allowed(
    admin: KubeClient, cluster_viewer_kubeconfig: str, namespace: str
) -> None:
    seed(admin, SCENARIOS["scheduler-disagrees"](), namespace=namespace)

    report = core.run(
        "health", LiveSource.connect(kubeconfig=cluster_viewer_kubeconfig), namespace, PCS
    )

    assert isinstance(report, HealthReport) and report.notes == []
    remediation = _disagreement(report)
    assert remediation.startswith("Cause: Room reserved for other pods")
    assert "ruled out: gpu-quota: requests.nvidia.com/gpu used 24 of hard 24." in remediation


def test_quota_denied_is_said_and_the_arithmetic_still_runs(
    admin: KubeClient, no_quota_kubeconfig: str, namespace: str
) -> None:
    seed(admin, SCENARIOS["kai-queue-limit"](), namespace=namespace)

    report = core.run("health", LiveSource.connect(kubeconfig=no_quota_kubeconfig), namespace, PCS)

    assert isinstance(report, HealthReport)
    notes = " ".join(report.notes)
    assert f"RBAC denied 'list' on resourcequotas in namespace '{namespace}'" in notes
    assert "RBAC denied 'list' on queues.scheduling.run.ai" in notes
    remediation = _disagreement(report)
    assert "gpu-c2 (8 free)" not in remediation  # the nodes are in the message, not here
    assert "KAI queue inference — unknown: KAI's Queues could not be read (RBAC denied" in (
        remediation
    )
    assert "ResourceQuota in " in remediation and "— unknown: ResourceQuotas could not be read" in (
        remediation
    )
