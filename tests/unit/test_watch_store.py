"""What ``--watch`` keeps between frames: a leaned object from a watch event is kept exactly as
its LIST gives it (so a re-list after a restart finds it unchanged and shows no frame twice),
and a batch that needs a re-list applies nothing."""

from __future__ import annotations

import json

from grove_mcp.grove.kinds import POD
from grove_mcp.snapshot import usage_fields
from grove_mcp.sources.base import ListQuery, WatchEvent
from grove_mcp.sources.list_decode import decode_list
from grove_mcp.watching import _apply, _key, _versions

POD_OBJ = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p", "namespace": "other", "uid": "u1", "labels": {"a": "b"}},
    "spec": {"nodeName": "n1", "containers": [{"name": "c", "resources": {"requests": {}}}]},
    "status": {"phase": "Running"},
}
QUERY = ListQuery(POD, None, optional=True, lean=usage_fields)


def listed(obj: dict) -> dict:
    """The item as LiveSource._list keeps it: decoded (leaned), then typed."""
    item = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}
    body = decode_list(json.dumps({"items": [item]}).encode(), QUERY.lean)
    return {"apiVersion": POD.api_version, "kind": POD.kind, **body["items"][0]}


def test_a_watched_lean_object_is_kept_as_its_list_keeps_it():
    from_list = {QUERY: {_key(POD_OBJ): listed(POD_OBJ)}}
    from_watch: dict = {QUERY: {}}
    assert not _apply(from_watch, [WatchEvent(QUERY, "MODIFIED", POD_OBJ)])
    assert _versions(from_watch) == _versions(from_list)


def test_a_batch_with_a_resync_applies_nothing():
    store: dict = {QUERY: {}}
    batch = [WatchEvent(QUERY, "ADDED", POD_OBJ), WatchEvent(QUERY, "RESYNC")]
    assert _apply(store, batch)
    assert store == {QUERY: {}}
