"""Errors from a real API server reach users as grove_mcp's actionable messages."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from grove_mcp import core
from grove_mcp.errors import (
    AccessDenied,
    ApiError,
    ClusterUnreachable,
    GroveNotInstalled,
    InvalidInput,
)
from grove_mcp.grove.kinds import NODE
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.live import LiveSource
from grove_mcp.sources.seeder import seed
from tools.envtest.apiserver import ApiServer, Binaries

PCS = "my-inference"
FAST = 5.0  # seconds: an unreachable endpoint must fail well within this


@pytest.fixture(scope="module")
def bare(binaries: Binaries) -> Iterator[ApiServer]:
    """A second API server without Grove's CRDs."""
    with ApiServer(binaries) as server:
        yield server


def test_viewer_denied_outside_its_namespace_names_verb_resource_namespace(
    viewer_kubeconfig: str,
) -> None:
    with pytest.raises(AccessDenied) as caught:
        core.run("status", LiveSource.connect(kubeconfig=viewer_kubeconfig), "default", PCS)

    message = str(caught.value)
    assert "RBAC denied 'list' on podcliquesets.grove.io in namespace 'default'" in message
    # The check runs as the same identity: the suggested kubectl carries the user's kubeconfig.
    assert (
        f"kubectl --kubeconfig {viewer_kubeconfig} auth can-i list podcliquesets.grove.io "
        "-n default" in message
    )
    assert (caught.value.verb, caught.value.namespace) == ("list", "default")


def test_no_grove_identity_is_denied_podcliquesets(
    admin: KubeClient, no_grove_kubeconfig: str, namespace: str
) -> None:
    seed(admin, SCENARIOS["healthy"](), namespace=namespace)

    with pytest.raises(AccessDenied) as caught:
        core.run("status", LiveSource.connect(kubeconfig=no_grove_kubeconfig), namespace, PCS)

    assert f"RBAC denied 'list' on podcliquesets.grove.io in namespace '{namespace}'" in str(
        caught.value
    )


def test_viewer_reads_its_namespace_and_is_told_what_it_cannot_see(
    admin: KubeClient, viewer_kubeconfig: str, namespace: str
) -> None:
    seed(admin, SCENARIOS["demo"](), namespace=namespace)

    report = core.run("topology", LiveSource.connect(kubeconfig=viewer_kubeconfig), namespace, PCS)

    notes = " ".join(report.notes)
    assert "RBAC denied 'list' on nodes" in notes
    assert "RBAC denied 'list' on pods across all namespaces" in notes


def test_missing_crds_say_grove_is_not_installed(bare: ApiServer) -> None:
    with pytest.raises(GroveNotInstalled) as caught:
        core.run("status", LiveSource.connect(kubeconfig=str(bare.kubeconfig())), "default", PCS)

    assert "does not serve podcliquesets.grove.io/v1alpha1" in str(caught.value)
    assert "Grove's CRDs are not installed" in str(caught.value)


def test_seeding_without_crds_fails_before_creating_anything(bare: ApiServer) -> None:
    kube = bare.client()

    with pytest.raises(GroveNotInstalled, match="Cannot seed ClusterTopologyBinding objects"):
        seed(kube, SCENARIOS["demo"](), namespace="nowhere")

    assert kube.request("GET", NODE)["items"] == []


def test_legacy_shapes_are_refused_before_any_request(admin: KubeClient) -> None:
    before = admin.requests_made

    with pytest.raises(InvalidInput) as caught:
        seed(admin, SCENARIOS["legacy-alpha8"](), namespace="never-created")

    assert "ClusterTopology 'grove-topology'" in str(caught.value)
    assert "topologyConstraint.packDomain in PodCliqueSet 'my-inference'" in str(caught.value)
    assert admin.requests_made == before


def test_phase_less_podgangs_are_refused_by_the_crd(admin: KubeClient, namespace: str) -> None:
    with pytest.raises(ApiError) as caught:
        seed(admin, SCENARIOS["podgang-without-phase"](), namespace=namespace)

    assert str(caught.value).startswith(f"Seeding PodGang {namespace}/my-inference-0 failed:")
    assert "status.phase: Required value" in str(caught.value)


def test_hung_api_server_is_unreachable_after_the_timeout(bare: ApiServer) -> None:
    """A real API server frozen mid-life (refused and silent sockets: tests/unit)."""
    source = LiveSource.connect(kubeconfig=str(bare.kubeconfig()), timeout=1.0)
    started = time.monotonic()

    with bare.paused(), pytest.raises(ClusterUnreachable) as caught:
        core.run("status", source, "default", PCS)

    assert time.monotonic() - started < FAST
    assert f"{bare.url}: no answer within 1s" in str(caught.value)
