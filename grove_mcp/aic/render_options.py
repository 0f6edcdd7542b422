"""How ``generate`` renders: names, image, placement, scheduler, environment. Checked before
AIConfigurator starts (``validated``); what needs the cluster is settled by ``cluster_fit``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import InvalidInput
from ..grove import parse_duration
from ..names import validate_namespace, validate_pcs_name

DEFAULT_TERMINATION_DELAY = "15m"  # Dynamo's DefaultGroveTerminationDelay (Grove's own: 4h)
KAI_SCHEDULER = "kai-scheduler"
KAI_QUEUE_LABEL = "kai.scheduler/queue"
KAI_DEFAULT_QUEUE = "dynamo"  # Dynamo's default queue
_DOMAIN = re.compile(r"^[a-z][a-z0-9-]*$")
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")


@dataclass(frozen=True)
class RenderOptions:
    """How to render: names, image, model location, placement and extra environment."""

    name: str | None = None  # PCS name; default <model>-<backend>-<mode>
    namespace: str | None = None
    image: str | None = None  # default: AIConfigurator's Dynamo runtime image for the backend
    model_path: str | None = None  # what the engine loads; default: the plan's model
    pack_domain: str | None = None  # topologyConstraint.pack.required, e.g. rack
    topology_name: str | None = None  # ClusterTopologyBinding name (the cluster's, when one)
    kai_queue: str | None = None  # label kai.scheduler/queue + schedulerName kai-scheduler
    hf_token_secret: str | None = "hf-token-secret"  # envFrom (optional) on every container
    env: Mapping[str, str] = field(default_factory=dict)  # e.g. ETCD_ENDPOINTS, NATS_SERVER
    termination_delay: str = DEFAULT_TERMINATION_DELAY  # Grove's gang-termination delay

    def validated(self) -> RenderOptions:
        """Refuse malformed values, naming the flag (before any API call or AIConfigurator)."""
        if self.name is not None:
            validate_pcs_name(self.name)
            if not self.name[0].isalpha():
                raise InvalidInput(
                    f"--name '{self.name}' must start with a letter: it also names the "
                    f"frontend Service ({self.name}-frontend), and Service names do."
                )
        if self.namespace is not None:
            validate_namespace(self.namespace)
        for value, what in (
            (self.pack_domain, "--pack-domain"),
            (self.topology_name, "--topology-name"),
        ):
            if value is not None and not _DOMAIN.match(value):
                raise InvalidInput(
                    f"{what} '{value}' is not valid: lowercase letters, digits and '-', "
                    "starting with a letter (e.g. rack, host, zone)."
                )
        if self.kai_queue is not None and not (
            len(self.kai_queue) <= 63 and _NAME.match(self.kai_queue)
        ):
            raise InvalidInput(
                f"--kai-queue '{self.kai_queue}' is not a KAI queue name: lowercase letters, "
                "digits, '-' and '.', at most 63 (kubectl get queues.scheduling.run.ai)."
            )
        self.termination_seconds()
        return self

    def termination_seconds(self) -> float:
        """The termination delay in seconds; a malformed or non-positive one is refused."""
        try:
            delay = parse_duration(self.termination_delay)
        except ValueError:
            delay = None
        if delay is None or delay.total_seconds() <= 0:
            raise InvalidInput(
                f"--termination-delay '{self.termination_delay}' is not a positive duration: "
                "use Go's form, e.g. 15m (Dynamo's default), 1h30m or 4h (Grove's default)."
            )
        return delay.total_seconds()

    def require_topology_name(self) -> None:
        """Without a cluster to read, a pack domain needs its ClusterTopologyBinding named."""
        if self.pack_domain is not None and self.topology_name is None:
            raise InvalidInput(
                f"A pack domain ('{self.pack_domain}') needs the ClusterTopologyBinding that "
                "defines it: Grove's webhook (since alpha.9) refuses a topologyConstraint without "
                "topologyName. Add --topology-name NAME (topology_name), one of kubectl get "
                "clustertopologybindings, or point generate at the cluster (--context / "
                "--kubeconfig) to take it from there."
            )
