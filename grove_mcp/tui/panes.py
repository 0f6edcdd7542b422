"""Views 2-5 as rich renderables, from one frame (and the metrics history). Pure: the app puts
them in scrolling panes and redraws them when a frame arrives or, for countdowns, every second.

Cells keep their meaning without colour (NO_COLOR, light terminals): this workload █, other
workloads ▒, free ░, unknown ?; states carry a mark as well as a colour."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..render import metrics_lines as fmt
from ..render.widgets import (
    Hanging,
    bar,
    finding_lines,
    gpu_bar,
    ratio_style,
    score_text,
    state_text,
)
from ..reports.health import GangHealth, HealthReport
from ..reports.metrics import Latency, MetricsReport, PlanRow, RoleMetrics
from ..reports.topology import DomainPlacement, TopologyReport
from .feed import Frame, MetricsResult

SPARK = "▁▂▃▄▅▆▇█"
HISTORY = 40  # metrics windows kept for the sparklines
UNREAD_SHOWN = 3  # pods whose metrics could not be read, named with why


def _title(text: str) -> Text:
    return Text(text, style="bold underline")


def _matches(needle: str, *names: str | None) -> bool:
    return not needle or any(needle in (n or "").lower() for n in names)


# --- 2 topology ----------------------------------------------------------------------------------


def topology_pane(frame: Frame, needle: str = "") -> RenderableType:
    parts: list[RenderableType] = []
    for report in frame.topology.items:
        parts += _topology(report, needle.lower())
    if not frame.topology.items:
        parts.append(Text("No PodCliqueSet in this namespace.", style="dim"))
    parts.append(
        Text(
            "█ this workload  ▒ other workloads  ░ free  ? not reported  ✗ fragmented  "
            "prefill×4: a prefill pod with 4 GPUs",
            "dim",
        )
    )
    return Group(*parts)


def _topology(report: TopologyReport, needle: str) -> list[RenderableType]:
    head = Text.assemble(_title(f"{report.name}"), "  placement ")
    head.append_text(score_text(report.placement_score, width=8))
    head.append(f"  topology {report.topology.name or report.topology.kind}", "dim")
    lines: list[RenderableType] = [head]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    for domain, depth in _domains(report.tree):
        if domain.nodes and not any(_node_matches(n, needle) for n in domain.nodes):
            continue
        mark = Text(" ✗ fragmented", "bold red") if domain.verdict == "fragmented" else Text("")
        label = Text("  " * depth + f"{domain.level} {domain.name}", "bold")
        grid.add_row(label + mark, Text(""), Text(_usage(domain), "dim"))
        for node in domain.nodes:
            if not _node_matches(node, needle):
                continue
            g = node.gpus
            cells = gpu_bar(g.this_workload, g.other_workloads, g.allocatable)
            pods = ", ".join(f"{p.clique}×{p.gpus}" for p in node.pods if p.gpus)
            name = Text("  " * (depth + 1) + node.name)
            if node.ready is False or node.schedulable is False:
                name.append(" (not ready)" if node.ready is False else " (cordoned)", "yellow")
            grid.add_row(name, cells, Text(pods, "dim"))
    lines.append(grid)
    pending = [p for g in report.gangs for p in g.unscheduled_pods]
    if pending:
        names = ", ".join(f"{p.name} ({p.gpus} GPU)" for p in pending)
        lines.append(Text(f"Not placed: {names}", "red"))
    for rec in report.recommendations:
        advice = Text("→ ", "bold")
        advice.append(rec.explanation.split(". ")[0] + ".")
        lines.append(advice)
        lines += [Text(f"    $ {command}", "cyan") for command in rec.commands]
    if not report.recommendations:
        lines.append(Text("No consolidation advice: every gang is as tight as it can be.", "dim"))
    lines.append(Text(""))
    return lines


def _node_matches(node: object, needle: str) -> bool:
    name = getattr(node, "name", "")
    pods = getattr(node, "pods", [])
    return _matches(needle, name, *(p.name for p in pods))


def _domains(
    domains: list[DomainPlacement], depth: int = 0
) -> Iterable[tuple[DomainPlacement, int]]:
    for domain in domains:
        yield domain, depth
        yield from _domains(domain.domains, depth + 1)


def _usage(domain: DomainPlacement) -> str:
    g = domain.gpus
    free = "?" if g.free is None else str(g.free)
    total = "?" if g.allocatable is None else str(g.allocatable)
    return f"{g.this_workload} this · {free} free of {total} GPUs"


# --- 3 health ------------------------------------------------------------------------------------


def clock(seconds: int) -> str:
    """``3h 42m 05s`` (a countdown that visibly ticks); ``overdue 5m 01s`` past zero."""
    sign, seconds = ("overdue ", -seconds) if seconds < 0 else ("", seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return (
        f"{sign}{hours}h {minutes:02d}m {secs:02d}s" if hours else f"{sign}{minutes}m {secs:02d}s"
    )


def health_pane(frame: Frame, now: datetime, needle: str = "") -> RenderableType:
    parts: list[RenderableType] = []
    for report in frame.health.items:
        if _matches(needle.lower(), report.name, *(g.name for g in report.gangs)):
            parts += _health(report, now)
    if not frame.health.items:
        parts.append(Text("No PodCliqueSet in this namespace.", style="dim"))
    return Group(*parts)


def _health(report: HealthReport, now: datetime) -> list[RenderableType]:
    head = Text.assemble(_title(report.name), "  ")
    head.append(report.summary.text, "green" if report.summary.ok else "red")
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
    for column in ("gang", "state", "cliques below min", "Grove terminates it"):
        table.add_column(column, no_wrap=column != "cliques below min")
    for gang in report.gangs:
        table.add_row(gang.name, state_text(gang.state), _below(gang), _countdown(gang, now))
    lines: list[RenderableType] = [head, table]
    for gang in report.gangs:
        if gang.termination is not None:
            deadline = gang.termination.deadline.strftime("%Y-%m-%d %H:%M:%SZ")
            what = Text(f"{gang.name}: {gang.termination.action} at {deadline}.", "red")
            lines.append(Hanging(what, 2, 4))
    issues = [*report.issues, *(issue for gang in report.gangs for issue in gang.issues)]
    if issues:
        lines.append(Text("Issues", style="bold"))
        lines += finding_lines(issues, indent=2)
    lines.append(Text(""))
    return lines


def _below(gang: GangHealth) -> Text:
    below = [c for c in gang.cliques if c.threshold == "below"]
    if not below:
        return Text("none", "green")
    return Text(", ".join(f"{c.clique} {c.ready}/{c.min_available}" for c in below), "red")


def _countdown(gang: GangHealth, now: datetime) -> Text:
    term = gang.termination
    if term is None:
        return Text("no countdown", "dim")
    left = int((term.deadline - now).total_seconds())
    fraction = (
        max(0.0, min(1.0, left / term.termination_delay_seconds))
        if term.termination_delay_seconds
        else 0.0
    )
    style = "red" if fraction < 0.25 else "yellow"
    text = Text(f"in {clock(left)} " if left >= 0 else f"due, {clock(left)} ", style)
    text.append_text(bar(fraction, width=8, style=style))
    return text


# --- 4 metrics -----------------------------------------------------------------------------------


@dataclass
class MetricsHistory:
    """The windows read so far for one PodCliqueSet (the sparklines' points)."""

    pcs: str | None = None
    last: MetricsResult | None = None
    points: dict[str, deque[float | None]] = field(default_factory=dict)
    windows: int = 0

    def add(self, result: MetricsResult) -> None:
        if result.pcs != self.pcs:
            self.pcs, self.points, self.windows = result.pcs, {}, 0
        self.last = result
        if result.report is None:
            return
        self.windows += 1
        for key, value in _figures(result.report).items():
            self.points.setdefault(key, deque(maxlen=HISTORY)).append(value)

    def spark(self, key: str) -> str:
        return sparkline(list(self.points.get(key, ())))


def _p99(latency: Latency | None) -> float | None:
    return latency.p99.ms if latency is not None and latency.p99 is not None else None


def _figures(report: MetricsReport) -> dict[str, float | None]:
    figures: dict[str, float | None] = {
        "deployment out": report.throughput.output_tokens_per_second,
        "deployment ttft": _p99(report.ttft),
        "deployment tpot": _p99(report.tpot or report.itl),
    }
    for role in report.roles:
        figures[f"{role.role} out"] = role.output_tokens_per_second
        figures[f"{role.role} ttft"] = _p99(role.ttft)
        figures[f"{role.role} tpot"] = _p99(role.tpot or role.itl)
    return figures


def sparkline(values: list[float | None]) -> str:
    """One block per window, scaled to the series' own maximum; a gap where one had no data."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    top = max(known) or 1.0
    return "".join(
        " " if v is None else SPARK[min(len(SPARK) - 1, int(v / top * (len(SPARK) - 1)))]
        for v in values
    )


def metrics_pane(history: MetricsHistory, live: bool, window: float) -> RenderableType:
    last = history.last
    if last is None:
        what = f"a {window:g} s window" if live else "the recorded window"
        return Text(f"Reading metrics ({what}) …", style="dim")
    if last.report is None:
        return Group(
            Text(f"Metrics of {last.pcs} could not be read:", "bold red"),
            Text(last.error or "", "red"),
            Text("Retrying with the next window." if live else "", "dim"),
        )
    report = last.report
    head = Text.assemble(_title(f"{report.name}"), "  ")
    head.append(report.summary.text, "green" if report.summary.ok else "red")
    count = "1 window recorded" if not live else f"{history.windows} window(s) of {window:g} s"
    head.append(f"  ({count}; {fmt.window(report)})", "dim")
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
    for column in ("role", "out tok/s", "TTFT p99", "TPOT p99", "verdict"):
        table.add_column(column, no_wrap=True)
    table.add_row(
        "deployment",
        _with_spark(
            fmt.rate(report.throughput.output_tokens_per_second), history, "deployment out"
        ),
        _against(_p99(report.ttft), _sla(report.plan, "TTFT"), history, "deployment ttft"),
        _against(
            _p99(report.tpot or report.itl), _sla(report.plan, "TPOT"), history, "deployment tpot"
        ),
        Text(""),
    )
    for role in report.roles:
        table.add_row(*_role_cells(role, report, history))
    parts: list[RenderableType] = [head, table]
    unread = [pod for pod in report.pods if not pod.read]
    for pod in unread[:UNREAD_SHOWN]:
        parts.append(Hanging(Text(f"{pod.pod}: {pod.error or 'not read'}", "yellow"), 2, 4))
    if len(unread) > UNREAD_SHOWN:
        parts.append(Text(f"  … and {len(unread) - UNREAD_SHOWN} more pods not read", "yellow"))
    if report.plan:
        parts.append(Text("Against the plan", style="bold"))
        parts += [_plan_line(row) for row in report.plan]
    return Group(*parts)


def _role_cells(role: RoleMetrics, report: MetricsReport, history: MetricsHistory) -> list[Text]:
    verdict_style = {"saturated": "red", "underutilized": "yellow", "ok": "green"}.get(
        role.verdict.value, "dim"
    )
    return [
        Text(f"{role.role} ({role.kind})"),
        _with_spark(fmt.rate(role.output_tokens_per_second), history, f"{role.role} out"),
        _against(_p99(role.ttft), _sla(report.plan, "TTFT"), history, f"{role.role} ttft"),
        _against(
            _p99(role.tpot or role.itl), _sla(report.plan, "TPOT"), history, f"{role.role} tpot"
        ),
        Text(role.verdict.value, verdict_style),
    ]


def _sla(plan: list[PlanRow], metric: str) -> float | None:
    return next(
        (r.planned for r in plan if r.metric.startswith(metric) and "SLA" in r.metric), None
    )


def _with_spark(value: str, history: MetricsHistory, key: str) -> Text:
    return Text.assemble(value, " ", (history.spark(key), "cyan"))


def _against(ms: float | None, target: float | None, history: MetricsHistory, key: str) -> Text:
    if ms is None:
        return Text("n/a", "dim")
    style = "" if target is None else ("green" if ms <= target else "red")
    text = Text(fmt.ms(ms), style)
    if target is not None:
        text.append(f"/{fmt.ms(target)}", "dim")
    text.append(" " + history.spark(key), "cyan")
    return text


def _plan_line(row: PlanRow) -> Text:
    mark, style = (
        ("✓", "green") if row.met else (("✗", "red") if row.met is False else ("?", "dim"))
    )
    planned = "n/a" if row.planned is None else f"{row.planned:g}"
    actual = "n/a" if row.actual is None else f"{row.actual:.4g}"
    return Text(f"  {mark} {row.metric}: {actual} {row.unit} (plan {planned})", style)


# --- 5 updates -----------------------------------------------------------------------------------


def updates_pane(frame: Frame, needle: str = "") -> RenderableType:
    parts: list[RenderableType] = []
    for report in frame.status.items:
        update = report.overview.update
        head = Text.assemble(_title(report.overview.name), "  ")
        if update is None:
            head.append("no rolling update recorded", "dim")
        elif update.in_progress:
            head.append("rolling update in progress", "yellow")
            if update.replicas_updating:
                head.append(f" (replicas {', '.join(map(str, update.replicas_updating))})")
        else:
            head.append("last rolling update finished", "green")
        if update is not None and update.total_cliques:
            head.append(f"  cliques {update.updated_cliques}/{update.total_cliques}", "dim")
        if update is not None and update.total_scaling_groups:
            head.append(
                f"  scaling groups {update.updated_scaling_groups}/{update.total_scaling_groups}",
                "dim",
            )
        table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
        for column in ("podclique", "updated", "", "ready"):
            table.add_column(column, no_wrap=True)
        for clique in report.cliques:
            if not _matches(needle.lower(), clique.name):
                continue
            style = ratio_style(clique.updated, clique.replicas)
            fraction = clique.updated / clique.replicas if clique.replicas else 1.0
            table.add_row(
                clique.name,
                Text(f"{clique.updated}/{clique.replicas}", style),
                bar(fraction, width=12, style=style),
                Text(
                    f"{clique.ready}/{clique.replicas}", ratio_style(clique.ready, clique.replicas)
                ),
            )
        parts += [head, table, Text("")]
    if not frame.status.items:
        parts.append(Text("No PodCliqueSet in this namespace.", style="dim"))
    return Group(*parts)
