"""Where each pod of a workload serves its metrics, what role it plays and how many GPUs count.

Pure: reads the snapshot's :class:`~grove_mcp.grove.k8s.Pod` models, never the network.

- **Role** — Grove's PodClique (label ``grove.io/podclique``), the template clique and scaling
  group it was made from (read from Grove's labels, grove-facts.md §3.1), and Dynamo's
  ``nvidia.com/dynamo-component-type`` / ``-sub-component-type`` labels when present
  (dynamo-pod-wiring.md).
- **Engine hint** — Dynamo's labels say frontend or worker; the container's command line or image
  says which engine (:func:`~grove_mcp.metrics.catalog.hint_from_container`). The served names
  decide later (:func:`~grove_mcp.metrics.catalog.detect_engine`).
- **Endpoint** — first of: the caller's override; a named container port (``metrics``, then
  ``system``/``http`` — ``http`` first for a Dynamo frontend, dynamo-pod-wiring.md); the
  ``prometheus.io/port`` and ``prometheus.io/path`` annotations; the engine's own port flag or
  environment variable, then its default port (inference-metrics.md A.1–A.4). The path is the
  override's, else the annotation's, else the engine's (TRT-LLM's is ``/prometheus/metrics``,
  A.3), else ``/metrics`` (A.0). A pod with none of these gets a reason, never a guessed port.
- **GPUs and de-duplication** (§0.5, A.0) — see :func:`gpus_by_role`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from grove_mcp.grove.k8s import Container, Pod

from .catalog import BACKENDS, Defaults, Engine, EngineHint, hint_from_container, profile

PODCLIQUE_LABEL = "grove.io/podclique"
PART_OF_LABEL = "app.kubernetes.io/part-of"
REPLICA_LABEL = "grove.io/podcliqueset-replica-index"
SCALING_GROUP_LABEL = "grove.io/podcliquescalinggroup"
SCALING_GROUP_REPLICA_LABEL = "grove.io/podcliquescalinggroup-replica-index"
DYNAMO_COMPONENT_TYPE = "nvidia.com/dynamo-component-type"
DYNAMO_SUB_COMPONENT_TYPE = "nvidia.com/dynamo-sub-component-type"
PROMETHEUS_PORT = "prometheus.io/port"
PROMETHEUS_PATH = "prometheus.io/path"
PROMETHEUS_SCRAPE = "prometheus.io/scrape"

#: Container port names that carry metrics, in the order they are tried.
PORT_NAMES = ("metrics", "system", "http")
#: A Dynamo frontend serves /metrics on its OpenAI port `http` (A.4; dynamo-pod-wiring.md).
FRONTEND_PORT_NAMES = ("metrics", "http", "system")


class PortSource(StrEnum):
    """Where an endpoint's port came from."""

    override = "override"
    named_port = "named-port"
    annotation = "annotation"
    args = "args"
    env = "env"
    engine_default = "engine-default"


@dataclass(frozen=True)
class Override:
    """A port and/or path the user gave (config or flag); it wins over everything on the pod."""

    port: int | None = None
    path: str | None = None


@dataclass(frozen=True)
class Endpoint:
    """Where to scrape a pod: ``port`` and ``path``, how we know, and what may still be off."""

    port: int
    path: str
    source: PortSource
    why: str
    caveat: str = ""  # e.g. SGLang without --enable-metrics serves no /metrics (A.2)


@dataclass(frozen=True)
class Role:
    """What a pod does in the workload, from Grove's and Dynamo's labels."""

    clique: str | None  # the PodClique's full name
    template_clique: str | None  # the PodCliqueSet template's clique name
    scaling_group: str | None  # the template's scaling-group name, for a PCSG member
    component_type: str | None  # Dynamo: frontend | worker | planner …
    sub_component_type: str | None  # Dynamo: prefill | decode

    @property
    def name(self) -> str:
        """The role's key: Dynamo's sub-component type, else the scaling group (its leader and
        workers are one engine), the template clique, Dynamo's component type, the clique."""
        return (
            self.sub_component_type
            or self.scaling_group
            or self.template_clique
            or self.component_type
            or self.clique
            or "unknown"
        )


