"""Snapshots of named scenarios through the bundle source, for the unit tests."""

from __future__ import annotations

from grove_mcp.scenarios import SCENARIOS
from grove_mcp.snapshot import Snapshot, SnapshotRequest, fetch_snapshot
from grove_mcp.sources import BundleSource


def scenario_snapshot(name: str, pcs: str | None = "my-inference", **needs: bool) -> Snapshot:
    bundle = SCENARIOS[name]()
    request = SnapshotRequest(bundle.manifest.namespace, pcs, **needs)
    return fetch_snapshot(BundleSource(bundle), request)
