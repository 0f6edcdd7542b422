"""How the operator started the server: the source, the default namespace, what is enabled."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..core.budget import BUDGET_BYTES
from ..core.budget_generate import GENERATE_BUDGET_BYTES
from ..sources import open_source
from ..sources.base import Source
from ..sources.kube import MCP_AGENT
from ..sources.scrape import DEFAULT_TIMEOUT as SCRAPE_TIMEOUT

DEFAULT_TOOL_TIMEOUT = 120.0


@dataclass(frozen=True)
class ServerConfig:
    """Options of ``grove-mcp`` (see ``main``); the defaults read the live cluster, read-only."""

    demo: bool = False
    bundle: str | None = None
    kubeconfig: str | None = None
    context: str | None = None
    request_timeout: float | None = None
    namespace: str | None = None
    allow_writes: bool = False
    enabled_tools: frozenset[str] | None = None
    budget_bytes: int = BUDGET_BYTES
    # grove_generate's answers: its manifests are what it delivers, so they get more room
    generate_budget_bytes: int = GENERATE_BUDGET_BYTES
    tool_timeout: float = DEFAULT_TOOL_TIMEOUT
    log_level: str = "WARNING"
    diag_dir: str = "grove-diag"  # where grove_diag writes its bundles (--diag-dir)
    # from the config file (kubectl-grove/config.yaml), which flags and tool arguments override
    cluster_namespace: str | None = None  # a cluster's default namespace (defaults.namespace)
    operator_namespace: str | None = None  # where Grove's operator runs (defaults.*)
    metrics_port: int | None = None  # metrics.port
    scrape_timeout: float = SCRAPE_TIMEOUT  # metrics.scrape_timeout

    def source_factory(self) -> Callable[[], Source]:
        """Opens the configured source (called once, in the server's lifespan)."""
        return lambda: open_source(
            demo=self.demo,
            bundle=self.bundle,
            kubeconfig=self.kubeconfig,
            context=self.context,
            timeout=self.request_timeout,
            namespace=self.cluster_namespace,
            operator_namespace=self.operator_namespace,
            agent=MCP_AGENT,
        )