@dataclass(frozen=True)
class Target:
    """One pod to scrape (or the reason it cannot be), with its role, engine hint and GPUs."""

    pod: str
    namespace: str | None
    role: Role
    hint: EngineHint | None
    container: str | None  # the container the endpoint and hint come from
    endpoint: Endpoint | None
    no_endpoint: str | None  # why no port could be found; None when ``endpoint`` is set
    gpus: int  # nvidia.com/gpu requested (else limited), summed over containers (§0.5)
    holds_gpus: bool  # bound to a node and not finished: its GPUs are allocated
    pod_ip: str | None


# --- role ----------------------------------------------------------------------------------


def _strip(name: str | None, prefix: str) -> str | None:
    return name[len(prefix) :] if name and name.startswith(prefix) and name != prefix else None


def role_of(pod: Pod) -> Role:
    """The pod's role. Template names come from Grove's naming of children from labels
    (``<pcs>-<replica>-<clique>``, ``<pcsg>-<j>-<clique>``); None when a name does not fit."""
    labels = pod.labels
    clique = labels.get(PODCLIQUE_LABEL)
    pcs, replica = labels.get(PART_OF_LABEL), labels.get(REPLICA_LABEL)
    replica_prefix = f"{pcs}-{replica}-" if pcs and replica is not None else None
    pcsg, j = labels.get(SCALING_GROUP_LABEL), labels.get(SCALING_GROUP_REPLICA_LABEL)
    template = group = None
    if pcsg and j is not None:
        template = _strip(clique, f"{pcsg}-{j}-")
        group = _strip(pcsg, replica_prefix) if replica_prefix else None
    elif replica_prefix:
        template = _strip(clique, replica_prefix)
    return Role(
        clique=clique,
        template_clique=template,
        scaling_group=group,
        component_type=labels.get(DYNAMO_COMPONENT_TYPE),
        sub_component_type=labels.get(DYNAMO_SUB_COMPONENT_TYPE),
    )


# --- engine hint ---------------------------------------------------------------------------


def _container_hint(container: Container) -> EngineHint | None:
    return hint_from_container(container.image, container.command, container.args)


def hint_of(pod: Pod, role: Role | None = None) -> tuple[EngineHint | None, Container | None]:
    """What the pod says it runs, and the container that says it.

    Dynamo's component-type label decides frontend or worker; the container's command line or
    image gives a worker's backend. Without Dynamo labels, the first container with a hint wins.
    """
    role = role or role_of(pod)
    containers = pod.spec.containers
    hinted = next(((c, h) for c in containers if (h := _container_hint(c)) is not None), None)
    container = hinted[0] if hinted else _metrics_container(containers)
    hint = hinted[1] if hinted else None
    kind = role.component_type
    if kind is None:
        return hint, container
    label = f"label {DYNAMO_COMPONENT_TYPE}={kind}"
    if kind == "frontend":
        return EngineHint(Engine.dynamo_frontend, label), container
    if kind == "worker":
        backend = None
        if hint is not None:
            backend = hint.engine if hint.engine in BACKENDS else hint.backend
        why = label + (f"; {hint.why}" if hint else "")
        return EngineHint(Engine.dynamo_worker, why, backend), container
    return EngineHint(Engine.unknown, f"{label}: not an inference engine"), container


def _metrics_container(containers: Sequence[Container]) -> Container | None:
    """The container with a metrics-like named port, else the first one."""
    for name in PORT_NAMES:
        for c in containers:
            if any(p.name == name for p in c.ports):
                return c
    return containers[0] if containers else None


# --- endpoint ------------------------------------------------------------------------------


def _arg_value(args: Sequence[str], flags: Iterable[str]) -> str | None:
    """``--flag V`` or ``--flag=V`` from a command line (the last one wins, as argparse does)."""
    found = None
    for flag in flags:
        for i, arg in enumerate(args):
            if arg == flag and i + 1 < len(args):
                found = args[i + 1]
            elif arg.startswith(f"{flag}="):
                found = arg.split("=", 1)[1]
    return found


