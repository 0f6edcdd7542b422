"""The analyzers ``diagnose`` runs, in the order that breaks ranking ties. Adding one: a module in
``analyzers/`` with ``NAME`` and ``analyze(evidence)``, and one line here."""

from __future__ import annotations

from .analyzers import (
    blind_spots,
    gang_health,
    latency,
    placement,
    plan_drift,
    pods_and_nodes,
    rollout,
    scheduling,
    traffic_drift,
)
from .base import Analyzer

# Causes before the consequences they lead to: a rolling update explains its replacement pods
# not being ready; a pending pod, a crash loop or a NotReady node explains the clique's breach
# and Grove's countdown, which comes right after them.
ANALYZERS: tuple[tuple[str, Analyzer], ...] = (
    (rollout.NAME, rollout.analyze),
    (scheduling.NAME, scheduling.analyze),
    (pods_and_nodes.NAME, pods_and_nodes.analyze),
    (gang_health.NAME, gang_health.analyze),
    (latency.NAME, latency.analyze),
    (placement.NAME, placement.analyze),
    (plan_drift.NAME, plan_drift.analyze),
    (traffic_drift.NAME, traffic_drift.analyze),
    (blind_spots.NAME, blind_spots.analyze),
)
