"""A plan rendered as a Grove PodCliqueSet (``grove.io/v1alpha1``). Pure: plan in, manifest out.

Shape (one PCS replica = one AIConfigurator replica = one gang):
- ``frontend`` clique: the Dynamo HTTP frontend/router (port 8000, "http");
- disagg: ``prefill`` and ``decode`` cliques, replicas = workers per replica;
  agg: a ``worker`` clique;
- a role whose worker needs more GPUs than a node has becomes a scaling group of that name with
  cliques ``<role>-ldr`` (1 pod) and ``<role>-wkr`` (nodes - 1 pods), replicas = workers per
  replica, all of them gang-scheduled (minAvailable = replicas);
- GPU requests and limits come from the plan (gpusPerWorker / nodes per pod);
- ``topologyConstraint.pack.required`` when a pack domain is given (``packDomain`` is refused on
  new objects by Grove's CRD);
- the plan rides along as JSON in the annotation ``grove-mcp.io/aic-plan``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..errors import InvalidInput
from ..names import validate_namespace, validate_pcs_name
from ..planfile import (
    DEFAULT_GPUS_PER_NODE,
    PLAN_ANNOTATION,
    ROLE_LABEL,
    Plan,
    RoleConfig,
    nodes_per_worker,
)
from .engine_args import EngineArgs, default_image, flags_for
from .launch import (
    FRONTEND_PORT,
    SSH_KEY_DIR,
    SYSTEM_PORT,
    WorkerLaunch,
    frontend_command,
    worker_command,
)
from .naming import default_name, fit_name, longest_child

GENERATED_LABEL = "grove-mcp.io/generated-by"
SHM_SIZE = "64Gi"  # AIConfigurator's Dynamo manifests give workers 64Gi of shared memory
_DOMAIN = re.compile(r"^[a-z][a-z0-9-]*$")
_CLIQUE_OF_ROLE = {"prefill": "prefill", "decode": "decode", "agg": "worker"}

Obj = dict[str, Any]


@dataclass(frozen=True)
class RenderOptions:
    """How to render: names, image, model location, placement and extra environment."""

    name: str | None = None  # PCS name; default <model>-<backend>-<mode>
    namespace: str | None = None
    image: str | None = None  # default: AIConfigurator's Dynamo runtime image for the backend
    model_path: str | None = None  # what the engine loads; default: the plan's model
    pack_domain: str | None = None  # topologyConstraint.pack.required, e.g. rack
    topology_name: str | None = None  # ClusterTopologyBinding name, when the cluster has several
    kai_queue: str | None = None  # label kai.scheduler/queue + schedulerName kai-scheduler
    hf_token_secret: str | None = "hf-token-secret"  # envFrom (optional) on every container
    env: Mapping[str, str] = field(default_factory=dict)  # e.g. ETCD_ENDPOINTS, NATS_SERVER

    def validated(self) -> RenderOptions:
        if self.name is not None:
            validate_pcs_name(self.name)
        if self.namespace is not None:
            validate_namespace(self.namespace)
        for value, what in ((self.pack_domain, "pack domain"), (self.topology_name, "topology")):
            if value is not None and not _DOMAIN.match(value):
                raise InvalidInput(
                    f"'{value}' is not a valid {what}: lowercase letters, digits and '-', "
                    "starting with a letter (e.g. rack, host, zone)."
                )
        if self.pack_domain is not None and self.topology_name is None:
            raise InvalidInput(
                f"A pack domain ('{self.pack_domain}') needs the ClusterTopologyBinding that "
                "defines it: Grove's webhook (since alpha.9) refuses a topologyConstraint without "
                "topologyName. Add --topology-name NAME (topology_name), one of kubectl get "
                "clustertopologybindings."
            )
        return self


@dataclass(frozen=True)
class RenderedPcs:
    name: str
    image: str
    manifest: Obj
    multi_node_roles: dict[str, int]  # role → nodes per worker, for roles spanning nodes
    notes: list[str]


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
    """The PodCliqueSet for ``plan``. ``engine`` carries AIConfigurator's engine flags, if any."""
    options = options.validated()
    engine = engine or EngineArgs()
    gpn = plan.config.gpus_per_node or DEFAULT_GPUS_PER_NODE
    name = pcs_name(plan, options)
    notes: list[str] = []
    base = options.name or default_name(plan.model, plan.backend, plan.serving_mode)
    if name != base:
        notes.append(f"Name '{base}' shortened to '{name}' for Grove's 45-character limit.")
    image = options.image or engine.image or default_image(plan.backend)
    ctx = _Context(plan, engine, options, name, image, gpn)
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
    template: Obj = {
        "cliqueStartupType": "CliqueStartupTypeAnyOrder",
        "headlessServiceConfig": {"publishNotReadyAddresses": True},
    }
    if options.pack_domain:
        constraint: Obj = {"pack": {"required": options.pack_domain}}
        if options.topology_name:
            constraint = {"topologyName": options.topology_name, **constraint}
        template["topologyConstraint"] = constraint
    template["cliques"] = cliques
    if groups:
        template["podCliqueScalingGroups"] = groups
    metadata: Obj = {"name": name}
    if options.namespace:
        metadata["namespace"] = options.namespace
    stamped = plan.model_copy(update={"name": name})
    metadata["labels"] = {GENERATED_LABEL: "aiconfigurator"}
    metadata["annotations"] = {
        PLAN_ANNOTATION: json.dumps(stamped.to_json_dict(), separators=(",", ":"))
    }
    manifest = {
        "apiVersion": "grove.io/v1alpha1",
        "kind": "PodCliqueSet",
        "metadata": metadata,
        "spec": {"replicas": plan.config.replicas, "template": template},
    }
    return RenderedPcs(name, image, manifest, multi, notes)