def _port_number(raw: str | None) -> int | None:
    if raw is None or not re.fullmatch(r"\s*\d{1,5}\s*", raw):
        return None
    port = int(raw)
    return port if 0 < port < 65536 else None


def _engine_port(
    container: Container | None, defaults: Defaults, engine: Engine
) -> tuple[int, PortSource, str] | str:
    """The engine's own port (flag, env, default), or why there is none."""
    line = (*container.command, *container.args) if container else ()
    raw = _arg_value(line, defaults.port_args) if defaults.port_args else None
    if raw is not None:
        port = _port_number(raw)
        if port:
            return port, PortSource.args, f"{engine.value} started with {raw!r} as its port flag"
    if defaults.port_env and container:
        value = next((e.value for e in container.env if e.name == defaults.port_env), None)
        port = _port_number(value)
        if port:
            return port, PortSource.env, f"env {defaults.port_env}={value}"
    if defaults.port is not None:
        return (
            defaults.port,
            PortSource.engine_default,
            f"{engine.value}'s default port ({defaults.ref})",
        )
    return f"{defaults.needs} and the pod has no port named {'/'.join(PORT_NAMES)}"


def _caveat(pod: Pod, container: Container | None, defaults: Defaults | None) -> str:
    notes = []
    if pod.metadata.annotations.get(PROMETHEUS_SCRAPE, "").lower() == "false":
        notes.append(f"annotated {PROMETHEUS_SCRAPE}=false")
    if defaults and defaults.needs and defaults.port is not None:
        line = (*container.command, *container.args) if container else ()
        if not defaults.needs_args or not any(a in line for a in defaults.needs_args):
            notes.append(defaults.needs)
    return "; ".join(notes)


def endpoint_of(
    pod: Pod,
    hint: EngineHint | None,
    container: Container | None,
    override: Override | None = None,
) -> Endpoint | str:
    """The pod's metrics endpoint, or the reason none can be found (see the module doc)."""
    engine = hint.engine if hint else Engine.unknown
    prof = profile(engine, hint.backend if hint else None) if engine is not Engine.unknown else None
    defaults = prof.defaults if prof else None
    annotated_path = pod.metadata.annotations.get(PROMETHEUS_PATH)
    path = (
        (override.path if override else None)
        or annotated_path
        or (defaults.path if defaults else "/metrics")
    )
    caveat = _caveat(pod, container, defaults)
    if override and override.port:
        return Endpoint(override.port, path, PortSource.override, "given by the caller", caveat)
    names = FRONTEND_PORT_NAMES if engine is Engine.dynamo_frontend else PORT_NAMES
    ports = [(p, c) for c in pod.spec.containers for p in c.ports if p.name and p.container_port]
    for name in names:
        for named, _ in ports:
            if named.name == name:
                why = f"container port named {name!r}"
                return Endpoint(named.container_port, path, PortSource.named_port, why, caveat)
    raw = pod.metadata.annotations.get(PROMETHEUS_PORT)
    if raw is not None:
        annotated = _port_number(raw)
        if annotated:
            why = f"annotation {PROMETHEUS_PORT}={raw}"
            return Endpoint(annotated, path, PortSource.annotation, why, caveat)
    if defaults is None:
        what = hint.why if hint else "no image, args or Dynamo label names an engine"
        bad = f"; annotation {PROMETHEUS_PORT}={raw!r} is not a port" if raw is not None else ""
        return (
            f"no container port named {'/'.join(PORT_NAMES)}, no {PROMETHEUS_PORT} "
            f"annotation{bad}, and no engine default applies ({what}); give the port"
        )
    found = _engine_port(container, defaults, engine)
    if isinstance(found, str):
        return found
    port, source, why = found
    return Endpoint(port, path, source, why, caveat)


# --- targets -------------------------------------------------------------------------------


