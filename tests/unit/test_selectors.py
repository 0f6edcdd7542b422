"""In-memory selectors match the API server's semantics for the forms grove-mcp sends."""

from __future__ import annotations

import pytest

from grove_mcp.sources.selectors import field_matcher, label_matcher

LABELS = {"app.kubernetes.io/part-of": "my-inference", "tier": "gpu"}


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        (None, True),
        ("", True),
        ("app.kubernetes.io/part-of=my-inference", True),
        ("app.kubernetes.io/part-of==other", False),
        ("app.kubernetes.io/part-of", True),
        ("!app.kubernetes.io/part-of", False),
        ("tier!=cpu", True),
        ("tier in (gpu,cpu),app.kubernetes.io/part-of", True),
        ("tier notin (gpu)", False),
        ("missing!=x", True),
    ],
)
def test_label_selector(selector, matches):
    assert label_matcher(selector)(LABELS) is matches


OBJ = {
    "metadata": {"name": "p", "namespace": "n"},
    "spec": {"nodeName": "a1"},
    "status": {"phase": "Running"},
}


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        ("metadata.name=p", True),
        ("metadata.name=q", False),
        ("status.phase!=Succeeded,status.phase!=Failed", True),
        ("spec.nodeName==a1", True),
        ("spec.nodeName!=", True),
    ],
)
def test_field_selector(selector, matches):
    assert field_matcher(selector)(OBJ) is matches