class _Context:
    """Per-render constants shared by the clique builders."""

    def __init__(
        self,
        plan: Plan,
        engine: EngineArgs,
        options: RenderOptions,
        name: str,
        image: str,
        gpn: int,
    ) -> None:
        self.plan, self.engine, self.options = plan, engine, options
        self.name, self.image, self.gpn = name, image, gpn

    def _env(self, worker: bool) -> list[Obj]:
        env = {"DYN_NAMESPACE": self.name}
        if worker:
            env |= {
                "DYN_SYSTEM_ENABLED": "true",
                "DYN_SYSTEM_PORT": str(SYSTEM_PORT),
                "NCCL_CUMEM_ENABLE": "1",
            }
        env |= dict(self.options.env)
        return [{"name": k, "value": v} for k, v in env.items()]

    def _pod(self, container: Obj, gpus: int, ssh: bool = False) -> Obj:
        if self.options.hf_token_secret:
            container["envFrom"] = [
                {"secretRef": {"name": self.options.hf_token_secret, "optional": True}}
            ]
        pod: Obj = {"containers": [container]}
        if gpus:
            container["resources"] = {
                "requests": {"nvidia.com/gpu": str(gpus)},
                "limits": {"nvidia.com/gpu": str(gpus)},
            }
            container["volumeMounts"] = [{"name": "shm", "mountPath": "/dev/shm"}]
            pod["volumes"] = [
                {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": SHM_SIZE}}
            ]
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
            pod["schedulerName"] = "kai-scheduler"
        return pod

    def _clique(self, name: str, role: str, replicas: int, pod: Obj) -> Obj:
        labels = {ROLE_LABEL: role}
        if self.options.kai_queue:
            labels["kai.scheduler/queue"] = self.options.kai_queue
        return {
            "name": name,
            "labels": labels,
            "spec": {"roleName": name, "replicas": replicas, "podSpec": pod},
        }

    def frontend(self) -> Obj:
        container = {
            "name": "frontend",
            "image": self.image,
            "command": frontend_command(),
            "env": self._env(worker=False),
            "ports": [{"name": "http", "containerPort": FRONTEND_PORT}],
        }
        return self._clique("frontend", "frontend", 1, self._pod(container, gpus=0))

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

    def _worker_container(self, name: str, launch: WorkerLaunch) -> Obj:
        command = worker_command(launch)
        return {
            "name": name,
            "image": self.image,
            "command": command[:2],
            "args": command[2:],
            "env": self._env(worker=True),
            "ports": [{"name": "system", "containerPort": SYSTEM_PORT}],
        }

    def single_node_clique(self, role_name: str, role: RoleConfig) -> Obj:
        clique = _CLIQUE_OF_ROLE[role_name]
        container = self._worker_container(clique, self._launch(role_name, role))
        pod = self._pod(container, role.gpus_per_worker)
        return self._clique(clique, role_name, role.workers, pod)

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
            pod = self._pod(self._worker_container(group, launch), per_node, ssh=ssh)
            members.append(self._clique(clique, role_name, replicas, pod))
        scaling_group = {
            "name": group,
            "cliqueNames": [leader, worker],
            "replicas": role.workers,
            "minAvailable": role.workers,
        }
        return scaling_group, members


def to_yaml(manifest: Obj) -> str:
    """Block-style YAML, keys in rendering order, multi-line scripts as literal blocks."""
    return yaml.dump(manifest, Dumper=_Dumper, sort_keys=False, width=100, allow_unicode=True)


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)
