"""The derived placement score: worked examples from the README, and its promised properties."""

from __future__ import annotations

import random

import pytest

from grove_mcp.capabilities.placement import (
    PlacedPod,
    minimum_domains,
    ranked_domains,
    score_placement,
)
from grove_mcp.grove import Node, NodeIndex, TopologyLevel

LEVELS = [
    TopologyLevel(domain="region", key="region"),
    TopologyLevel(domain="zone", key="zone"),
    TopologyLevel(domain="rack", key="rack"),
    TopologyLevel(domain="host", key="kubernetes.io/hostname"),
]


def node(name: str, rack: str, zone: str = "z1", gpus: int = 8) -> Node:
    return Node.model_validate(
        {
            "metadata": {
                "name": name,
                "labels": {
                    "region": "r1",
                    "zone": zone,
                    "rack": rack,
                    "kubernetes.io/hostname": name,
                },
            },
            "status": {"allocatable": {"nvidia.com/gpu": str(gpus)}},
        }
    )


# Three racks of two 8-GPU nodes, as in the demo.
NODES = {
    n.name: n
    for n in [
        node("a1", "ra"),
        node("a2", "ra"),
        node("b1", "rb"),
        node("b2", "rb"),
        node("c1", "rc"),
        node("c2", "rc"),
    ]
}


def test_packed_gang_scores_one():
    # 12 GPUs need 2 hosts and 1 rack; the gang uses exactly that.
    pods = [
        PlacedPod("p0", "a1", 4),
        PlacedPod("p1", "a1", 4),
        PlacedPod("d0", "a2", 2),
        PlacedPod("d1", "a2", 2),
        PlacedPod("r", "a2", 0),
    ]
    placement = score_placement(pods, NODES, LEVELS)
    assert placement is not None
    assert placement.score == 1.0
    assert [(lv.span, lv.minimum) for lv in placement.levels] == [(1, 1), (1, 1), (1, 1), (2, 2)]


def test_demo_gang_split_over_two_racks_scores_0_65():
    # 8 GPUs fit one host: rack e = 1/2, host e = 1/2 → (1·1 + 2·1 + 3·½ + 4·½) / 10 = 0.65
    pods = [
        PlacedPod("p0", "b1", 4),
        PlacedPod("d0", "b1", 2),
        PlacedPod("d1", "c1", 2),
        PlacedPod("r", "c1", 0),
    ]
    placement = score_placement(pods, NODES, LEVELS)
    assert placement is not None
    assert placement.score == pytest.approx(0.65)
    assert placement.level("rack").domains == ("rb", "rc")


def test_consolidated_into_one_rack_two_hosts_scores_0_8():
    pods = [
        PlacedPod("p0", "b1", 4),
        PlacedPod("d0", "b1", 2),
        PlacedPod("d1", "b2", 2),
        PlacedPod("r", "b1", 0),
    ]
    placement = score_placement(pods, NODES, LEVELS)
    assert placement is not None
    assert placement.score == pytest.approx(0.8)


def test_narrow_levels_weigh_more_than_broad_ones():
    nodes = {**NODES, "z2": node("z2", "rz", zone="z2")}
    split_hosts = [PlacedPod("x", "a1", 2), PlacedPod("y", "a2", 2)]  # same rack, 2 hosts
    split_zones = [PlacedPod("x", "a1", 2), PlacedPod("y", "z2", 2)]  # 2 zones, racks, hosts
    only_hosts = score_placement(split_hosts, nodes, LEVELS)
    everywhere = score_placement(split_zones, nodes, LEVELS)
    assert only_hosts is not None and everywhere is not None
    assert only_hosts.score == pytest.approx((1 + 2 + 3 + 4 * 0.5) / 10)
    assert everywhere.score < only_hosts.score


def test_pods_without_gpus_do_not_count():
    # A router on a CPU node in another rack does not make the GPU pods' placement worse.
    nodes = {**NODES, "cpu1": node("cpu1", "rz", gpus=0)}
    packed = [PlacedPod("p0", "a1", 4), PlacedPod("p1", "a1", 4), PlacedPod("r", "cpu1", 0)]
    placement = score_placement(packed, nodes, LEVELS)
    assert placement is not None and placement.score == 1.0 and placement.pods == 2
    assert (
        score_placement([PlacedPod("r0", "a1", 0), PlacedPod("r1", "b1", 0)], NODES, LEVELS) is None
    )