def target_of(pod: Pod, override: Override | None = None) -> Target:
    """One pod's role, engine hint, endpoint (or reason) and GPUs."""
    role = role_of(pod)
    hint, container = hint_of(pod, role)
    found = endpoint_of(pod, hint, container, override)
    return Target(
        pod=pod.name,
        namespace=pod.metadata.namespace,
        role=role,
        hint=hint,
        container=container.name if container else None,
        endpoint=found if isinstance(found, Endpoint) else None,
        no_endpoint=found if isinstance(found, str) else None,
        gpus=pod.gpus,
        holds_gpus=bool(pod.spec.node_name) and not pod.is_terminated,
        pod_ip=pod.status.pod_ip,
    )


def discover(pods: Iterable[Pod], override: Override | None = None) -> tuple[Target, ...]:
    """Every pod's target, sorted by role then pod name."""
    return tuple(sorted((target_of(p, override) for p in pods), key=lambda t: (t.role.name, t.pod)))


# --- GPUs per role (§0.5, A.0) -------------------------------------------------------------


@dataclass(frozen=True)
class RoleGpus:
    """The GPUs that count for one role's per-GPU figures, and the pods left out with why."""

    role: str
    gpus: int
    counted: tuple[str, ...]
    excluded: tuple[tuple[str, str], ...]  # (pod, reason)


def gpus_by_role(targets: Iterable[Target]) -> tuple[RoleGpus, ...]:
    """GPUs per role for tok/s per GPU. The rules (inference-metrics.md §0.5, A.0–A.4):

    1. A pod's GPUs are its ``nvidia.com/gpu`` requests (a limit stands for a missing request),
       summed over its containers (§0.5). TP/PP ranks are never multiplied in: vLLM reports per
       engine (DP rank), SGLang per scheduler (§0.5).
    2. A role counts every pod of it that holds GPUs, scraped or not: the workers of a
       multi-node leader/worker group serve no metrics of their own but compute the leader's
       tokens, so their GPUs count for the group's role (§0.5 "over all pods of a multi-node …
       group"; :attr:`Role.name` puts leader and workers in one role).
    3. A pod not bound to a node, or finished, holds no GPUs and is left out, with the reason
       (our rule: its request is not capacity that produced tokens).
    4. A deployment's per-GPU figure divides by the sum over all its roles — every pool of a
       disaggregated deployment (§0.5) — while its tokens come from one place only (the Dynamo
       frontend when there is one; see :func:`dedup_rule`), never summed across roles twice.
    """
    by_role: dict[str, list[Target]] = {}
    for t in targets:
        by_role.setdefault(t.role.name, []).append(t)
    out = []
    for role, members in sorted(by_role.items()):
        counted = [t for t in members if t.holds_gpus and t.gpus]
        excluded = [
            (t.pod, "not bound to a node or finished: holds no GPUs")
            for t in members
            if t.gpus and not t.holds_gpus
        ]
        out.append(
            RoleGpus(
                role,
                sum(t.gpus for t in counted),
                tuple(sorted(t.pod for t in counted)),
                tuple(sorted(excluded)),
            )
        )
    return tuple(out)


#: Where a deployment's totals come from, so no token is counted twice (§0.5, A.1, A.4).
DEDUP_RULES = (
    "A Dynamo frontend sees every request once: with one, deployment throughput and latency come "
    "from it alone, and engine-side figures are shown per role (A.4, issue 10).",
    "Without a frontend, output tokens come from the decode (or aggregated) roles and input tokens "
    "from the prefill (or aggregated) roles: a decode worker of a disaggregated pair also counts "
    "the prompt it received over KV transfer (vLLM source=external_kv_transfer, A.1).",
    "Within a pod: vLLM sums over `engine`; SGLang takes tp_rank=0 per (pp_rank, dp_rank, "
    "engine_type) and sums over dp_rank, never over tp_rank (A.1, A.2).",
)


def dedup_rule(engine: Engine, backend: Engine | None = None) -> str:
    """How one pod's series of ``engine`` add up to the pod's figure (A.1–A.4)."""
    prof = profile(engine, backend)
    return prof.dedup if prof else "unknown engine: nothing is summed"
