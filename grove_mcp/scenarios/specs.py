"""What a scenario says, and the small helpers every object writer shares: timestamps, names,
UIDs, owner references. Imported by the builder and by the object writers alike."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

Obj = dict[str, Any]
GPU = "nvidia.com/gpu"


def ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def suffix(*parts: str) -> str:
    """A deterministic 5-character pod-name suffix (Kubernetes uses random ones)."""
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest()
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    return "".join(alphabet[int(digest[i : i + 2], 16) % len(alphabet)] for i in range(0, 10, 2))


def controller_reference(owner: Obj) -> Obj:
    """The ownerReference a controller puts on what it creates."""
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def uid(*parts: str) -> str:
    digest = hashlib.sha256(("uid/" + "/".join(parts)).encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


@dataclass
class PodState:
    """What happens to one pod. Unnamed pods are placed first-fit and run ready."""

    node: str | None = None
    ready: bool = True
    phase: str | None = None
    restarts: int = 0
    waiting_reason: str | None = None
    last_exit: tuple[str, int] | None = None
    gated: bool = False
    unschedulable: str | None = None
    age: timedelta | None = None
    updated: bool = True


@dataclass
class CliqueSpec:
    name: str
    replicas: int
    gpus: int = 0
    min_available: int | None = None
    role: str | None = None
    image: str = "lmsysorg/sglang:v0.5.5"
    args: tuple[str, ...] = ()
    port: int | None = None
    cpu: str = "8"
    memory: str = "64Gi"
    starts_after: tuple[str, ...] = ()


@dataclass
class ScalingGroupSpec:
    name: str
    cliques: tuple[str, ...]
    replicas: int = 1
    min_available: int = 1


@dataclass
class WorkloadSpec:
    name: str
    replicas: int
    cliques: list[CliqueSpec]
    scaling_groups: list[ScalingGroupSpec] = field(default_factory=list)
    termination_delay: str | None = "4h"
    pack_required: str | None = None
    pack_preferred: str | None = None
    topology_name: str | None = None
    age: timedelta = timedelta(hours=2, minutes=15)
    labels: dict[str, str] = field(default_factory=dict)
