"""What a PodCliqueSet deploys, per plan role: workers, GPUs and engine flags per worker. Pure.

Roles are recognised on the template's cliques, first match wins: the label
``grove-mcp.io/role`` (set by ``generate``), then the scaling group a clique belongs to, then the
clique's name, then its ``roleName`` — a name containing ``prefill`` or ``decode`` is that role;
``worker``, ``agg`` (or a name ending in ``worker``) is the aggregated role, also with a
``-ldr``/``-wkr``/``-leader``/``-worker`` suffix of a multi-node worker's cliques.

Counts are read from the live objects, as the operator keeps them (grove-facts §2.2/§2.3): a
standalone clique's workers are its PodClique's ``spec.replicas``; a worker spanning nodes is
one replica of its scaling group, whose workers are the live PodCliqueScalingGroup's
``spec.replicas`` and whose pods are its member cliques' pods. Without live objects the
PodCliqueSet template is used, and the evidence says so.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..capabilities.workload import SCALING_GROUP_LABEL, Workload, replica_index
from ..grove import GPU_RESOURCE, PodClique, PodCliqueScalingGroup
from ..grove.crds import CliqueTemplate, ScalingGroupConfig
from ..grove.k8s import Container, PodSpec
from ..planfile import ROLE_LABEL

ROLES = ("prefill", "decode", "agg")
_MEMBER_SUFFIX = re.compile(r"-(ldr|wkr|leader|worker)$")
_AGG_NAMES = {"worker", "agg", "aggregated"}
PCSG_REPLICA_INDEX = "grove.io/podcliquescalinggroup-replica-index"
FLAGS = {
    "tp": ("--tp", "--tp-size", "--tensor-parallel-size", "--tensor_parallel_size", "-tp"),
    "pp": ("--pp", "--pp-size", "--pipeline-parallel-size", "--pipeline_parallel_size", "-pp"),
    "dp": ("--dp", "--dp-size", "--data-parallel-size", "--data_parallel_size", "-dp"),
}
_YAML_KEYS = {  # TensorRT-LLM extra engine args written by the container's script
    "tp": re.compile(r"\btensor_parallel_size:\s*(\d+)"),
    "pp": re.compile(r"\bpipeline_parallel_size:\s*(\d+)"),
}
_BACKENDS = (
    ("trtllm", ("trtllm", "tensorrt_llm", "tensorrt-llm", "tensorrtllm")),
    ("sglang", ("sglang",)),
    ("vllm", ("vllm",)),
)


@dataclass(frozen=True)
class RoleCliques:
    """The template cliques serving one plan role."""

    role: str
    cliques: tuple[CliqueTemplate, ...]
    group: ScalingGroupConfig | None
    matched_by: str


def role_from_name(name: str | None) -> str | None:
    if not name:
        return None
    n = name.lower()
    if "prefill" in n:
        return "prefill"
    if "decode" in n:
        return "decode"
    base = _MEMBER_SUFFIX.sub("", n)
    if base in _AGG_NAMES or base.endswith("worker"):
        return "agg"
    return None


def match_roles(
    workload: Workload, agg_plan: bool
) -> tuple[dict[str, RoleCliques], list[CliqueTemplate]]:
    """Plan role → the cliques serving it; and the GPU cliques that serve no role."""
    template = workload.pcs.spec.template
    group_of = {n: g for g in template.pod_clique_scaling_groups for n in g.clique_names}
    found: dict[str, list[tuple[CliqueTemplate, str]]] = {}
    unmatched = []
    for clique in template.cliques:
        group = group_of.get(clique.name)
        label = clique.labels.get(ROLE_LABEL)
        candidates = [
            (label if label in ROLES else None, f"label {ROLE_LABEL}"),
            (role_from_name(group.name) if group else None, "scaling group name"),
            (role_from_name(clique.name), "clique name"),
            (role_from_name(clique.spec.role_name), "roleName"),
        ]
        role, how = next(((r, h) for r, h in candidates if r), (None, ""))
        if role is None:
            if _gpus(clique.spec.pod_spec):
                unmatched.append(clique)
            continue
        found.setdefault(role, []).append((clique, how))
    if agg_plan and "agg" not in found and "decode" in found and "prefill" not in found:
        found["agg"] = [
            (c, f"{how}; the only GPU role, taken as the aggregated worker")
            for c, how in found.pop("decode")
        ]
    roles = {}
    for role, members in found.items():
        cliques = tuple(c for c, _ in members)
        groups = {group_of[c.name].name: group_of[c.name] for c in cliques if c.name in group_of}
        group = next(iter(groups.values())) if len(groups) == 1 else None
        roles[role] = RoleCliques(role, cliques, group, members[0][1])
    return roles, unmatched


# --- per replica ----------------------------------------------------------------------------


@dataclass
class DeployedRole:
    """One role in one PCS replica: workers, and what each worker has."""

    replica: int
    workers: int
    gpus_per_worker: set[int] = field(default_factory=set)
    pods_per_worker: set[int] = field(default_factory=set)
    flags: dict[str, set[int]] = field(default_factory=lambda: {k: set() for k in FLAGS})
    images: set[str] = field(default_factory=set)
    backends: set[str] = field(default_factory=set)
    dra: bool = False
    ready: int = 0
    pods: int = 0
    evidence: list[str] = field(default_factory=list)
    from_template: bool = False


def deployed_role(workload: Workload, match: RoleCliques, replica: int) -> DeployedRole:
    """What replica ``replica`` deploys for one role (live objects, else the template)."""
    if match.group is not None:
        return _grouped(workload, match, match.group, replica)
    return _standalone(workload, match, replica)


def _standalone(workload: Workload, match: RoleCliques, replica: int) -> DeployedRole:
    result = DeployedRole(replica, 0)
    for template in match.cliques:
        live = _live_clique(workload, template.name, replica)
        if live is not None:
            spec, replicas = live.spec.pod_spec, live.spec.replicas
            scaled = (
                f"; the template says {template.spec.replicas}"
                if replicas != template.spec.replicas
                else ""
            )
            result.evidence.append(
                f"{live.name}: spec.replicas {replicas} ({live.status.ready_replicas} ready)"
                + scaled
            )
            result.ready += live.status.ready_replicas
        else:
            spec, replicas = template.spec.pod_spec, template.spec.replicas
            result.from_template = True
            result.evidence.append(
                f"replica {replica}: no PodClique for '{template.name}'; the template's "
                f"replicas {replicas}"
            )
        result.workers += replicas
        result.pods += replicas
        _add_pod(result, spec, per_worker_pods=1)
    return result


def _grouped(
    workload: Workload, match: RoleCliques, group: ScalingGroupConfig, replica: int
) -> DeployedRole:
    pcsg = _live_group(workload, group, replica)
    if pcsg is not None:
        workers = pcsg.spec.replicas
        where = f"{pcsg.name}: spec.replicas {workers} (scaling group; one replica per worker)"
    else:
        workers = group.replicas if group.replicas is not None else 1
        where = (
            f"replica {replica}: no PodCliqueScalingGroup for '{group.name}'; the template's "
            f"replicas {workers}"
        )
    result = DeployedRole(replica, workers, from_template=pcsg is None)
    result.evidence.append(where)
    members = [c for c in match.cliques if c.name in group.clique_names]
    by_worker: dict[int, list[tuple[PodSpec, int]]] = {}
    live_members = [] if pcsg is None else _group_members(workload, pcsg)
    for clique in live_members:
        j = _int(clique.labels.get(PCSG_REPLICA_INDEX))
        by_worker.setdefault(j if j is not None else -1, []).append(
            (clique.spec.pod_spec, clique.spec.replicas)
        )
        result.ready += clique.status.ready_replicas
        result.pods += clique.spec.replicas
    if not by_worker:
        by_worker[0] = [(c.spec.pod_spec, c.spec.replicas) for c in members]
        result.pods += workers * sum(c.spec.replicas for c in members)
        if pcsg is not None:
            result.evidence.append(
                f"{pcsg.name}: no member PodCliques; pods per worker from the template"
            )
    for pods in by_worker.values():
        gpus = sum(_gpus(spec) * count for spec, count in pods)
        result.gpus_per_worker.add(int(gpus))
        result.pods_per_worker.add(sum(count for _, count in pods))
        for spec, _count in pods:
            _add_pod(result, spec, per_worker_pods=None)
    return result


def _add_pod(result: DeployedRole, spec: PodSpec, per_worker_pods: int | None) -> None:
    if per_worker_pods is not None:
        result.gpus_per_worker.add(int(_gpus(spec)))
        result.pods_per_worker.add(per_worker_pods)
    result.dra = result.dra or bool(spec.resource_claims)
    for container in spec.containers:
        tokens, raw = _tokens(container), " ".join((*container.command, *container.args))
        for key, names in FLAGS.items():
            result.flags[key].update(flag_values(tokens, names))
        for key, pattern in _YAML_KEYS.items():
            result.flags[key].update(int(v) for v in pattern.findall(raw))
        if container.image and (
            container.resources.amount(GPU_RESOURCE) or _backend(raw) or spec.resource_claims
        ):
            result.images.add(container.image)
        backend = _backend(raw) or _backend(container.image or "")
        if backend:
            result.backends.add(backend)


# --- live objects ---------------------------------------------------------------------------


def _live_clique(workload: Workload, short: str, replica: int) -> PodClique | None:
    return next(
        (
            c
            for c in workload.cliques
            if replica_index(c.labels) == replica
            and SCALING_GROUP_LABEL not in c.labels
            and workload.clique_short_name(c) == short
        ),
        None,
    )


def _live_group(
    workload: Workload, group: ScalingGroupConfig, replica: int
) -> PodCliqueScalingGroup | None:
    """The live PCSG of ``group`` in ``replica``: by its cliqueNames, else by name suffix."""
    candidates = [g for g in workload.scaling_groups if replica_index(g.labels) == replica]
    by_cliques = [g for g in candidates if set(g.spec.clique_names) == set(group.clique_names)]
    if len(by_cliques) == 1:
        return by_cliques[0]
    return next((g for g in candidates if g.name.endswith(f"-{group.name}")), None)


def _group_members(workload: Workload, pcsg: PodCliqueScalingGroup) -> list[PodClique]:
    return [c for c in workload.cliques if c.labels.get(SCALING_GROUP_LABEL) == pcsg.name]


# --- containers -----------------------------------------------------------------------------


def _gpus(spec: PodSpec) -> float:
    return spec.request(GPU_RESOURCE)


def _tokens(container: Container) -> list[str]:
    """Command and arguments as words; shell scripts (``bash -c``) are split like a shell."""
    out: list[str] = []
    for part in (*container.command, *container.args):
        if not any(ch.isspace() for ch in part):
            out.append(part)
            continue
        cleaned = part.replace("\\\n", " ")
        try:
            out += shlex.split(cleaned)
        except ValueError:
            out += cleaned.split()
    return out


def flag_values(tokens: Iterable[str], names: tuple[str, ...]) -> set[int]:
    """Integer values of ``--flag N`` and ``--flag=N`` for any of ``names``."""
    words = list(tokens)
    values = set()
    for i, word in enumerate(words):
        name, eq, value = word.partition("=")
        if name not in names:
            continue
        if not eq:
            value = words[i + 1] if i + 1 < len(words) else ""
        if value.isdigit():
            values.add(int(value))
    return values


def _backend(text: str) -> str | None:
    lowered = text.lower()
    return next((b for b, words in _BACKENDS if any(w in lowered for w in words)), None)


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None
