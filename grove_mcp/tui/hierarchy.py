"""View 1: the tree PodCliqueSet → PodGang → PodClique → Pod, from the status and topology
reports of one frame. Pure: it builds rows (key, label, children); the app puts them in a Tree."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from rich.text import Text

from ..render.widgets import bar, ratio_style, score_text, state_text
from ..reports.status import CliqueRow, GangRow, StatusReport
from ..reports.topology import DomainPlacement, PodPlacement, TopologyReport
from .feed import Frame


@dataclass(frozen=True)
class Selected:
    """The object a row stands for: what `y`, `d` and `l` act on."""

    kind: str  # PodCliqueSet, PodGang, PodClique, Pod
    namespace: str
    name: str
    pcs: str  # the PodCliqueSet it belongs to


@dataclass
class Row:
    key: Selected
    label: Text
    children: list[Row] = field(default_factory=list)
    words: str = ""  # what the filter matches

    def matches(self, needle: str) -> bool:
        return needle in self.words.lower() or any(c.matches(needle) for c in self.children)


@dataclass(frozen=True)
class PlacedPod:
    pod: PodPlacement
    node: str | None


def rows(frame: Frame, needle: str = "") -> list[Row]:
    """The tree's top rows, one per PodCliqueSet; with ``needle``, only rows that match it
    (by name, or through a descendant's name)."""
    placed = {t.name: t for t in frame.topology.items}
    built = [_pcs_row(s, placed.get(s.overview.name)) for s in frame.status.items]
    return _filtered(built, needle.lower()) if needle else built


def _filtered(found: list[Row], needle: str) -> list[Row]:
    kept = []
    for row in found:
        if needle in row.words.lower():
            kept.append(row)  # a match keeps everything below it
        elif row.matches(needle):
            kept.append(Row(row.key, row.label, _filtered(row.children, needle), row.words))
    return kept


def _pcs_row(report: StatusReport, placement: TopologyReport | None) -> Row:
    o, s = report.overview, report.summary
    label = Text.assemble(("PodCliqueSet ", "bold"), (o.name, "bold"))
    label.append(
        f"  {o.available_replicas}/{o.replicas} available",
        ratio_style(o.available_replicas, o.replicas),
    )
    label.append(
        f"  gangs {s.gangs_healthy}/{s.gangs_total} healthy",
        ratio_style(s.gangs_healthy, s.gangs_total),
    )
    key = Selected("PodCliqueSet", report.namespace, o.name, o.name)
    pods = _pods_by_clique(placement)
    cliques: dict[str | None, list[CliqueRow]] = defaultdict(list)
    for clique in report.cliques:
        cliques[clique.gang].append(clique)
    children = [_gang_row(report, g, cliques.pop(g.name, []), pods) for g in report.gangs]
    for _, rest in sorted(cliques.items(), key=lambda item: str(item[0])):
        children += [_clique_row(report, c, pods) for c in rest]  # in no gang the report lists
    return Row(key, label, children, o.name)


def _gang_row(
    report: StatusReport,
    gang: GangRow,
    cliques: list[CliqueRow],
    pods: dict[tuple[str | None, str], list[PlacedPod]],
) -> Row:
    label = Text.assemble("PodGang ", (gang.name, "bold"), "  ")
    label.append_text(state_text(gang.state))
    label.append(f"  {gang.pods_ready}/{gang.pods_total} ready  score ")
    derived = gang.derived_placement.score if gang.derived_placement else None
    label.append_text(score_text(derived, width=0))
    reported = gang.reported_placement_score
    label.append(f"(reported {'n/a' if reported is None else f'{reported:.2f}'})", "dim")
    key = Selected("PodGang", report.namespace, gang.name, report.overview.name)
    children = [_clique_row(report, c, pods) for c in cliques]
    return Row(key, label, children, gang.name)


def _clique_row(
    report: StatusReport, clique: CliqueRow, pods: dict[tuple[str | None, str], list[PlacedPod]]
) -> Row:
    style = ratio_style(clique.ready, clique.replicas, clique.min_available)
    fraction = clique.ready / clique.replicas if clique.replicas else 0.0
    label = Text.assemble("PodClique ", (clique.clique, "bold"), " ")
    label.append_text(bar(fraction, width=6, style=style))
    label.append(f" {clique.ready}/{clique.replicas} ready  min {clique.min_available}", style)
    if clique.breached:
        label.append("  breached", "bold red")
    key = Selected("PodClique", report.namespace, clique.name, report.overview.name)
    children = [_pod_row(report, placed) for placed in pods.get((clique.gang, clique.clique), [])]
    return Row(key, label, children, clique.name)


def _pod_row(report: StatusReport, placed: PlacedPod) -> Row:
    pod = placed.pod
    phase = pod.phase or "?"
    style = "green" if pod.ready else ("red" if phase in ("Pending", "Failed") else "yellow")
    label = Text.assemble(
        (pod.name, ""), "  ", (phase + ("" if pod.ready else " (not ready)"), style)
    )
    label.append(f"  {placed.node or 'no node'}", "" if placed.node else "red")
    label.append(f"  {pod.gpus} GPU" if pod.gpus else "  no GPU", "dim")
    key = Selected("Pod", report.namespace, pod.name, report.overview.name)
    return Row(key, label, [], pod.name)


def _pods_by_clique(
    placement: TopologyReport | None,
) -> dict[tuple[str | None, str], list[PlacedPod]]:
    """The pods of the topology report by (gang, template clique), by name."""
    found: dict[tuple[str | None, str], list[PlacedPod]] = defaultdict(list)
    if placement is None:
        return found
    for pod, node in _placed(placement.tree):
        found[(pod.gang, pod.clique)].append(PlacedPod(pod, node))
    for gang in placement.gangs:
        for pod in gang.unscheduled_pods:
            found[(pod.gang, pod.clique)].append(PlacedPod(pod, None))
    for pods in found.values():
        pods.sort(key=lambda p: p.pod.name)
    return found


def _placed(domains: list[DomainPlacement]) -> Iterator[tuple[PodPlacement, str]]:
    for domain in domains:
        for node in domain.nodes:
            for pod in node.pods:
                yield pod, node.name
        yield from _placed(domain.domains)
