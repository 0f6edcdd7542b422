"""The capability table: every capability grove-mcp offers is declared here, once.

An entry says what the capability is called and does, whether it is about one PodCliqueSet or
all of them, which report model(s) it returns, what it needs from the sources, how it is built
and whether it can watch or writes. The front ends are made from it or checked against it: the
CLI commands, the MCP tools and resources, the RBAC list, the schema snapshots and the README's
command table, the Slack bot's commands (and next the TUI screens).

Adding a capability: one entry here, one capability module, one report model, one renderer per
format (CONTRIBUTING.md).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any

from ..errors import InvalidInput

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ..snapshot import Snapshot, SnapshotRequest
    from ..sources.base import Source
    from ..sources.metrics_collect import Collected


@cache
def load(ref: str) -> Any:
    """What ``"module:name"`` (a module of grove_mcp) names, imported on first use: the table
    names its report models, inputs and builders this way, so that reading it (a CLI's
    commands and help) imports no capability."""
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(f"grove_mcp.{module}"), name)


class Scope(StrEnum):
    """What a capability is about."""

    one = "one"  # one PodCliqueSet, named
    all = "all"  # every PodCliqueSet of the namespace
    both = "both"  # one, or all with --all
    none = "none"  # no PodCliqueSet (generate)


class Need(StrEnum):
    """What a capability reads from the sources."""

    workloads = "workloads"  # the PodCliqueSets
    children = "children"  # their PodCliques, scaling groups, PodGangs, pods; nodes, topology
    events = "events"  # the namespace's events
    cluster_usage = "cluster_usage"  # every live pod and ResourceClaim (GPUs of other workloads)
    plans = "plans"  # the ConfigMaps of stored plans
    grove_version = "grove_version"  # the Grove operator's Deployment, for its version (optional)
    quotas = "quotas"  # the namespace's ResourceQuotas and KAI's Queues (what caps GPUs)
    aiconfigurator = "aiconfigurator"  # an AIConfigurator run in a child process, no cluster
    cluster_setup = (
        "cluster_setup"  # topology bindings and KAI queues, read only when given a source
    )
    metrics = "metrics"  # a window of the pods' metrics: scraped, recorded, or from Prometheus
    capture = "capture"  # a live cluster read whole for a bundle: every LIST above, pods/log


SNAPSHOT_NEEDS = frozenset(Need) - {Need.aiconfigurator, Need.metrics, Need.capture}
# What a capability reads when it is given a cluster or bundle, and does without otherwise.
OPTIONAL_NEEDS = frozenset({Need.cluster_setup})


@dataclass(frozen=True)
class Inputs:
    """What a builder gets: the snapshot fetched for its needs, the name, its own arguments."""

    snapshot: Snapshot | None
    name: str | None
    args: Any = None
    source: Source | None = None  # for the capabilities that write or capture
    collected: Collected | None = None  # the metrics window, for capabilities that need it
    namespace: str | None = None  # the namespace asked for (resolved: never None in run)


Builder = Callable[[Inputs], "BaseModel"]


@dataclass(frozen=True)
class Capability:
    """One capability: everything a front end needs to offer it. Its report models and input
    type are named (``"module:name"``, see ``load``) and imported when first asked for."""

    name: str
    help: str
    scope: Scope
    report_at: str
    needs: frozenset[Need]
    build: Builder
    report_all_at: str | None = None
    watch: bool = False
    writes: bool = False
    repeats: bool = False  # --watch takes a new window after each one (not the watch API)
    optional_args: bool = False  # ``args()`` (its defaults) stands for input not given
    args_at: str | None = None  # the type of its own input, e.g. the plan to store
    files: bool = False  # what it writes is local files (where the front end says), not the cluster

    def __post_init__(self) -> None:
        if self.watch and self.scope is not Scope.both:
            raise TypeError(f"'{self.name}': watching is offered for a name or --all (scope both)")
        if self.writes and self.args_at is None:
            raise TypeError(f"'{self.name}': a capability that writes takes what it writes")

    @property
    def report(self) -> type[BaseModel]:
        report: type[BaseModel] = load(self.report_at)
        return report

    @property
    def report_all(self) -> type[BaseModel] | None:
        return load(self.report_all_at) if self.report_all_at else None

    @property
    def args(self) -> type | None:
        """The type of its own input (None: it takes none)."""
        return load(self.args_at) if self.args_at else None

    @property
    def reports(self) -> tuple[type[BaseModel], ...]:
        return (self.report, self.report_all) if self.report_all else (self.report,)

    @property
    def tool(self) -> str:
        """The MCP tool's name, e.g. grove_plan_show."""
        return "grove_" + self.name.replace(" ", "_")

    @property
    def words(self) -> list[str]:
        """The CLI words, e.g. ['plan', 'show']."""
        return self.name.split()

    def snapshot_request(
        self, namespace: str, name: str | None, operator_namespace: str | None = None
    ) -> SnapshotRequest | None:
        """What to fetch for it (None: it reads no cluster); ``operator_namespace`` narrows
        the look-up of Grove's operator to where it runs."""
        if not self.needs & SNAPSHOT_NEEDS:
            return None
        from ..snapshot import SnapshotRequest

        return SnapshotRequest(
            namespace,
            name,
            events=Need.events in self.needs,
            cluster_usage=Need.cluster_usage in self.needs,
            plans=Need.plans in self.needs,
            quotas=Need.quotas in self.needs,
            children=Need.children in self.needs,
            grove_version=Need.grove_version in self.needs,
            workloads=Need.workloads in self.needs,
            cluster_setup=Need.cluster_setup in self.needs,
            operator_namespace=operator_namespace,
        )

    @property
    def source_optional(self) -> bool:
        """It runs without a cluster or bundle too (reading one only when given)."""
        return self.needs & SNAPSHOT_NEEDS <= OPTIONAL_NEEDS

    def check(self, name: str | None, args: Any) -> None:
        """Refuse a call that does not fit the capability, before any API call."""
        if self.scope is Scope.one and not name:
            raise InvalidInput(f"'{self.name}' needs a PodCliqueSet name.")
        if self.scope in (Scope.all, Scope.none) and name:
            raise InvalidInput(f"'{self.name}' takes no PodCliqueSet name.")
        wanted = self.args
        if wanted is not None and not isinstance(args, wanted):
            if args is None and self.optional_args:
                return
            raise InvalidInput(f"'{self.name}' needs its input ({wanted.__name__}).")


