"""Is the deployment steady? Breached gangs, pods not serving or a rollout make the measurements
describe a transient, not what the configuration does. Read from the health and status reports
(their findings follow Grove's own conditions)."""

from __future__ import annotations

from ..diagnosis.analyzers._health_codes import health_issues
from ..diagnosis.base import Evidence

#: Health findings that mean the pods measured are not the configuration running whole.
UNSTEADY_CODES = frozenset(
    {
        "MIN_AVAILABLE_BREACHED",
        "GANG_RECYCLING",
        "POD_UNSCHEDULABLE",
        "POD_GATED",
        "POD_NOT_READY",
        "POD_TERMINATING",
        "POD_FAILED",
        "CRASH_LOOP",
        "IMAGE_PULL",
        "NO_PODCLIQUES",
    }
)


def unsteady_reasons(ev: Evidence) -> list[str]:
    """Why the deployment is not steady, one line each; empty when it is."""
    reasons = [f"{f.code}: {f.message}" for f in health_issues(ev, UNSTEADY_CODES)]
    update = ev.status.overview.update
    if update is not None and update.in_progress:
        reasons.append("ROLLING_UPDATE: a rolling update is replacing pods")
    return reasons
