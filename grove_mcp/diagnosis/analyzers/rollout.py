"""Rollouts: a rolling update in progress holds capacity down while cliques are replaced."""

from __future__ import annotations

from ...reports.common import Severity
from ...reports.diagnose import DiagnosisFinding, Impact
from ..base import Evidence, finding

NAME = "rollout"


def analyze(ev: Evidence) -> list[DiagnosisFinding]:
    o = ev.status.overview
    u = o.update
    if u is None or not u.in_progress:
        return []
    done = (
        f"{u.updated_cliques}/{u.total_cliques} cliques"
        if u.total_cliques is not None
        else f"{u.updated_cliques or 0} cliques"
    )
    short = o.available_replicas < o.replicas
    evidence = [
        f"rolling update since {u.started_at:%Y-%m-%d %H:%M:%SZ}"
        if u.started_at
        else "rolling update running",
        f"updated {done}; replicas updating now: {', '.join(map(str, u.replicas_updating)) or 'none'}",
        f"available replicas {o.available_replicas}/{o.replicas}, updated {o.updated_replicas}",
    ]
    return [
        finding(
            NAME,
            "ROLLING_UPDATE",
            Severity.warning,
            Impact.blocks_serving if short else Impact.efficiency,
            "A rolling update is replacing pods"
            + (f": {o.replicas - o.available_replicas} replica(s) unavailable" if short else ""),
            f"podcliqueset/{ev.name}",
            evidence,
            "While a replica is updated its old pods are deleted before the new ones serve, so "
            "capacity is down by that replica until it is ready again.",
            "Let it finish; if it stalls, see which pods of the updating replica are not ready.",
            [ev.command("status"), ev.command("health")],
            "Full capacity once every replica is updated and ready.",
        )
    ]