def _per_workload(one: str | None = None, every: str | None = None) -> Builder:
    """A builder over the snapshot: ``one`` (``"module:function"``) for a name, ``every`` for
    the whole namespace (the entry's scope decides which a call may use)."""

    def build(inputs: Inputs) -> BaseModel:
        assert inputs.snapshot is not None
        if inputs.name and one is not None:
            report: BaseModel = load(one)(inputs.snapshot, inputs.name)
            return report
        assert every is not None
        report = load(every)(inputs.snapshot)
        return report

    return build


def _store(inputs: Inputs) -> BaseModel:
    from ..plans import build_plan_store

    assert inputs.snapshot is not None and inputs.source is not None and inputs.name
    return build_plan_store(inputs.snapshot, inputs.source, inputs.name, inputs.args)


def _generate(inputs: Inputs) -> BaseModel:
    from .. import aic

    return aic.generate_from(inputs.args, inputs.snapshot)


def _metrics(inputs: Inputs) -> BaseModel:
    from ..performance.metrics import build_metrics

    assert inputs.snapshot is not None and inputs.name and inputs.collected is not None
    return build_metrics(inputs.snapshot, inputs.name, inputs.args, inputs.collected)


def _compare(inputs: Inputs) -> BaseModel:
    from ..performance.compare import build_compare

    assert inputs.snapshot is not None and inputs.name and inputs.collected is not None
    return build_compare(inputs.snapshot, inputs.name, inputs.args, inputs.collected)


def _diagnose(inputs: Inputs) -> BaseModel:
    from ..diagnosis import build_diagnose

    assert inputs.snapshot is not None and inputs.name
    return build_diagnose(inputs.snapshot, inputs.name, inputs.args, inputs.collected)


def _replan(inputs: Inputs) -> BaseModel:
    from ..replan import build_replan

    assert inputs.snapshot is not None and inputs.name
    return build_replan(inputs.snapshot, inputs.name, inputs.args, inputs.collected)


def _diag(inputs: Inputs) -> BaseModel:
    from .diag import build_diag  # it runs the table's exit on the captured bundle

    return build_diag(inputs)


