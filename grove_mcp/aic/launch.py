"""Container commands for Dynamo runtime images, per backend, role and node (leader / worker).

Single-node workers run ``python3 -m dynamo.<backend>`` with the engine flags, as AIConfigurator's
own Dynamo manifests do. Workers spanning nodes follow what the Dynamo operator injects on Grove
(its multinode guide): SGLang ``--dist-init-addr/--nnodes/--node-rank``; vLLM a Ray cluster (head on
the leader, ``ray start --block`` on workers); TensorRT-LLM ``mpirun`` from the leader over SSH
(port 2222) to ``sshd`` on the workers. Peers are found through Grove's pod environment
(``GROVE_PCSG_NAME``, ``GROVE_PCSG_INDEX``, ``GROVE_PCLQ_POD_INDEX``, ``GROVE_HEADLESS_SERVICE``).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from typing import Literal

FRONTEND_PORT = 8000
SYSTEM_PORT = 9090
SSH_PORT = 2222
SSH_KEY_DIR = "/etc/mpirun-ssh"
ENGINE_CONFIG_DIR = "/workspace/engine_configs"
# Environment mpirun forwards from the leader to the ranks on worker nodes, when set.
# Dynamo's own wiring (dynamo_wiring) included, as its operator forwards every container variable.
_MPI_ENV = (
    "HF_TOKEN",
    "NCCL_CUMEM_ENABLE",
    "DYN_NAMESPACE",
    "DYN_COMPONENT",
    "DYN_DISCOVERY_BACKEND",
    "DYN_PARENT_DGD_K8S_NAME",
    "DYN_PARENT_DGD_K8S_NAMESPACE",
    "POD_NAME",
    "POD_NAMESPACE",
    "POD_UID",
    "DYN_SYSTEM_ENABLED",
    "DYN_SYSTEM_PORT",
    "DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS",
    "ETCD_ENDPOINTS",
    "NATS_SERVER",
)
_VLLM_KV_TRANSFER = '{"kv_connector":"NixlConnector","kv_role":"kv_both"}'

NodeKind = Literal["single", "leader", "worker"]


@dataclass(frozen=True)
class WorkerLaunch:
    """What one worker pod runs."""

    backend: str
    role: str  # prefill, decode or agg
    served_model: str
    model_path: str
    flags: str  # engine flags, a shell fragment (AIConfigurator quotes its values)
    engine_yaml: str | None = None  # TRT-LLM extra engine args
    node: NodeKind = "single"
    nodes: int = 1  # nodes one worker spans
    gpus_per_node: int = 8  # GPUs of this worker on each of its nodes
    leader_clique: str = ""  # clique names inside the scaling group (multi-node only)
    worker_clique: str = ""


def frontend_command() -> list[str]:
    return ["python3", "-m", "dynamo.frontend", "--http-port", str(FRONTEND_PORT)]


def worker_command(launch: WorkerLaunch) -> list[str]:
    """``["/bin/bash", "-c", script]`` for the pod's main container."""
    lines = ["set -euo pipefail"]
    if launch.node != "single":
        lines.append(f'LEADER="{_pod_host(launch.leader_clique, "0")}"')
    if launch.backend == "trtllm" and launch.engine_yaml:  # every node: mpirun ranks read it too
        lines += _write_engine_yaml(launch)
    lines += _BACKENDS[launch.backend](launch)
    return ["/bin/bash", "-c", "\n".join(lines) + "\n"]


def _pod_host(clique: str, index: str) -> str:
    return (
        f"${{GROVE_PCSG_NAME}}-${{GROVE_PCSG_INDEX}}-{clique}-{index}.${{GROVE_HEADLESS_SERVICE}}"
    )


def _engine_yaml_path(launch: WorkerLaunch) -> str:
    return f"{ENGINE_CONFIG_DIR}/{launch.role}_config.yaml"


