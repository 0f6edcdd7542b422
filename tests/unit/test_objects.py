"""One object at a time (core.objects, render.describe): on the demo, and on a bundle with
secrets planted where careless users put them — none may reach the YAML, the describe text
or the log."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from grove_mcp.core.objects import (
    KINDS,
    Described,
    describe_object,
    object_events,
    object_yaml,
    read_log,
    read_object,
)
from grove_mcp.errors import AccessDenied, ApiError, InvalidInput, NotFound
from grove_mcp.grove import kinds
from grove_mcp.render import describe_text
from grove_mcp.sources import BundleSource, ListQuery, ListResult, demo_source

NS = "vllm-disagg"
PENDING = "my-inference-1-prefill-rp9nb"
RUNNING = "my-inference-0-decode-mfm67"
SECRETS = {
    "env": "plain-value-nobody-may-see-42",
    "hf": "hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345",
    "slack": "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp",
    "bearer": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJncm92ZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ",
    "aws": "AKIAIOSFODNN7EXAMPLE",
}
LOG = (
    "INFO loading Qwen/Qwen3-32B\n"
    f"DEBUG Authorization: Bearer {SECRETS['bearer']}\n"
    f"DEBUG downloading with token {SECRETS['hf']}\n"
    f"INFO aws key {SECRETS['aws']}\n"
    "INFO ready on :30000\n"
)


def _leaks(text: str) -> dict[str, str]:
    return {what: value for what, value in SECRETS.items() if value in text}


def _planted(obj: dict[str, Any]) -> dict[str, Any]:
    obj = copy.deepcopy(obj)
    meta = obj["metadata"]
    meta.setdefault("annotations", {})["ops/debug"] = f"token={SECRETS['slack']}"
    meta["managedFields"] = [{"manager": "kubectl", "operation": "Update"}]
    if obj["kind"] == "Pod":
        for container in obj["spec"]["containers"]:
            container.setdefault("env", []).extend(
                [
                    {"name": "DB_PASSWORD", "value": SECRETS["env"]},
                    {"name": "DYN_SYSTEM_PORT", "value": "9090"},
                ]
            )
            container.setdefault("args", []).extend(["--hf-token", SECRETS["hf"]])
        if meta["name"] == RUNNING:
            obj["spec"]["containers"].append({"name": "sidecar", "image": "busybox:1.36"})
    return obj


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> BundleSource:
    """The demo with planted secrets and one container log, written to disk and read back."""
    demo = demo_source().bundle
    objects = tuple(_planted(o) if o["kind"] in ("Pod", "PodClique") else o for o in demo.objects)
    files = {f"logs/{NS}/{RUNNING}/decode.log": LOG}
    path: Path = tmp_path_factory.mktemp("planted") / "bundle"
    replace(demo, objects=objects, files=files).write(path)
    return BundleSource.open(path)


class Counting:
    """A source that records its queries (and can deny some kinds)."""

    def __init__(self, inner: Any, deny: str | None = None) -> None:
        self.inner, self.deny, self.queries = inner, deny, list[ListQuery]()
        self.description, self.default_namespace = inner.description, inner.default_namespace
        self.now = inner.now

    def list_many(self, queries: Sequence[ListQuery]) -> list[ListResult]:
        self.queries += queries
        return [self._one(q) for q in queries]

    def _one(self, query: ListQuery) -> ListResult:
        """As LiveSource: a denied optional query is a note, a denied required one an error."""
        if query.kind.kind == self.deny:
            resource = query.kind.resource
            err = AccessDenied(f"RBAC denied 'list' on {resource}", "list", resource, None)
            if not query.optional:
                raise err
            return ListResult(query, available=False, note=str(err))
        (result,) = self.inner.list_many([query])
        return result

    def watch(self, results: Sequence[ListResult], tick: float = 30.0) -> Any:
        return self.inner.watch(results, tick)


# --- reading ---------------------------------------------------------------------------------


def test_kinds_name_the_selectable_kinds() -> None:
    assert KINDS == {
        "PodCliqueSet": kinds.PODCLIQUESET,
        "PodClique": kinds.PODCLIQUE,
        "PodCliqueScalingGroup": kinds.SCALINGGROUP,
        "PodGang": kinds.PODGANG,
        "Pod": kinds.POD,
        "Node": kinds.NODE,
    }


def test_one_list_by_field_selector_reads_the_object() -> None:
    source = Counting(demo_source())
    obj = read_object(source, "PodClique", NS, "my-inference-1-prefill")
    assert obj["metadata"]["name"] == "my-inference-1-prefill"
    assert obj["spec"]["roleName"] == "prefill"
    (query,) = source.queries
    assert (query.kind, query.namespace) == (kinds.PODCLIQUE, NS)
    assert query.field_selector == "metadata.name=my-inference-1-prefill"


def test_a_node_is_read_cluster_wide_and_the_default_namespace_is_the_sources() -> None:
    source = Counting(demo_source())
    assert (
        read_object(source, "Node", "ignored", "gpu-a1")["status"]["allocatable"]["nvidia.com/gpu"]
        == "8"
    )
    assert read_object(source, "Pod", None, PENDING)["status"]["phase"] == "Pending"
    assert [q.namespace for q in source.queries] == [None, NS]


def test_the_yaml_keeps_kubernetes_order_and_drops_managed_fields(bundle: BundleSource) -> None:
    raw = next(o for o in bundle.bundle.objects if o["metadata"]["name"] == "my-inference-0-decode")
    assert "managedFields" in raw["metadata"]  # planted, and in the bundle as written
    text = object_yaml(raw)
    assert list(yaml.safe_load(text)) == list(raw)
    assert text.startswith("apiVersion: grove.io/v1alpha1\nkind: PodClique\nmetadata:\n")
    assert "managedFields" not in text and "{" not in text  # block style
    assert yaml.safe_load(text)["spec"]["minAvailable"] == 2


def test_no_planted_secret_reaches_the_yaml_or_describe(bundle: BundleSource) -> None:
    for kind, name in (("Pod", RUNNING), ("Pod", PENDING), ("PodClique", "my-inference-0-decode")):
        obj = read_object(bundle, kind, NS, name)
        text = object_yaml(obj) + describe_text(describe_object(bundle, kind, NS, name))
        assert _leaks(text) == {}, (kind, name)
    pod = yaml.safe_load(object_yaml(read_object(bundle, "Pod", NS, RUNNING)))
    env = {e["name"]: e.get("value") for e in pod["spec"]["containers"][0]["env"]}
    assert env == {"DB_PASSWORD": "[REDACTED]", "DYN_SYSTEM_PORT": "9090"}  # useful values stay
    assert pod["spec"]["containers"][0]["args"][-2:] == ["--hf-token", "[REDACTED]"]
    assert "[REDACTED]" in pod["metadata"]["annotations"]["ops/debug"]


# --- errors, before any call -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "namespace", "name", "says"),
    [
        ("Pod", NS, "My_Pod", "'My_Pod' is not a valid Pod name"),
        ("Pod", NS, "", "is not a valid Pod name"),
        ("Pod", "Bad NS", PENDING, "'Bad NS' is not a valid namespace"),
        ("Secret", NS, "hf", "Unknown kind 'Secret'. Choose one of PodCliqueSet, PodClique, Pod"),
        ("pod", NS, PENDING, "Unknown kind 'pod'"),
    ],
)
def test_bad_input_is_refused_before_any_call(
    kind: str, namespace: str, name: str, says: str
) -> None:
    source = Counting(demo_source())
    for call in (read_object, describe_object):
        with pytest.raises(InvalidInput, match=says):
            call(source, kind, namespace, name)
    with pytest.raises(InvalidInput, match=says):
        object_events(source, namespace, kind, name)
    assert source.queries == []


def test_not_found_says_what_was_looked_for_and_where() -> None:
    with pytest.raises(NotFound) as err:
        read_object(demo_source(), "PodClique", NS, "my-inference-2-prefill")
    message = str(err.value)
    assert "PodClique 'my-inference-2-prefill' not found in namespace 'vllm-disagg'" in message
    assert (
        "embedded demo" in message and "kubectl get podcliques.grove.io -n vllm-disagg" in message
    )
    with pytest.raises(NotFound, match="Node 'gpu-z9' not found in embedded demo"):
        describe_object(demo_source(), "Node", None, "gpu-z9")
    with pytest.raises(NotFound, match=f"Pod '{PENDING}' not found in namespace 'ml-training'"):
        read_object(demo_source(), "Pod", "ml-training", PENDING)


# --- describe --------------------------------------------------------------------------------


def test_describe_a_podclique_lists_its_conditions_and_events() -> None:
    described = describe_object(demo_source(), "PodClique", NS, "my-inference-1-prefill")
    assert [e["reason"] for e in described.events] == ["PodCreateSuccessful"]
    assert described.notes == []
    text = describe_text(described)
    assert "Kind:             PodClique (grove.io/v1alpha1)" in text
    assert "Owner:            PodCliqueSet/my-inference" in text
    assert "minAvailable: 2" in text and "readyReplicas:" in text
    condition = next(line for line in text.splitlines() if "MinAvailableBreached" in line)
    assert condition.split() == [
        "MinAvailableBreached", "True", "ScheduledReplicasBelowMinAvailable", "2026-11-20T14:12:00Z"
    ]  # fmt: skip
    assert "expected at least: 2, found: 1" in text
    events = text[text.index("Events:") :]
    assert "Normal" in events and "PodCreateSuccessful" in events and "18m" in events


def test_describe_a_pending_pod() -> None:
    text = describe_text(describe_object(demo_source(), "Pod", NS, PENDING))
    assert "Node:             <none>" in text and "Phase:            Pending" in text
    assert "Image:    lmsysorg/sglang:v0.5.5" in text and "GPUs:     4" in text
    assert "PodScheduled  False   Unschedulable" in text
    warning = next(line for line in text.splitlines() if "FailedScheduling" in line)
    assert warning.split()[:5] == [
        "Warning",
        "FailedScheduling",
        "1m",
        "(x14)",
        "default-scheduler",
    ]
    assert "Events:" not in text[: text.index("Conditions:")]


def test_describe_a_running_pod_and_a_node() -> None:
    text = describe_text(describe_object(demo_source(), "Pod", NS, RUNNING))
    assert "State:    Running (since 2026-11-20T12:16:20Z)" in text
    assert "Ready:    true" in text and "Restarts: 0" in text and "Node:             gpu-a2" in text
    node = describe_text(describe_object(demo_source(), "Node", None, "gpu-a1"))
    assert "GPUs allocatable: 8" in node and "Namespace:        <none>" in node
    topology = node[node.index("Topology:") : node.index("Conditions:")]
    assert (
        "topology.kubernetes.io/rack=rack-a" in topology
        and "nvidia.com/gpu.product" not in topology
    )


def test_events_are_newest_last_whatever_their_time_field(bundle: BundleSource) -> None:
    def event(name: str, **times: Any) -> dict[str, Any]:
        about = {"kind": "Pod", "name": RUNNING, "namespace": NS}
        return {"apiVersion": "v1", "kind": "Event", "metadata": {"name": name, "namespace": NS},
                "involvedObject": about, "reason": name, "message": f"token={SECRETS['slack']}",
                **times}  # fmt: skip

    others = {"kind": "Pod", "name": PENDING, "namespace": NS}
    events = [
        event("c-last", lastTimestamp="2026-11-20T14:20:00Z"),
        event("a-first", eventTime="2026-11-20T14:00:00.000000Z"),
        event("b-series", eventTime="2026-11-20T13:00:00Z", series={"lastObservedTime": "2026-11-20T14:10:00Z"}),
        {**event("not-mine"), "involvedObject": others},
    ]  # fmt: skip
    demo = demo_source().bundle
    source = BundleSource(replace(demo, objects=demo.objects + tuple(events)))
    found = object_events(source, NS, "Pod", RUNNING)
    assert [e["reason"] for e in found] == ["a-first", "b-series", "c-last"]
    assert all("[REDACTED]" in e["message"] for e in found)
    text = describe_text(
        Described(read_object(source, "Pod", NS, RUNNING), found, [], source.now())
    )
    assert text.index("a-first") < text.index("b-series") < text.index("c-last")
    assert _leaks(text) == {}


def test_events_rbac_hides_become_a_note() -> None:
    source = Counting(demo_source(), deny="Event")
    described = describe_object(source, "Pod", NS, PENDING)
    assert described.events == []
    assert described.notes == ["Events not shown: RBAC denied 'list' on events"]
    assert described.obj["metadata"]["name"] == PENDING
    assert "Note: Events not shown: RBAC denied 'list' on events" in describe_text(described)
    pod, events = source.queries  # one call, run concurrently where the source can
    assert pod.field_selector == f"metadata.name={PENDING}" and not pod.optional
    assert events.kind == kinds.EVENT and events.namespace == NS and events.optional
    assert events.field_selector == f"involvedObject.kind=Pod,involvedObject.name={PENDING}"
    with pytest.raises(AccessDenied, match="RBAC denied 'list' on events"):
        object_events(source, NS, "Pod", PENDING)


def test_describe_never_raises_on_odd_objects() -> None:
    odd: list[dict[str, Any]] = [
        {},
        {"kind": "Pod", "metadata": "x", "spec": {"containers": ["a", {"name": 3, "resources": []}]},
         "status": {"conditions": "bad", "containerStatuses": [None, {"name": 3, "state": "up"}]}},
        {"kind": "Node", "apiVersion": "v1", "metadata": {"labels": None}, "status": {"allocatable": []}},
        {"kind": "PodGang", "apiVersion": "scheduler.grove.io/v1alpha1", "spec": [],
         "status": {"conditions": [None, {"type": 1}], "podsPending": ["a"], "phase": None}},
        {"kind": "PodClique", "apiVersion": "grove.io/v1alpha1", "metadata": {"annotations": {"a": None}}},
    ]  # fmt: skip
    bad_events = [
        {},
        {"count": "many", "lastTimestamp": "yesterday"},
        {"lastTimestamp": "2026-11-20T14:00:00"},
    ]
    for obj in odd:
        text = describe_text(Described(obj, bad_events, ["n"], demo_source().now()))
        assert text.startswith("Name:") and "Events:" in text and text.endswith("Note: n\n")
    pod = describe_text(Described(odd[1], [], []))
    assert pod.count("Image:") == 2 and "Containers:\n  <none>:\n" in pod and "\n  3:\n" in pod


def test_long_annotations_are_cut() -> None:
    obj = {
        "kind": "PodClique",
        "metadata": {"name": "x", "annotations": {"note": "a" * 200 + "\nb"}},
    }
    line = next(line for line in describe_text(Described(obj)).splitlines() if "note=" in line)
    assert line.endswith("…") and len(line.split("note=")[1]) == 80


# --- logs ------------------------------------------------------------------------------------


def test_a_bundle_log_is_tailed_and_redacted(bundle: BundleSource) -> None:
    log = read_log(bundle, NS, RUNNING, "decode", tail=3)
    assert log.container == "decode" and log.note is None
    lines = log.text.splitlines()
    assert len(lines) == 3 and lines[-1] == "INFO ready on :30000"
    assert "[REDACTED]" in log.text and _leaks(log.text) == {}
    whole = read_log(bundle, NS, RUNNING, None)
    assert whole.text.startswith("INFO loading Qwen/Qwen3-32B") and _leaks(whole.text) == {}
    assert whole.note == "Showing container 'decode', the first of: decode, sidecar."


def test_a_missing_log_says_so_and_how_to_get_one(bundle: BundleSource) -> None:
    log = read_log(bundle, NS, RUNNING, "sidecar", tail=50)
    assert log.text == "" and log.container == "sidecar"
    assert log.note is not None
    assert log.note.startswith(
        f"This bundle holds no log for container 'sidecar' of pod '{NS}/{RUNNING}'."
    )
    assert f"kubectl grove diag my-inference -n {NS} --logs 50" in log.note
    demo = read_log(demo_source(), NS, "my-inference-0-router-tswbp", None)
    assert demo.container == "router" and demo.note and "holds no log" in demo.note


def test_an_unscheduled_pod_has_no_log_and_a_wrong_container_is_named() -> None:
    pending = read_log(demo_source(), NS, PENDING, None)
    assert (pending.text, pending.container) == ("", "prefill")
    assert pending.note == (
        f"The pod '{NS}/{PENDING}' is not scheduled to a node yet: its containers have not run."
    )
    with pytest.raises(InvalidInput, match="no container 'decode'; its containers: prefill"):
        read_log(demo_source(), NS, PENDING, "decode")


def test_log_input_is_refused_before_any_call() -> None:
    source = Counting(demo_source())
    for args, says in (
        ((NS, RUNNING, "decode", 0), "tail must be between 1 and 100000"),
        ((NS, "Pod!", None, 10), "'Pod!' is not a valid Pod name"),
        ((NS, RUNNING, "Decode_1", 10), "'Decode_1' is not a valid container name"),
        (("-ns", RUNNING, None, 10), "not a valid namespace"),
    ):
        with pytest.raises(InvalidInput, match=says):
            read_log(source, *args)
    assert source.queries == []
    with pytest.raises(NotFound, match="Pod 'gone' not found"):
        read_log(source, NS, "gone", None)


class FakeKube:
    def __init__(self, fail: Exception | None = None) -> None:
        self.calls: list[tuple[str, str, str, int]] = []
        self.fail = fail

    def pod_log(self, namespace: str, pod: str, container: str, tail: int) -> str:
        self.calls.append((namespace, pod, container, tail))
        if self.fail:
            raise self.fail
        return LOG


def _live(kube: FakeKube) -> Counting:
    source = Counting(demo_source())
    source.kube = kube  # type: ignore[attr-defined]
    return source


def test_a_live_log_comes_from_the_kubelet_and_is_redacted() -> None:
    kube = FakeKube()
    source = _live(kube)
    log = read_log(source, NS, RUNNING, "decode", tail=7)
    assert kube.calls == [(NS, RUNNING, "decode", 7)]
    assert [q.kind for q in source.queries] == [kinds.POD]  # the pod, by field selector
    assert "INFO ready on :30000" in log.text and _leaks(log.text) == {}
    assert read_log(source, NS, "my-inference-0-router-tswbp", None).container == "router"
    assert kube.calls[-1][2] == "router"
    read_log(source, NS, PENDING, None)
    assert len(kube.calls) == 2  # an unscheduled pod: no call


def test_a_failed_live_log_names_the_pod_and_node_and_rbac_passes_through() -> None:
    failing = _live(FakeKube(ApiError("The API server answered 500: no preferred addresses.")))
    with pytest.raises(ApiError) as err:
        read_log(failing, NS, RUNNING, None)
    assert str(err.value).startswith(
        f"Cannot read the log of container 'decode' of pod '{NS}/{RUNNING}' on node 'gpu-a2': "
        "The API server answered 500: no preferred addresses."
    )
    assert "kubectl get node gpu-a2 -o wide" in str(err.value)
    denied = AccessDenied("RBAC denied 'get' on pods/log", "get", "pods/log", NS)
    with pytest.raises(AccessDenied) as same:
        read_log(_live(FakeKube(denied)), NS, RUNNING, "decode")
    assert same.value is denied
