"""The Grove version on a real API server: from the operator's image when the identity may
list Deployments (the optional ClusterRole), else from what the API serves, and never a note
cluttering every report. The server serves PodGangMap (tools/envtest/crds), as alpha.12 final
does."""

from __future__ import annotations

from grove_mcp import core
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.live import LiveSource
from grove_mcp.sources.seeder import seed

PCS = "my-inference"


def test_the_operator_image_is_the_strongest_evidence(
    admin: KubeClient, admin_kubeconfig: str, namespace: str
) -> None:
    result = seed(
        admin, SCENARIOS["never-scheduled-alpha11"](), namespace=namespace, as_created=True
    )
    live = LiveSource.connect(kubeconfig=admin_kubeconfig, as_of=result.as_of)

    report = core.run("health", live, namespace, PCS)

    # The server also serves PodGangMap (alpha.12 final's CRD): the image decides.
    assert report.grove_version.version == "v0.1.0-alpha.11"
    assert report.grove_version.rules == "ungated"
    assert report.gangs[1].termination is not None  # alpha.11 counts the partial start


def test_without_the_image_the_served_podgangmap_crd_decides(
    admin: KubeClient, viewer_kubeconfig: str, namespace: str
) -> None:
    result = seed(
        admin, SCENARIOS["breached-after-scheduled"](), namespace=namespace, as_created=True
    )
    live = LiveSource.connect(kubeconfig=viewer_kubeconfig, as_of=result.as_of)

    report = core.run("health", live, namespace, PCS)

    assert report.grove_version.rules == "gated"
    assert "podgangmaps.grove.io is served" in report.grove_version.evidence
    assert not any("deployments" in note for note in report.notes)  # no clutter
    assert report.gangs[1].termination is not None
    assert report.gangs[1].termination.why.startswith("treated as once scheduled")