def _write_engine_yaml(launch: WorkerLaunch) -> list[str]:
    body = (launch.engine_yaml or "").rstrip("\n")
    return [
        f"mkdir -p {ENGINE_CONFIG_DIR}",
        f"cat > {_engine_yaml_path(launch)} <<'YAML'",
        body,
        "YAML",
    ]


def _exec(module: str, launch: WorkerLaunch, model_flag: str, extra: list[str]) -> list[str]:
    args = [
        a
        for a in (
            f"{model_flag} {shlex.quote(launch.model_path)}",
            f"--served-model-name {shlex.quote(launch.served_model)}",
            launch.flags,
            *extra,
        )
        if a
    ]
    return [f"exec python3 -m {module} \\", *(f"  {a} \\" for a in args[:-1]), f"  {args[-1]}"]


def _sglang(launch: WorkerLaunch) -> list[str]:
    extra = ["--host 0.0.0.0"]
    if launch.role != "agg":
        extra.append(f"--disaggregation-mode {launch.role}")
    if launch.node != "single":
        rank = "0" if launch.node == "leader" else "$((GROVE_PCLQ_POD_INDEX + 1))"
        extra.append(
            f'--dist-init-addr "${{LEADER}}:29500" --nnodes {launch.nodes} --node-rank {rank}'
        )
    return _exec("dynamo.sglang", launch, "--model-path", extra)


def _vllm(launch: WorkerLaunch) -> list[str]:
    if launch.node == "worker":
        return ['exec ray start --address="${LEADER}:6379" --block']
    extra = []
    if launch.role != "agg":
        extra.append(
            f"--disaggregation-mode {launch.role} --kv-transfer-config "
            f"{shlex.quote(_VLLM_KV_TRANSFER)}"
        )
    lines = []
    if launch.node == "leader":
        lines.append("ray start --head --port=6379")
        extra.append("--distributed-executor-backend ray")
    return lines + _exec("dynamo.vllm", launch, "--model", extra)


def _trtllm(launch: WorkerLaunch) -> list[str]:
    if launch.node == "worker":
        return [*_ssh_setup(), f"exec /usr/sbin/sshd -D -p {SSH_PORT}"]
    flags = (
        f"--extra-engine-args {_engine_yaml_path(launch)}" if launch.engine_yaml else launch.flags
    )
    extra = [f"--disaggregation-mode {launch.role}"] if launch.role != "agg" else []
    run = _exec("dynamo.trtllm", replace(launch, flags=flags), "--model-path", extra)
    if launch.node == "single":
        return run
    slots = launch.gpus_per_node
    hosts = [f"${{LEADER}}:{slots}"] + [
        f"{_pod_host(launch.worker_clique, str(i))}:{slots}" for i in range(launch.nodes - 1)
    ]
    forwarded = " ".join(_MPI_ENV)
    mpirun = (
        f"exec mpirun --allow-run-as-root --oversubscribe -np {slots * launch.nodes} "
        f'-H "{",".join(hosts)}" '
        f'--mca plm_rsh_args "-p {SSH_PORT} -o StrictHostKeyChecking=no" "${{MPI_ENV[@]}}" \\'
    )
    env_lines = [
        "MPI_ENV=()",
        f"for v in {forwarded}; do",
        '  if [ -n "${!v:-}" ]; then MPI_ENV+=(-x "$v"); fi',
        "done",
    ]
    return [*_ssh_setup(), *env_lines, mpirun, *[line.replace("exec ", "", 1) for line in run]]


def _ssh_setup() -> list[str]:
    return [
        "mkdir -p ~/.ssh /run/sshd",
        f"cp {SSH_KEY_DIR}/private.key ~/.ssh/id_rsa && chmod 600 ~/.ssh/id_rsa",
        f"cp {SSH_KEY_DIR}/private.key.pub ~/.ssh/authorized_keys",
        "ssh-keygen -A >/dev/null 2>&1 || true",
    ]


_BACKENDS = {"sglang": _sglang, "vllm": _vllm, "trtllm": _trtllm}
