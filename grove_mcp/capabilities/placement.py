"""The derived placement score: how close a gang's actual placement is to the tightest possible.

Grove's ``PodGang.status.placementScore`` is written by no scheduler today, so grove-mcp computes
an *observed* score from where the pods are, always labelled as derived.

For a gang with scheduled pods P requesting G GPUs in total, at every topology level ℓ
(broadest first, i = 0 … n-1):

* ``span(ℓ)``    = distinct domains at ℓ holding pods of P (a node without the level's label
                   counts as a domain of its own),
* ``minimum(ℓ)`` = the fewest domains at ℓ whose allocatable GPUs add up to G (take domains by
                   capacity, largest first); 1 when G = 0,
* ``e(ℓ)``       = minimum(ℓ) / span(ℓ), in (0, 1],
* ``w(ℓ)``       = i + 1, so narrower levels (host, rack: NVLink, same switch) weigh more,

and ``score = Σ w(ℓ)·e(ℓ) / Σ w(ℓ)``. 1.0 means the gang spans the fewest domains achievable at
every level. Moving a pod into domains the gang already occupies (at every level) never lowers
the score: G and every ``minimum(ℓ)`` stay, no ``span(ℓ)`` grows. Pending pods are not placed
and do not count; the capacity bound ignores fragmentation by other workloads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..grove import Node, TopologyLevel


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


def domain_capacities(nodes: Iterable[Node], key: str) -> dict[str, int]:
    """Allocatable GPUs per domain at one level."""
    capacity: dict[str, int] = {}
    for node in nodes:
        domain = domain_of(node.name, node, key)
        capacity[domain] = capacity.get(domain, 0) + node.allocatable_gpus
    return capacity


def minimum_domains(capacities: Iterable[int], demand: int) -> int:
    """Fewest domains whose capacities reach ``demand`` (largest first); 1 for no demand."""
    if demand <= 0:
        return 1
    total, count = 0, 0
    for capacity in sorted(capacities, reverse=True):
        total += capacity
        count += 1
        if total >= demand:
            return count
    return max(count, 1)


def score_placement(
    pods: Sequence[PlacedPod], nodes: Mapping[str, Node], levels: Sequence[TopologyLevel]
) -> Placement | None:
    """The derived score of scheduled pods, or None when nothing is placed."""
    if not pods or not levels:
        return None
    demand = sum(p.gpus for p in pods)
    measured: list[LevelPlacement] = []
    for index, level in enumerate(levels):
        domains = sorted({domain_of(p.node, nodes.get(p.node), level.key) for p in pods})
        capacities = domain_capacities(nodes.values(), level.key)
        minimum = min(minimum_domains(capacities.values(), demand), len(domains))
        measured.append(
            LevelPlacement(
                level.domain, level.key, index + 1, len(domains), minimum, tuple(domains)
            )
        )
    total_weight = sum(lv.weight for lv in measured)
    score = sum(lv.weight * lv.efficiency for lv in measured) / total_weight
    return Placement(round(score, 4), demand, len(pods), tuple(measured))
