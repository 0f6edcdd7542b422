"""Every seedable scenario, seeded into its own namespace, reports exactly as its bundle does.

The live reports (a LiveSource on the seeded namespace) are compared with the reports of the
same bundle, moved into the same namespace, read by a BundleSource. Only this is normalised:

- ``source`` (a cluster vs. a bundle): dropped.
- Absolute times. The seeder moved every timestamp by ``shift`` so that the oldest Grove
  object's creation is the moment of seeding (``as_created``: the API server stamps
  creationTimestamp itself, and Grove's ever-scheduled rule compares conditions with it), and
  the live source judges the seeded world at the moved capture time (``SeedResult.as_of``).
  The bundle is judged at ``as_of − shift``, so ages and countdowns are compared as they are;
  the bundle report's absolute times (``as_of``, ``since``, deadlines, times quoted in
  messages) are then moved by ``shift`` onto the cluster's clock.
- ``created_at``/``age_seconds``, and ``since`` values that derive from a creationTimestamp
  (a live ``since`` equal to one the server assigned): the API server sets creationTimestamp
  itself at creation and ignores the client's value. These become a placeholder on both sides.
- Fields the server's CRD schema prunes (``SeedResult.dropped``) are removed from the expected
  bundle; the set is pinned below, so any new pruning fails here.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from grove_mcp import core
from grove_mcp.grove import kinds as k
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources import Bundle, BundleSource
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.live import LiveSource
from grove_mcp.sources.seeder import ORDER, seed

# Shapes Grove's CRDs in ../shared/grove/crds refuse; test_errors.py checks how seeding says so.
UNSEEDABLE = {
    "legacy-alpha8",  # ClusterTopology (no CRD since alpha.9) and packDomain on a new object
    "podgang-without-phase",  # PR #763's phase-less PodGang: the CRD requires status.phase
}
SEEDABLE = sorted(set(SCENARIOS) - UNSEEDABLE)
REPORTS = ("status", "topology", "health")
# Grove PR #792's PodGang fields: newer than the CRDs in ../shared/grove/crds, so pruned.
KNOWN_PRUNED = {("PodGang", "status.lastReady"), ("PodGang", "status.lastScheduled")}
CREATED = "<creationTimestamp: set by the API server>"
TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?Z")


@pytest.mark.parametrize("scenario", SEEDABLE)
def test_seeded_scenario_reports_like_its_bundle(
    scenario: str,
    admin: KubeClient,
    admin_kubeconfig: str,
    make_namespace: Callable[[str], str],
) -> None:
    namespace = make_namespace(scenario)
    bundle = SCENARIOS[scenario]().with_namespace(namespace)

    result = seed(admin, bundle, as_created=True)

    assert set(result.dropped) <= KNOWN_PRUNED
    expected = _without(bundle, result.dropped)
    created = _creation_times(admin, namespace)
    live = LiveSource.connect(kubeconfig=admin_kubeconfig, as_of=result.as_of)
    for name in sorted(
        o["metadata"]["name"] for o in bundle.objects if o["kind"] == "PodCliqueSet"
    ):
        for report in REPORTS:
            got = core.run(report, live, namespace, name).model_dump(mode="json")
            now = datetime.fromisoformat(got["as_of"].replace("Z", "+00:00")) - result.shift
            want = core.run(report, BundleSource(expected, now=now), namespace, name)
            want = want.model_dump(mode="json")
            got, want = _aligned(
                _normalised(got, timedelta(0)), _normalised(want, result.shift), created
            )
            assert got == want, f"{scenario}: {report} of {name} differs"
    live.close()


def test_fields_the_crd_prunes_are_reported(admin: KubeClient, namespace: str) -> None:
    bundle = SCENARIOS["healthy"]()
    newer = tuple(  # a PodGang field from Grove PR #792, newer than the installed CRD
        {**o, "status": {**o["status"], "lastScheduled": "2026-11-20T12:16:00Z"}}
        if o["kind"] == "PodGang"
        else o
        for o in bundle.objects
    )

    result = seed(admin, replace(bundle, objects=newer), namespace=namespace)

    gangs = sum(1 for o in newer if o["kind"] == "PodGang")
    assert result.dropped == (("PodGang", "status.lastScheduled"),)
    assert f"the API server dropped PodGang status.lastScheduled from {gangs} object(s)" in (
        " ".join(result.notes)
    )


def test_reseeding_updates_in_place(admin: KubeClient, namespace: str) -> None:
    bundle = SCENARIOS["healthy"]()

    first = seed(admin, bundle, namespace=namespace)
    again = seed(admin, bundle, namespace=namespace)

    namespaced = [
        d for d in first.created if d.split()[0] not in ("Node", "ClusterTopologyBinding")
    ]
    assert namespaced and not set(namespaced) & set(again.created)
    assert set(namespaced) <= set(again.updated)


def test_cluster_viewer_sees_what_admin_sees(
    admin: KubeClient,
    admin_kubeconfig: str,
    cluster_viewer_kubeconfig: str,
    namespace: str,
) -> None:
    seed(admin, SCENARIOS["demo"](), namespace=namespace)
    as_admin, as_viewer = (
        core.run("topology", LiveSource.connect(kubeconfig=path), namespace, "my-inference")
        for path in (admin_kubeconfig, cluster_viewer_kubeconfig)
    )

    def comparable(report: Any) -> Any:  # as_of: the two calls may straddle a second
        return {**_normalised(report.model_dump(mode="json"), timedelta(0)), "as_of": 0}

    assert not [note for note in as_viewer.notes if "RBAC" in note]
    assert comparable(as_viewer) == comparable(as_admin)


# --- helpers --------------------------------------------------------------------------------


def _creation_times(kube: KubeClient, namespace: str) -> set[str]:
    """Every creationTimestamp the server gave the seeded objects."""
    times = set()
    for kind in (k.KINDS[name] for name in ORDER):
        body = kube.request("GET", kind, namespace if kind.namespaced else None)
        times |= {item["metadata"]["creationTimestamp"] for item in body["items"]}
    return times


def _without(bundle: Bundle, dropped: tuple[tuple[str, str], ...]) -> Bundle:
    """The bundle minus the fields the server pruned."""
    objects = copy.deepcopy(list(bundle.objects))
    for kind, path in dropped:
        for obj in (o for o in objects if o["kind"] == kind):
            _remove(obj, path.split("."))
    return replace(bundle, objects=tuple(objects))


def _remove(value: Any, parts: list[str]) -> None:
    head, rest = parts[0], parts[1:]
    if head.endswith("[]"):
        for item in value.get(head[:-2]) or []:
            _remove(item, rest)
    elif not rest:
        value.pop(head, None)
    elif isinstance(value.get(head), dict):
        _remove(value[head], rest)


def _shifted(text: str, shift: timedelta) -> str:
    """``text`` with every UTC time in it moved by ``shift``, in the same format."""

    def move(match: re.Match[str]) -> str:
        stamp = match.group(0)
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00").replace(" ", "T"))
        moved = (moment + shift).astimezone(UTC)
        return moved.strftime(f"%Y-%m-%d{stamp[10]}%H:%M:%S{'.%f' if '.' in stamp else ''}Z")

    return TIME.sub(move, text)


def _normalised(value: Any, shift: timedelta) -> Any:
    """Without ``source``, every time moved by ``shift``."""
    if isinstance(value, dict):
        return {key: _normalised(item, shift) for key, item in value.items() if key != "source"}
    if isinstance(value, list):
        return [_normalised(item, shift) for item in value]
    return _shifted(value, shift) if isinstance(value, str) else value


def _aligned(got: Any, want: Any, created: set[str]) -> tuple[Any, Any]:
    """Both reports with creation-derived values (judged on the live side) as placeholders."""
    if isinstance(got, dict) and isinstance(want, dict):
        pairs = {}
        for key in got.keys() & want.keys():
            if key in ("created_at", "age_seconds") or (key == "since" and got[key] in created):
                pairs[key] = (CREATED, CREATED)
            else:
                pairs[key] = _aligned(got[key], want[key], created)
        return (
            {**got, **{key: a for key, (a, _) in pairs.items()}},
            {**want, **{key: b for key, (_, b) in pairs.items()}},
        )
    if isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        items = [_aligned(a, b, created) for a, b in zip(got, want, strict=True)]
        return [a for a, _ in items], [b for _, b in items]
    return got, want
