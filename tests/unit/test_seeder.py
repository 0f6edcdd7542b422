"""The seeder's pure parts: refusing legacy shapes, ordering, stripping, moving times."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from grove_mcp.errors import InvalidInput
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.seeder import ORDER, SERVER_ASSIGNED, check_seedable, prepare, rebase

HOUR = timedelta(hours=1)


def test_rebase_moves_every_timestamp_and_nothing_else() -> None:
    obj: dict[str, Any] = {
        "status": {"conditions": [{"lastTransitionTime": "2026-11-20T14:12:00Z"}]},
        "eventTime": "2026-11-20T14:12:00.123456Z",
        "spec": {"terminationDelay": "4h", "args": ["--since", "2026-11-20T14:12:00Z and more"]},
    }

    moved = rebase(obj, HOUR)

    assert moved["status"]["conditions"][0]["lastTransitionTime"] == "2026-11-20T15:12:00Z"
    assert moved["eventTime"] == "2026-11-20T15:12:00.123456Z"
    assert moved["spec"] == obj["spec"]  # durations and text that merely contains a time
    assert obj["status"]["conditions"][0]["lastTransitionTime"] == "2026-11-20T14:12:00Z"


def test_prepare_orders_by_dependency_and_strips_server_fields() -> None:
    objects, notes = prepare(SCENARIOS["demo"](), HOUR)

    kinds = [o["kind"] for o in objects]
    assert kinds == sorted(kinds, key=ORDER.index)
    assert not [o for o in objects if set(o["metadata"]) & set(SERVER_ASSIGNED)]
    assert notes == []


def test_prepare_skips_and_names_unknown_kinds() -> None:
    bundle = SCENARIOS["healthy"]()
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "my-inference-0"}}
    extended = type(bundle)(bundle.manifest, (*bundle.objects, service))

    objects, notes = prepare(extended, HOUR)

    assert "Service" not in {o["kind"] for o in objects}
    assert notes == ["skipped objects of kinds the seeder does not create: Service"]


def test_legacy_shapes_are_refused_with_the_reasons() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_seedable(SCENARIOS["legacy-alpha8"]())

    assert "ClusterTopology 'grove-topology'" in str(caught.value)
    assert "packDomain in PodCliqueSet 'my-inference'" in str(caught.value)


def test_with_namespace_moves_references_too() -> None:
    moved = SCENARIOS["demo"]().with_namespace("elsewhere")

    namespaces = {o["metadata"].get("namespace") for o in moved.objects}
    event = next(o for o in moved.objects if o["kind"] == "Event")
    gang = next(o for o in moved.objects if o["kind"] == "PodGang")
    assert namespaces == {"elsewhere", None}  # None: Nodes and the topology binding
    assert event["involvedObject"]["namespace"] == "elsewhere"
    assert {r["namespace"] for g in gang["spec"]["podgroups"] for r in g["podReferences"]} == {
        "elsewhere"
    }
    assert moved.manifest.namespace == "elsewhere"
