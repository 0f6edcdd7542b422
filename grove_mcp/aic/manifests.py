"""A plan rendered as a Grove PodCliqueSet (``grove.io/v1alpha1``) with what its pods need to
serve without Dynamo's operator. Pure: plan in, manifests out.

Shape: the PodCliqueSet Dynamo's operator makes for the same deployment (``graph.go``):
- ``spec.replicas: 1``; each role's workers for the whole deployment (workers per AIConfigurator
  replica × replicas) in one clique or scaling group, so the frontend sees every worker;
- ``frontend`` clique: the Dynamo HTTP frontend (port 8000, "http"), 1 replica;
- disagg: ``prefill`` and ``decode`` cliques; agg: a ``worker`` clique; each ``minAvailable: 1``;
- a role whose worker needs more GPUs than a node has becomes a scaling group of that name
  (``minAvailable: 1``, one replica per worker) with cliques ``<role>-ldr`` (1 pod) and
  ``<role>-wkr`` (nodes - 1 pods), each ``minAvailable`` = its replicas (every rank needed). For
  TensorRT-LLM the leader (mpirun) starts after its workers (sshd): ``startsAfter``, Explicit;
- ``terminationDelay`` (Dynamo's 15m unless given), ``topologyConstraint`` with its
  ``topologyName`` on the PodCliqueSet and on every scaling group when a pack domain is given;
- KAI: ``schedulerName: kai-scheduler`` and the ``kai.scheduler/queue`` label;
- Dynamo's pod wiring (``dynamo_wiring``), and before the PodCliqueSet its ServiceAccount, Role,
  RoleBinding and frontend Service;
- the plan rides along as JSON in the annotation ``grove-mcp.io/aic-plan``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..errors import InvalidInput
from ..planfile import (
    DEFAULT_GPUS_PER_NODE,
    PLAN_ANNOTATION,
    ROLE_LABEL,
    Plan,
    RoleConfig,
    nodes_per_worker,
)
from . import dynamo_wiring as dw
from .engine_args import EngineArgs, default_image, flags_for
from .launch import SSH_KEY_DIR, WorkerLaunch, frontend_command, worker_command
from .naming import default_name, fit_name, longest_child
from .render_options import KAI_QUEUE_LABEL, KAI_SCHEDULER, RenderOptions

__all__ = [
    "GENERATED_LABEL",
    "RenderOptions",
    "RenderedPcs",
    "pcs_name",
    "render_pcs",
    "to_yaml",
    "to_yaml_all",
]

GENERATED_LABEL = "grove-mcp.io/generated-by"
_CLIQUE_OF_ROLE = {"prefill": "prefill", "decode": "decode", "agg": "worker"}
_SUB_TYPE = {"prefill": "prefill", "decode": "decode", "agg": None}

Obj = dict[str, Any]


@dataclass(frozen=True)
class RenderedPcs:
    name: str
    image: str
    manifest: Obj  # the PodCliqueSet
    multi_node_roles: dict[str, int]  # role → nodes per worker, for roles spanning nodes
    notes: list[str]
    companions: list[Obj] = field(default_factory=list)  # applied before it: SA, RBAC, Service

    def documents(self) -> list[Obj]:
        """Every object to apply, in order: what the pods need first, the PodCliqueSet last."""
        return [*self.companions, self.manifest]


def _children(plan: Plan, gpn: int) -> list[tuple[str | None, str]]:
    out: list[tuple[str | None, str]] = [(None, "frontend")]
    for role_name, role in plan.config.roles().items():
        clique = _CLIQUE_OF_ROLE[role_name]
        if nodes_per_worker(role.gpus_per_worker, gpn) > 1:
            out += [(clique, f"{clique}-ldr"), (clique, f"{clique}-wkr")]
        else:
            out.append((None, clique))
    return out


def pcs_name(plan: Plan, options: RenderOptions) -> str:
    """The PCS name: the given or default one, shortened to Grove's combined-name limit."""
    gpn = plan.config.gpus_per_node or DEFAULT_GPUS_PER_NODE
    base = options.name or default_name(plan.model, plan.backend, plan.serving_mode)
    return fit_name(base, longest_child(_children(plan, gpn)))


