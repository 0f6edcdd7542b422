"""core.objects on the real API server: one object's YAML and describe text for each kind a
user selects, Events found by field selector, RBAC denials said plainly, and a container's log
read through a fake kubelet, redacted."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from grove_mcp.core.objects import describe_object, object_yaml, read_log, read_object
from grove_mcp.errors import AccessDenied, ApiError, InvalidInput, NotFound
from grove_mcp.grove.kinds import POD
from grove_mcp.render import describe_text
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.live import LiveSource
from grove_mcp.sources.seeder import seed

PENDING = "my-inference-1-prefill-rp9nb"
RUNNING = "my-inference-0-decode-mfm67"
TOKEN = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345"


@pytest.fixture
def seeded(admin: KubeClient, namespace: str) -> str:
    seed(admin, SCENARIOS["demo"](), namespace=namespace)
    return namespace


@pytest.fixture
def live(admin_kubeconfig: str) -> Iterator[LiveSource]:
    source = LiveSource.connect(kubeconfig=admin_kubeconfig)
    yield source
    source.close()


def test_each_kind_is_read_and_described(live: LiveSource, seeded: str) -> None:
    pcs = read_object(live, "PodCliqueSet", seeded, "my-inference")
    assert (pcs["kind"], pcs["apiVersion"]) == ("PodCliqueSet", "grove.io/v1alpha1")
    assert pcs["spec"]["replicas"] == 2
    text = object_yaml(pcs)
    assert text.startswith("apiVersion: grove.io/v1alpha1\nkind: PodCliqueSet\nmetadata:\n")
    assert "managedFields" not in text  # the server wrote them; they are dropped
    assert yaml.safe_load(text)["metadata"]["uid"] == pcs["metadata"]["uid"]

    clique = describe_text(describe_object(live, "PodClique", seeded, "my-inference-1-prefill"))
    assert f"Namespace:        {seeded}" in clique
    assert "MinAvailableBreached  True" in clique and "minAvailable: 2" in clique
    assert "PodCreateSuccessful" in clique  # its Event, found by field selector

    pod = describe_object(live, "Pod", seeded, PENDING)
    assert [e["reason"] for e in pod.events] == ["FailedScheduling"]
    assert pod.events[0]["involvedObject"]["name"] == PENDING
    text = describe_text(pod)
    assert "Phase:            Pending" in text and "GPUs:     4" in text
    assert "Warning  FailedScheduling" in text and "Insufficient nvidia.com/gpu" in text

    node = describe_object(live, "Node", None, "gpu-a1")
    assert node.obj["metadata"]["labels"]["topology.kubernetes.io/rack"] == "rack-a"
    assert "GPUs allocatable: 8" in describe_text(node)


def test_not_found_and_rbac_are_said_plainly(
    live: LiveSource, seeded: str, viewer_kubeconfig: str
) -> None:
    with pytest.raises(NotFound, match=f"PodClique 'nope' not found in namespace '{seeded}'"):
        read_object(live, "PodClique", seeded, "nope")
    viewer = LiveSource.connect(kubeconfig=viewer_kubeconfig)
    try:
        assert read_object(viewer, "Pod", seeded, RUNNING)["spec"]["nodeName"]
        with pytest.raises(AccessDenied) as denied:
            read_object(viewer, "Node", None, "gpu-a1")
        assert (denied.value.verb, denied.value.resource) == ("list", "nodes")
        with pytest.raises(AccessDenied) as denied:
            read_log(viewer, seeded, RUNNING, "decode", tail=5)
        assert (denied.value.verb, denied.value.resource, denied.value.namespace) == (
            "get",
            "pods/log",
            seeded,
        )
        assert f"in namespace '{seeded}'" in str(denied.value)
        described = describe_object(viewer, "PodClique", seeded, "my-inference-1-prefill")
        assert [e["reason"] for e in described.events] == ["PodCreateSuccessful"]
    finally:
        viewer.close()


def test_events_rbac_hides_are_a_note(seeded: str, no_grove_kubeconfig: str) -> None:
    source = LiveSource.connect(kubeconfig=no_grove_kubeconfig)  # pods, but no events
    try:
        described = describe_object(source, "Pod", seeded, PENDING)
    finally:
        source.close()
    assert described.obj["metadata"]["name"] == PENDING and described.events == []
    (note,) = described.notes
    assert note.startswith(
        f"Events not shown: RBAC denied 'list' on events in namespace '{seeded}'"
    )
    assert "Note: Events not shown" in describe_text(described)


def test_no_log_without_a_node_or_a_kubelet_is_said(live: LiveSource, seeded: str) -> None:
    pending = read_log(live, seeded, PENDING, None, tail=5)
    assert (pending.text, pending.container) == ("", "prefill")
    assert pending.note and "is not scheduled to a node yet" in pending.note
    with pytest.raises(ApiError) as err:  # a node whose kubelet has no address
        read_log(live, seeded, RUNNING, None, tail=5)
    message = str(err.value)
    assert message.startswith(
        f"Cannot read the log of container 'decode' of pod '{seeded}/{RUNNING}' on node 'gpu-a2'"
    )
    assert "no preferred addresses found" in message and "kubectl get node gpu-a2" in message
    with pytest.raises(InvalidInput, match="no container 'nope'; its containers: decode"):
        read_log(live, seeded, RUNNING, "nope")


def test_a_log_comes_through_the_kubelet_redacted(
    admin: KubeClient, live: LiveSource, seeded: str, tmp_path: Path
) -> None:
    from tools.envtest.kubelet import serving_logs
    from tools.envtest.netns import NetnsUnavailable

    pod = admin.request("GET", POD, seeded, RUNNING)
    node = pod["spec"]["nodeName"]
    text = "".join(f"INFO step {i}\n" for i in range(10)) + f"DEBUG token={TOKEN}\nINFO done\n"
    try:
        with serving_logs(admin, [node], {f"{seeded}/{RUNNING}/decode": text}, tmp_path):
            log = read_log(live, seeded, RUNNING, None, tail=3)
    except NetnsUnavailable as err:
        if os.environ.get("GROVE_REQUIRE_E2E") == "1":
            pytest.fail(f"GROVE_REQUIRE_E2E=1, but no network namespace: {err}", pytrace=False)
        pytest.skip(f"no network namespace for the fake kubelet: {err}")
    assert log.container == "decode" and log.note is None
    assert log.text.splitlines() == ["INFO step 9", "DEBUG token=[REDACTED]", "INFO done"]
    assert TOKEN not in log.text
