"""The derived placement score: how close a gang's actual placement is to the tightest possible.

Grove's ``PodGang.status.placementScore`` is written by no scheduler today, so grove-mcp computes
an *observed* score from where the pods are, always labelled as derived.

For a gang whose scheduled GPU pods P request G > 0 GPUs in total, at every topology level ℓ
(broadest first, i = 0 … n-1):

* ``span(ℓ)``    = distinct domains at ℓ holding pods of P (a node without the level's label
                   counts as a domain of its own),
* ``minimum(ℓ)`` = the fewest domains at ℓ that can hold P: the largest domains (by allocatable
                   GPUs) are tried, k = 1, 2, …, packing P's pods first-fit-decreasing into their
                   nodes' allocatable GPUs; capped at span(ℓ), which the actual placement proves,
* ``e(ℓ)``       = minimum(ℓ) / span(ℓ), in (0, 1],
* ``w(ℓ)``       = i + 1, so narrower levels (host, rack: NVLink, same switch) weigh more,

and ``score = Σ w(ℓ)·e(ℓ) / Σ w(ℓ)``. 1.0 means the gang spans the fewest domains achievable at
every level. Pods without GPUs (routers, frontends) do not count: where they run does not make
a gang's GPU traffic cross racks. Moving a pod onto a node that already runs the gang's GPU pods
never lowers the score (G and every minimum(ℓ) stay, no span(ℓ) grows). Pending pods do not
count. No score (None) when no GPU pod is placed or the nodes' GPU capacity is not reported
(e.g. GPUs only through DRA, without device-plugin allocatable).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..grove import Node, NodeIndex, TopologyLevel


@dataclass(frozen=True)
class PlacedPod:
    """A scheduled pod reduced to what placement needs."""

    name: str
    node: str
    gpus: int


@dataclass(frozen=True)
class LevelPlacement:
    domain: str
    key: str
    weight: int
    span: int
    minimum: int
    domains: tuple[str, ...]

    @property
    def efficiency(self) -> float:
        return self.minimum / self.span if self.span else 1.0


@dataclass(frozen=True)
class Placement:
    score: float
    gpus: int
    pods: int
    levels: tuple[LevelPlacement, ...]

    def level(self, domain: str) -> LevelPlacement | None:
        return next((lv for lv in self.levels if lv.domain == domain), None)


def domain_of(node_name: str, node: Node | None, key: str) -> str:
    """The node's value for a topology key; a stand-in naming the node when unlabelled."""
    if node is not None and key in node.labels:
        return node.labels[key]
    return f"<no {key}: {node_name}>"


def domain_nodes(nodes: Iterable[Node], key: str) -> dict[str, list[int]]:
    """Allocatable GPUs of each node, grouped by domain at one level."""
    grouped: dict[str, list[int]] = {}
    for node in nodes:
        grouped.setdefault(domain_of(node.name, node, key), []).append(node.allocatable_gpus)
    return grouped


def ranked_domains(nodes: Mapping[str, Node], key: str) -> list[list[int]]:
    """The nodes' allocatable GPUs of each domain at one level, largest domain first (ties by
    name); once per snapshot's ``NodeIndex`` (callers don't mutate it)."""

    def rank() -> list[list[int]]:
        domains = domain_nodes(nodes.values(), key)
        return [domains[d] for d in sorted(domains, key=lambda d: (-sum(domains[d]), d))]

    return nodes.memo(("ranked", key), rank) if isinstance(nodes, NodeIndex) else rank()


def _fits(sizes: list[int], capacities: list[int]) -> bool:
    """First-fit-decreasing of pod sizes into node capacities."""
    free = sorted(capacities, reverse=True)
    for size in sorted(sizes, reverse=True):
        slot = next((i for i, room in enumerate(free) if room >= size), None)
        if slot is None:
            return False
        free[slot] -= size
    return True


def minimum_domains(sizes: list[int], ranked: list[list[int]]) -> int | None:
    """Fewest domains (``ranked_domains``: largest first) whose nodes hold ``sizes``; None if
    all of them cannot."""
    capacities: list[int] = []
    for count, nodes in enumerate(ranked, 1):
        capacities += nodes
        if _fits(sizes, capacities):
            return count
    return None


def score_placement(
    pods: Sequence[PlacedPod], nodes: Mapping[str, Node], levels: Sequence[TopologyLevel]
) -> Placement | None:
    """The derived score of scheduled GPU pods, or None when it cannot be computed."""
    gpu_pods = [p for p in pods if p.gpus > 0]
    if not gpu_pods or not levels:
        return None
    sizes = [p.gpus for p in gpu_pods]
    measured: list[LevelPlacement] = []
    for index, level in enumerate(levels):
        spanned = sorted({domain_of(p.node, nodes.get(p.node), level.key) for p in gpu_pods})
        minimum = minimum_domains(sizes, ranked_domains(nodes, level.key))
        if minimum is None:
            return None  # the nodes' GPU capacity is not reported: no honest minimum
        measured.append(
            LevelPlacement(
                level.domain,
                level.key,
                index + 1,
                len(spanned),
                min(minimum, len(spanned)),
                tuple(spanned),
            )
        )
    total_weight = sum(lv.weight for lv in measured)
    score = sum(lv.weight * lv.efficiency for lv in measured) / total_weight
    return Placement(round(score, 4), sum(sizes), len(gpu_pods), tuple(measured))