def render_pcs(plan: Plan, engine: EngineArgs | None, options: RenderOptions) -> RenderedPcs:
    """The PodCliqueSet for ``plan`` and the objects its pods need. ``engine`` carries
    AIConfigurator's engine flags, if any."""
    options = options.validated()
    options.require_topology_name()
    engine = engine or EngineArgs()
    gpn = plan.config.gpus_per_node or DEFAULT_GPUS_PER_NODE
    name = pcs_name(plan, options)
    if not name[0].isalpha():
        raise InvalidInput(
            f"The PodCliqueSet name '{name}' must start with a letter: it also names the "
            "frontend Service. Pass --name."
        )
    notes: list[str] = []
    base = options.name or default_name(plan.model, plan.backend, plan.serving_mode)
    if name != base:
        notes.append(f"Name '{base}' shortened to '{name}' for Grove's 45-character limit.")
    image = options.image or engine.image or default_image(plan.backend)
    ctx = _Context(plan, engine, options, dw.Deployment(name, options.namespace), image, gpn)
    cliques: list[Obj] = [ctx.frontend()]
    groups: list[Obj] = []
    multi: dict[str, int] = {}
    for role_name, role in plan.config.roles().items():
        nodes = nodes_per_worker(role.gpus_per_worker, gpn)
        if nodes == 1:
            cliques.append(ctx.single_node_clique(role_name, role))
            continue
        multi[role_name] = nodes
        group, members = ctx.multi_node_group(role_name, role, nodes)
        cliques += members
        groups.append(group)
    if multi and plan.backend == "trtllm":
        notes.append(
            f"TensorRT-LLM workers spanning nodes launch over SSH: create Secret "
            f"mpirun-ssh-key-{name} (keys private.key, private.key.pub) before applying."
        )
    explicit = any("startsAfter" in c["spec"] for c in cliques)
    template: Obj = {
        "cliqueStartupType": "CliqueStartupTypeExplicit"
        if explicit
        else "CliqueStartupTypeAnyOrder",
        "headlessServiceConfig": {"publishNotReadyAddresses": True},
        "terminationDelay": options.termination_delay,
    }
    if ctx.constraint:
        template["topologyConstraint"] = dict(ctx.constraint)
    template["cliques"] = cliques
    if groups:
        template["podCliqueScalingGroups"] = groups
    metadata: Obj = {"name": name}
    if options.namespace:
        metadata["namespace"] = options.namespace
    stamped = plan.model_copy(update={"name": name})
    metadata["labels"] = {GENERATED_LABEL: "aiconfigurator", dw.LABEL_DEPLOYMENT: name}
    if options.kai_queue:
        metadata["labels"][KAI_QUEUE_LABEL] = options.kai_queue
    metadata["annotations"] = {
        PLAN_ANNOTATION: json.dumps(stamped.to_json_dict(), separators=(",", ":"))
    }
    manifest = {
        "apiVersion": "grove.io/v1alpha1",
        "kind": "PodCliqueSet",
        "metadata": metadata,
        "spec": {"replicas": 1, "template": template},
    }
    companions = dw.companions(ctx.deployment, {GENERATED_LABEL: "aiconfigurator"})
    return RenderedPcs(name, image, manifest, multi, notes, companions)