def _validate(inputs: Inputs) -> BaseModel:
    """Offline, unless given bindings: a --topology-file, else the source's (a cluster or a
    bundle; when they cannot be read, the level rules are skipped and the report says why)."""
    from ..capabilities.validate import (
        KnownTopologies,
        ValidateArgs,
        build_validate,
        topologies_from_text,
    )

    args: ValidateArgs = inputs.args
    known: KnownTopologies | None = None
    if args.topology is not None:
        known = topologies_from_text(args.topology)
    elif inputs.snapshot is not None:
        snapshot = inputs.snapshot
        bindings = snapshot.topologies if snapshot.topologies_available else None
        notes = snapshot.notes
        if bindings is None and not notes:
            notes = (f"{snapshot.source} serves no ClusterTopologyBinding (is Grove installed?).",)
        known = KnownTopologies(snapshot.source, bindings, notes)
    return build_validate(args, known)


_WORKLOAD = frozenset({Need.workloads, Need.children})

CAPABILITIES: tuple[Capability, ...] = (
    Capability(
        "list",
        "PodCliqueSets in the namespace, each with a one-line state.",
        Scope.all,
        "reports.listing:WorkloadList",
        _WORKLOAD,
        _per_workload(every="capabilities.listing:build_list"),
    ),
    Capability(
        "status",
        "Overview, clique statuses, gangs (state, placement) and a summary.",
        Scope.both,
        "reports.status:StatusReport",
        _WORKLOAD,
        _per_workload("capabilities.status:build_status", "capabilities.status:build_status_all"),
        report_all_at="reports.status:StatusList",
        watch=True,
    ),
    Capability(
        "topology",
        "Where the pods landed: topology tree with GPU use, verdicts and consolidation advice.",
        Scope.both,
        "reports.topology:TopologyReport",
        _WORKLOAD | {Need.cluster_usage},
        _per_workload(
            "capabilities.topology:build_topology", "capabilities.topology:build_topology_all"
        ),
        report_all_at="reports.topology:TopologyList",
        watch=True,
    ),
    Capability(
        "health",
        "Gang health: cliques vs minAvailable, Grove's termination countdown, issues.",
        Scope.both,
        "reports.health:HealthReport",
        _WORKLOAD | {Need.events, Need.cluster_usage, Need.quotas, Need.grove_version},
        _per_workload("capabilities.health:build_health", "capabilities.health:build_health_all"),
        report_all_at="reports.health:HealthList",
        watch=True,
    ),
    Capability(
        "metrics",
        "How fast it serves over a window: tok/s (per GPU), TTFT and TPOT/ITL p50/p90/p99, "
        "queues and KV-cache use per role with a saturated/underutilized verdict, per pod, "
        "and against the stored plan's SLA. Waits one window (default 30 s).",
        Scope.one,
        "reports.metrics:MetricsReport",
        _WORKLOAD | {Need.plans, Need.metrics},
        _metrics,
        args_at="performance.metrics:MetricsArgs",
        repeats=True,
        optional_args=True,
    ),
    Capability(
        "compare",
        "Plan vs Actual: throughput per GPU, TTFT and TPOT p99 against the SLA, placement "
        "score against 1.0, replicas and GPUs against the plan; then a diagnosis and numbered "
        "recommendations. Needs a stored plan (or a plan file). Waits one window.",
        Scope.one,
        "reports.compare:CompareReport",
        _WORKLOAD | {Need.plans, Need.metrics, Need.cluster_usage},
        _compare,
        args_at="performance.metrics:MetricsArgs",
        repeats=True,
        optional_args=True,
    ),
    Capability(
        "diagnose",
        "Why is it slow? Every check at once — gang health and Grove's countdown, scheduling, "
        "pods and nodes, rollouts, latency against the SLA by role, placement, plan drift, "
        "blind spots — ranked, each with evidence and what to do. Waits one metrics window "
        "(--no-metrics: none).",
        Scope.one,
        "reports.diagnose:DiagnoseReport",
        _WORKLOAD
        | {Need.events, Need.cluster_usage, Need.quotas, Need.grove_version, Need.plans}
        | {Need.metrics},
        _diagnose,
        args_at="performance.metrics:MetricsArgs",
        optional_args=True,
    ),
    Capability(
        "replan",
        "Re-plan for the traffic really served: ISL/OSL and request rate against the plan's "
        "assumptions (drift), AIConfigurator calibrated on the deployed configuration, and the "
        "best configuration for the observed traffic with its calibrated effect, PodCliqueSet, "
        "plan.json and diff. Proposes nothing while gangs are breached, pods pending or a rollout "
        "runs. Waits one metrics window, then 20-120 s of AIConfigurator. Writes nothing.",
        Scope.one,
        "reports.replan:ReplanReport",
        _WORKLOAD
        | {Need.events, Need.cluster_usage, Need.quotas, Need.grove_version, Need.plans}
        | {Need.metrics, Need.aiconfigurator},
        _replan,
        args_at="replan:ReplanArgs",
        optional_args=True,
        files=True,
    ),
    Capability(
        "generate",
        "Plan a deployment with AIConfigurator and render it as Grove PodCliqueSets: Plan 1 "
        "disaggregated, Plan 2 aggregated, each with its plan.json. Takes 10-90 s.",
        Scope.none,
        "reports.generate:GenerateReport",
        frozenset({Need.aiconfigurator, Need.cluster_setup}),
        _generate,
        args_at="aic.generate:GenerateArgs",
    ),
    Capability(
        "validate",
        "Check PodCliqueSet manifests against Grove's admission rules that the CRD schema "
        "cannot hold (topologyName, pack-domain levels, the 45-character names, startsAfter, "
        "minAvailable …): each violation by field, with what to change. Exit 1 on violations.",
        Scope.none,
        "reports.validate:ValidateReport",
        frozenset({Need.cluster_setup}),
        _validate,
        args_at="capabilities.validate:ValidateArgs",
    ),
    Capability(
        "plan show",
        "The current plan stored for a PodCliqueSet: model, configuration, expected "
        "performance, SLA targets.",
        Scope.one,
        "reports.plan_reports:PlanShowReport",
        frozenset({Need.workloads, Need.plans}),
        _per_workload("plans.show:build_plan_show"),
    ),
    Capability(
        "plan history",
        "The plans stored for a PodCliqueSet (the last 10), newest first, with what changed "
        "between them.",
        Scope.one,
        "reports.plan_reports:PlanHistoryReport",
        frozenset({Need.workloads, Need.plans}),
        _per_workload("plans.show:build_plan_history"),
    ),
    Capability(
        "plan diff",
        "The stored plan against the deployed PodCliqueSet: workers, TP, GPUs, backend, image, "
        "topology constraint, each with a verdict. Exit 1 on drift.",
        Scope.one,
        "reports.plan_reports:PlanDiffReport",
        _WORKLOAD | {Need.plans},
        _per_workload("plans.diff:build_plan_diff"),
    ),
    Capability(
        "diag",
        "Capture a redacted bundle that every command reads offline (--bundle): the Grove "
        "resources, pods, nodes, events, stored plans, container and operator logs, and the "
        "status/topology/health reports; Secrets are never read, credentials are redacted "
        "before anything is written. Writes a .tar.gz (or a directory).",
        Scope.both,
        "reports.diag:DiagReport",
        frozenset({Need.capture}),
        _diag,
        writes=True,
        files=True,
        args_at="capture.base:DiagArgs",
    ),
    Capability(
        "plan store",
        "Store a plan beside an existing PodCliqueSet (writes ConfigMap <name>-aic-plan; the "
        "last 10 plans are kept; storing the current plan again changes nothing).",
        Scope.one,
        "reports.plan_reports:PlanStoreReport",
        frozenset({Need.workloads}),
        _store,
        writes=True,
        args_at="plans.configmap:PlanInput",
    ),
)

BY_NAME: dict[str, Capability] = {c.name: c for c in CAPABILITIES}


def capability(name: str | Capability) -> Capability:
    """The entry called ``name``; an unknown name is refused with the list of names."""
    if isinstance(name, Capability):
        return name
    try:
        return BY_NAME[name]
    except KeyError:
        raise InvalidInput(
            f"No capability '{name}'. Capabilities: {', '.join(sorted(BY_NAME))}."
        ) from None


def report_models() -> list[type[BaseModel]]:
    """Every report model the table hands out, in table order."""
    return [model for c in CAPABILITIES for model in c.reports]
