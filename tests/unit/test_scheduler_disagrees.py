"""Health never contradicts its own numbers: a GPU shortage the scheduler reports is checked
against the snapshot's arithmetic, and a disagreement names the nodes and the likely causes."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from grove_mcp import core
from grove_mcp.grove.affinity import NodeSelectorRequirement
from grove_mcp.grove.kinds import KAI_QUEUE, RESOURCEQUOTA
from grove_mcp.grove.quota import KaiQueue, ResourceQuota
from grove_mcp.reports.common import Finding
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources import Bundle, BundleSource

PCS = "my-inference"


def _pending_finding(source: BundleSource) -> Finding:
    health = core.run("health", source, None, PCS)
    (finding,) = [
        i
        for g in health.gangs  # type: ignore[attr-defined]
        for i in g.issues
        if i.code in ("POD_UNSCHEDULABLE", "SCHEDULER_DISAGREES")
    ]
    return finding


def _edited(name: str, edit: Any) -> BundleSource:
    """The scenario with ``edit(obj)`` applied to a copy of every object."""
    bundle = SCENARIOS[name]()
    objects = []
    for obj in copy.deepcopy(list(bundle.objects)):
        edit(obj)
        objects.append(obj)
    return BundleSource(replace(bundle, objects=tuple(objects)))


def _is_pending_prefill(obj: dict) -> bool:
    return (
        obj["kind"] == "Pod"
        and obj["metadata"]["name"].startswith("my-inference-1-prefill-")
        and not obj["spec"].get("nodeName")
    )


def test_a_shortage_the_numbers_confirm_keeps_its_message():
    finding = _pending_finding(BundleSource(SCENARIOS["demo"]()))
    assert finding.code == "POD_UNSCHEDULABLE"
    assert finding.remediation.startswith("By this snapshot's numbers no node has 4 free GPU(s)")


def test_disagreement_names_the_node_that_fits_and_the_reservation_holding_it():
    finding = _pending_finding(BundleSource(SCENARIOS["scheduler-disagrees"]()))
    assert finding.code == "SCHEDULER_DISAGREES"
    assert "No node" not in finding.remediation and "no node" not in finding.remediation
    assert "1 node(s) would fit its 4 GPU(s): gpu-c2 (8 free)" in finding.message
    assert "scheduler's view and the cluster's arithmetic disagree" in finding.message
    assert any(
        e.startswith("node/gpu-c2: 8 GPUs allocatable, 0 requested") for e in finding.evidence
    )
    assert finding.remediation.startswith(
        "Cause: Room reserved for other pods: Pods nominated after preemption hold the free "
        "GPUs: ml-training/llm-eval-0 (8 GPUs) on gpu-c2."
    )
    assert "Other likely causes" in finding.remediation


def test_a_full_resource_quota_is_shown_with_its_numbers_but_not_blamed():
    finding = _pending_finding(BundleSource(SCENARIOS["scheduler-disagrees"]()))
    quota = finding.remediation.split("ResourceQuota in vllm-disagg — ")[1]
    assert quota.startswith("ruled out: gpu-quota: requests.nvidia.com/gpu used 24 of hard 24.")
    assert "refuses the next GPU pod created in vllm-disagg" in quota
    assert "the scheduler does not consult quotas" in quota
    assert "Check: kubectl describe resourcequota -n vllm-disagg" in quota


def test_kai_queue_over_its_limit_is_the_cause():
    finding = _pending_finding(BundleSource(SCENARIOS["kai-queue-limit"]()))
    assert finding.code == "SCHEDULER_DISAGREES"
    assert finding.remediation.startswith(
        "Cause: KAI queue inference: queue inference has 20 GPUs allocated; with the 4 the "
        "gang's pending pods request that is 24, over its limit of 20: KAI refuses the gang. "
        "Check: kubectl get queues.scheduling.run.ai inference -o yaml."
    )


def test_kai_queue_within_limits_is_ruled_out_and_a_missing_queue_is_the_cause():
    def roomy(obj: dict) -> None:
        if obj["kind"] == "Queue" and obj["metadata"]["name"] == "inference":
            obj["spec"]["resources"]["gpu"]["limit"] = 32

    finding = _pending_finding(_edited("kai-queue-limit", roomy))
    assert finding.remediation.startswith(
        "Likely causes, checked against this snapshot: (1) KAI queue inference — possible: "
        "queue inference: 20 non-preemptible GPUs allocated + 4 requested > quota 16"
    )

    def roomier(obj: dict) -> None:
        roomy(obj)
        if obj["kind"] == "Queue" and obj["metadata"]["name"] == "inference":
            obj["spec"]["resources"]["gpu"]["quota"] = 24

    finding = _pending_finding(_edited("kai-queue-limit", roomier))
    assert "KAI queue inference — ruled out: inference: 20 GPUs allocated, quota 24, limit 32" in (
        finding.remediation
    )

    def elsewhere(obj: dict) -> None:
        if obj["kind"] == "Pod" and "kai.scheduler/queue" in obj["metadata"]["labels"]:
            obj["metadata"]["labels"]["kai.scheduler/queue"] = "research"

    finding = _pending_finding(_edited("kai-queue-limit", elsewhere))
    assert finding.remediation.startswith(
        "Cause: KAI queue research: Queue research does not exist"
    )


def test_a_node_the_pod_may_not_use_does_not_fit():
    def selector(obj: dict) -> None:
        if _is_pending_prefill(obj):
            obj["spec"]["nodeSelector"] = {"topology.kubernetes.io/rack": "rack-b"}

    finding = _pending_finding(_edited("scheduler-disagrees", selector))
    assert finding.code == "POD_UNSCHEDULABLE"

    def affinity(obj: dict) -> None:
        if _is_pending_prefill(obj):
            term = {"key": "topology.kubernetes.io/rack", "operator": "In", "values": ["rack-c"]}
            required = {"nodeSelectorTerms": [{"matchExpressions": [term]}]}
            obj["spec"]["affinity"] = {
                "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": required}
            }

    finding = _pending_finding(_edited("scheduler-disagrees", affinity))
    assert finding.code == "SCHEDULER_DISAGREES"  # gpu-c2 is in rack-c
    assert any("satisfies its nodeSelector/affinity" in e for e in finding.evidence)

    def tainted(obj: dict) -> None:
        if obj["kind"] == "Node" and obj["metadata"]["name"] == "gpu-c2":
            obj["spec"]["taints"] = [{"key": "team", "value": "research", "effect": "NoSchedule"}]

    assert _pending_finding(_edited("scheduler-disagrees", tainted)).code == "POD_UNSCHEDULABLE"


def test_dra_claims_on_the_pod_are_a_possible_cause():
    def claims(obj: dict) -> None:
        if _is_pending_prefill(obj):
            obj["spec"]["resourceClaims"] = [{"name": "nic", "resourceClaimName": "rdma-nic-0"}]

    finding = _pending_finding(_edited("scheduler-disagrees", claims))
    assert "DRA claims — possible: The pod also needs DRA claims (rdma-nic-0)" in (
        finding.remediation
    )


def test_unreadable_quotas_are_unknown_and_said_so():
    denied = "RBAC denied 'list' on resourcequotas in namespace 'vllm-disagg'"

    class NoQuotas(BundleSource):
        def list_many(self, queries):  # type: ignore[no-untyped-def]
            return [
                replace(r, items=(), available=False, note=denied)
                if r.query.kind == RESOURCEQUOTA
                else r
                for r in super().list_many(queries)
            ]

    source = NoQuotas(SCENARIOS["scheduler-disagrees"]())
    health = core.run("health", source, None, PCS)
    assert denied in health.notes
    finding = _pending_finding(source)
    assert (
        f"ResourceQuota in vllm-disagg — unknown: ResourceQuotas could not be read ({denied})."
        in (finding.remediation)
    )


def test_without_cluster_wide_pods_the_shortage_is_the_scheduler_s_word():
    class NoClusterPods(BundleSource):
        def list_many(self, queries):  # type: ignore[no-untyped-def]
            return [
                replace(r, items=(), available=False, note="RBAC denied 'list' on pods")
                if r.query.namespace is None and r.query.kind.kind == "Pod"
                else r
                for r in super().list_many(queries)
            ]

    finding = _pending_finding(NoClusterPods(SCENARIOS["scheduler-disagrees"]()))
    assert finding.code == "POD_UNSCHEDULABLE"
    assert finding.remediation.startswith("The scheduler found no node that has 4 free GPU(s)")


def test_kai_not_installed_is_not_a_note_for_everyone():
    class NoKai(BundleSource):
        def list_many(self, queries):  # type: ignore[no-untyped-def]
            return [
                replace(
                    r, items=(), available=False, note="queues in cluster: not served", served=False
                )
                if r.query.kind == KAI_QUEUE
                else r
                for r in super().list_many(queries)
            ]

    health = core.run("health", NoKai(SCENARIOS["scheduler-disagrees"]()), None, PCS)
    assert health.notes == []
    finding = _pending_finding(NoKai(SCENARIOS["kai-queue-limit"]()))
    assert "is KAI installed?" in finding.remediation


def test_quota_and_queue_models_read_kubernetes_shapes():
    quota = ResourceQuota.model_validate(
        {
            "metadata": {"name": "q"},
            "spec": {"hard": {"requests.nvidia.com/gpu": 16, "pods": "10"}},
            "status": {"hard": {"requests.nvidia.com/gpu": "16"}, "used": {"pods": "3"}},
        }
    )
    assert (quota.gpu_hard, quota.gpu_used) == (16.0, None)
    assert ResourceQuota.model_validate({"metadata": {"name": "cpu-only"}}).gpu_hard is None
    queue = KaiQueue.model_validate(
        {
            "metadata": {"name": "a"},
            "spec": {"parentQueue": "root", "resources": {"gpu": {"quota": 2.5, "limit": -1}}},
            "status": {"allocated": {"nvidia.com/gpu": "1500m"}},
        }
    )
    assert queue.spec.resources.gpu.limit == -1 and queue.gpus_allocated == 1.5


def test_node_selector_operators():
    labels = {"zone": "a", "gpus": "8"}

    def req(op: str, *values: str, key: str = "zone") -> bool:
        return NodeSelectorRequirement(key=key, operator=op, values=values).matches(labels)

    assert req("In", "a", "b") and not req("In", "b")
    assert req("NotIn", "b") and not req("NotIn", "a") and req("NotIn", "a", key="rack")
    assert req("Exists") and not req("Exists", key="rack")
    assert req("DoesNotExist", key="rack") and not req("DoesNotExist")
    assert req("Gt", "7", key="gpus") and not req("Gt", "8", key="gpus")
    assert req("Lt", "9", key="gpus") and not req("Lt", "x", key="gpus")
    assert not req("Bogus", "a")


def test_every_seedable_world_s_shortages_agree_with_its_numbers_but_the_named_ones():
    """Scenarios are self-consistent: a scheduler's GPU shortage is contradicted only where the
    scenario says so."""
    disagreeing = set()
    for name, make in SCENARIOS.items():
        bundle: Bundle = make()
        source = BundleSource(bundle)
        for pcs in core.run("list", source).items:  # type: ignore[attr-defined]
            health = core.run("health", source, None, pcs.name)
            codes = {i.code for g in health.gangs for i in g.issues}  # type: ignore[attr-defined]
            if "SCHEDULER_DISAGREES" in codes:
                disagreeing.add(name)
    assert disagreeing == {"scheduler-disagrees", "kai-queue-limit", "quota-pending"}