class _Context:
    """Per-render constants shared by the clique builders."""

    def __init__(
        self,
        plan: Plan,
        engine: EngineArgs,
        options: RenderOptions,
        deployment: dw.Deployment,
        image: str,
        gpn: int,
    ) -> None:
        self.plan, self.engine, self.options = plan, engine, options
        self.deployment, self.image, self.gpn = deployment, image, gpn
        self.name = deployment.name
        self.constraint: Obj | None = None
        if options.pack_domain:
            self.constraint = {
                "topologyName": options.topology_name,
                "pack": {"required": options.pack_domain},
            }

    def _env(self, component: dw.Component, node: str = "single") -> list[Obj]:
        env = dw.env(self.deployment, component)
        if component.type == "worker":
            env.append({"name": "NCCL_CUMEM_ENABLE", "value": "1"})
        if self.plan.backend == "trtllm" and node != "single":
            env.append({"name": "OMPI_MCA_orte_keep_fqdn_hostnames", "value": "1"})
        given = dict(self.options.env)
        env = [e for e in env if e["name"] not in given]  # --env overrides, as Dynamo's merge
        return env + [{"name": k, "value": v} for k, v in given.items()]

    def _pod(self, container: Obj, gpus: int, ssh: bool = False) -> Obj:
        if self.options.hf_token_secret:
            container["envFrom"] = [
                {"secretRef": {"name": self.options.hf_token_secret, "optional": True}}
            ]
        if gpus:
            container["resources"] = {
                "requests": {"nvidia.com/gpu": str(gpus)},
                "limits": {"nvidia.com/gpu": str(gpus)},
            }
        container["volumeMounts"] = [dict(dw.SHM_MOUNT)]
        pod: Obj = {**dw.pod_settings(self.deployment), "containers": [container]}
        pod["volumes"] = [json.loads(json.dumps(dw.SHM_VOLUME_SPEC))]
        if ssh:
            container["volumeMounts"].append(
                {"name": "mpirun-ssh", "mountPath": SSH_KEY_DIR, "readOnly": True}
            )
            pod["volumes"].append(
                {
                    "name": "mpirun-ssh",
                    "secret": {"secretName": f"mpirun-ssh-key-{self.name}", "defaultMode": 0o600},
                }
            )
        if self.options.kai_queue:
            pod["schedulerName"] = KAI_SCHEDULER
        return pod

    def _clique(
        self,
        name: str,
        role: str,
        component: dw.Component,
        replicas: int,
        min_available: int,
        pod: Obj,
    ) -> Obj:
        labels = {ROLE_LABEL: role, **dw.labels(self.deployment, component)}
        if self.options.kai_queue:
            labels[KAI_QUEUE_LABEL] = self.options.kai_queue
        spec: Obj = {
            "roleName": name,
            "replicas": replicas,
            "minAvailable": min_available,
            "podSpec": pod,
        }
        return {"name": name, "labels": labels, "spec": spec}

    def _container(self, name: str, component: dw.Component, node: str = "single") -> Obj:
        return {
            "name": name,
            "image": self.image,
            "env": self._env(component, node),
            "ports": dw.ports(component),
            **dw.probes(component, self.plan.backend, node),  # type: ignore[arg-type]
        }

    def frontend(self) -> Obj:
        component = dw.Component("frontend", "frontend")
        container = self._container("frontend", component)
        container["command"] = frontend_command()
        return self._clique(
            "frontend", "frontend", component, 1, 1, self._pod(_ordered(container), gpus=0)
        )

    def _launch(self, role_name: str, role: RoleConfig, **multi: Any) -> WorkerLaunch:
        return WorkerLaunch(
            backend=self.plan.backend,
            role=role_name,
            served_model=self.plan.model,
            model_path=self.options.model_path or self.plan.model,
            flags=flags_for(self.engine, self.plan.backend, role_name, role),
            engine_yaml=self.engine.engine_yaml.get(role_name),
            **multi,
        )

    def _worker_container(self, name: str, role_name: str, launch: WorkerLaunch) -> Obj:
        container = self._container(name, self._component(role_name), launch.node)
        command = worker_command(launch)
        container["command"], container["args"] = command[:2], command[2:]
        return _ordered(container)

    def _component(self, role_name: str) -> dw.Component:
        return dw.Component(_CLIQUE_OF_ROLE[role_name], "worker", _SUB_TYPE[role_name])

    def single_node_clique(self, role_name: str, role: RoleConfig) -> Obj:
        clique = _CLIQUE_OF_ROLE[role_name]
        container = self._worker_container(clique, role_name, self._launch(role_name, role))
        pod = self._pod(container, role.gpus_per_worker)
        workers = role.workers * self.plan.config.replicas
        return self._clique(clique, role_name, self._component(role_name), workers, 1, pod)

    def multi_node_group(
        self, role_name: str, role: RoleConfig, nodes: int
    ) -> tuple[Obj, list[Obj]]:
        group = _CLIQUE_OF_ROLE[role_name]
        leader, worker = f"{group}-ldr", f"{group}-wkr"
        per_node = role.gpus_per_worker // nodes
        ssh = self.plan.backend == "trtllm"
        members = []
        for clique, node, replicas in ((leader, "leader", 1), (worker, "worker", nodes - 1)):
            launch = self._launch(
                role_name,
                role,
                node=node,
                nodes=nodes,
                gpus_per_node=per_node,
                leader_clique=leader,
                worker_clique=worker,
            )
            pod = self._pod(self._worker_container(group, role_name, launch), per_node, ssh=ssh)
            member = self._clique(
                clique, role_name, self._component(role_name), replicas, replicas, pod
            )
            if ssh and node == "leader":  # mpirun reaches every worker's sshd at start
                member["spec"]["startsAfter"] = [worker]
            members.append(member)
        scaling_group: Obj = {
            "name": group,
            "cliqueNames": [leader, worker],
            "replicas": role.workers * self.plan.config.replicas,
            "minAvailable": 1,
        }
        if self.constraint:
            scaling_group["topologyConstraint"] = dict(self.constraint)
        return scaling_group, members


