"""How fast a workload serves and how that compares with its plan: the ``metrics`` and
``compare`` reports. Pure, like the capabilities below them; the window is collected before
(``grove_mcp.sources.metrics_collect``). They sit beside ``plans`` because they judge against
the stored plan and reuse ``plan diff``."""

from .compare import build_compare
from .metrics import MetricsArgs, build_metrics, metrics_targets, scraped

__all__ = ["MetricsArgs", "build_compare", "build_metrics", "metrics_targets", "scraped"]