def test_minimum_follows_pod_sizes_not_just_gpu_totals():
    # 5 pods of 3 GPUs on 8-GPU nodes: 15 GPUs, but only two pods fit a node, so 3 hosts is
    # the best achievable; a total-capacity bound would say 2 and never give 1.0.
    pods = [PlacedPod(f"p{i}", host, 3) for i, host in enumerate(["a1", "a1", "a2", "a2", "b1"])]
    nodes = {n: NODES[n] for n in ("a1", "a2", "b1")}
    placement = score_placement(pods, nodes, LEVELS)
    assert placement is not None
    assert placement.level("host").minimum == 3
    assert placement.level("rack").minimum == 2  # 2 nodes per rack hold 4 such pods


def test_unreported_capacity_gives_no_score():
    # GPUs only through DRA: allocatable nvidia.com/gpu is 0, so no honest minimum exists.
    nodes = {"d1": node("d1", "ra", gpus=0), "d2": node("d2", "rb", gpus=0)}
    assert (
        score_placement([PlacedPod("x", "d1", 2), PlacedPod("y", "d2", 2)], nodes, LEVELS) is None
    )


def test_moving_into_the_majority_rack_onto_a_new_host_can_lower_it():
    """The monotonicity holds for moves onto nodes already running the gang, not for any move
    into the majority domain of one level: a new host in the majority rack adds host spread."""
    pods = [PlacedPod("a", "a1", 2), PlacedPod("b", "b1", 2), PlacedPod("c", "b1", 2)]
    before = score_placement(pods, NODES, LEVELS)
    after = score_placement([pods[0], pods[1], PlacedPod("c", "b2", 2)], NODES, LEVELS)
    assert before is not None and after is not None
    assert after.score < before.score


def test_unlabelled_node_counts_as_its_own_domain():
    bare = Node.model_validate(
        {"metadata": {"name": "bare"}, "status": {"allocatable": {"nvidia.com/gpu": "8"}}}
    )
    nodes = {**NODES, "bare": bare}
    placement = score_placement([PlacedPod("x", "a1", 4), PlacedPod("y", "bare", 4)], nodes, LEVELS)
    assert placement is not None
    assert "<no rack: bare>" in placement.level("rack").domains


def test_nothing_placed_has_no_score():
    assert score_placement([], NODES, LEVELS) is None


@pytest.mark.parametrize(
    ("sizes", "domains", "expected"),
    [
        ([8], {"a": [8], "b": [8]}, 1),
        ([4, 4, 1], {"a": [8], "b": [8]}, 2),
        ([4, 4], {"a": [8, 8], "b": [8]}, 1),
        ([6, 6], {"a": [4, 4, 4], "b": [16]}, 1),  # the larger domain is tried first
        ([9], {"a": [8, 8]}, None),  # no node holds a 9-GPU pod
    ],
)
def test_minimum_domains(sizes, domains, expected):
    nodes = {
        f"{rack}-{i}": node(f"{rack}-{i}", rack, gpus=gpus)
        for rack, capacities in domains.items()
        for i, gpus in enumerate(capacities)
    }
    assert minimum_domains(sizes, ranked_domains(nodes, "rack")) == expected
    assert minimum_domains(sizes, ranked_domains(NodeIndex(nodes), "rack")) == expected


def test_a_snapshots_node_index_ranks_each_level_once():
    index = NodeIndex(NODES)
    assert ranked_domains(index, "rack") is ranked_domains(index, "rack")
    assert ranked_domains(index, "zone") is not ranked_domains(index, "rack")


def test_moving_a_pod_into_occupied_domains_never_lowers_the_score():
    """Monotonicity, on 2000 random gangs: move one pod onto a node the gang already uses."""
    rng = random.Random(20261126)
    racks = [f"r{i}" for i in range(4)]
    scored = 0
    for _ in range(2000):
        nodes = {}
        for i in range(rng.randint(2, 10)):
            name = f"n{i}"
            nodes[name] = node(
                name, rng.choice(racks), zone=rng.choice(["z1", "z2"]), gpus=rng.choice([4, 8])
            )
        names = list(nodes)
        pods = [
            PlacedPod(f"p{j}", rng.choice(names), rng.choice([1, 2, 4]))
            for j in range(rng.randint(2, 8))
        ]
        before = score_placement(pods, nodes, LEVELS)
        mover = rng.randrange(len(pods))
        targets = sorted({p.node for k, p in enumerate(pods) if k != mover})
        target = rng.choice(targets)
        moved = [
            PlacedPod(p.name, target if k == mover else p.node, p.gpus) for k, p in enumerate(pods)
        ]
        after = score_placement(moved, nodes, LEVELS)
        if before is None:  # the pods cannot fit these nodes at all: no score either way
            assert after is None
            continue
        assert after is not None
        assert after.score >= before.score - 1e-9, (pods, mover, target)
        scored += 1
    assert scored > 1000