_CONTAINER_ORDER = (
    "name",
    "image",
    "command",
    "args",
    "env",
    "envFrom",
    "ports",
    "resources",
    "volumeMounts",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
)


def _ordered(container: Obj) -> Obj:
    """The container's keys in a reading order (the YAML keeps insertion order)."""
    return {k: container[k] for k in _CONTAINER_ORDER if k in container} | container


def to_yaml(manifest: Obj) -> str:
    """Block-style YAML, keys in rendering order, multi-line scripts as literal blocks."""
    return yaml.dump(manifest, Dumper=_Dumper, sort_keys=False, width=100, allow_unicode=True)


def to_yaml_all(documents: list[Obj]) -> str:
    """Several objects as one multi-document YAML file (``kubectl apply -f`` takes it)."""
    return "---\n".join(to_yaml(d) for d in documents)


class _Dumper(yaml.SafeDumper):
    pass


_FLOW_WIDTH = 72  # a small leaf mapping this long or shorter is written on one line


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _leaf(value: Any) -> bool:
    """Scalars, and mappings / lists of them, without multi-line text."""
    if isinstance(value, dict):
        return all(_leaf(v) for v in value.values())
    if isinstance(value, list):
        return all(_leaf(v) for v in value)
    return not (isinstance(value, str) and "\n" in value)


def _dict(dumper: yaml.SafeDumper, value: dict[str, Any]) -> yaml.Node:
    """Small leaf mappings (an env entry, a port, a probe's action) on one line: the wiring
    repeats on every clique, and the manifests must stay readable and fit MCP answers."""
    flow = bool(value) and _leaf(value) and len(json.dumps(value)) <= _FLOW_WIDTH
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=flow)


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    """Short lists of scalars (verbs, a command) on one line too."""
    flow = (
        bool(value)
        and all(not isinstance(v, dict | list) for v in value)
        and _leaf(value)
        and len(json.dumps(value)) <= _FLOW_WIDTH
    )
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(dict, _dict)
_Dumper.add_representer(list, _list)
