"""``decode_list`` reads a LIST answer as ``json.loads`` does, item by item: the same answer
for any JSON, each item leaned and stripped of managedFields, malformed JSON refused."""

from __future__ import annotations

import json

import pytest

from grove_mcp.sources.list_decode import decode_list

POD = {
    "metadata": {"name": "p", "managedFields": [{"manager": "kubelet"}], "labels": {"a": "b"}},
    "spec": {"nodeName": "n1", "containers": [{"name": "c", "args": ["--x"]}]},
}


@pytest.mark.parametrize(
    "answer",
    [
        {"kind": "PodList", "metadata": {"resourceVersion": "7"}, "items": []},
        {"items": [{"a": 1}, {"b": [1, 2, {"c": None}]}, 3, "s"], "kind": "X"},
        {"metadata": {"continue": ""}, "apiVersion": "v1"},
        {},
        [],
        {"items": {"not": "a list"}},
        {"items": [], "items2": [{"metadata": {"managedFields": [1]}}]},
    ],
)
@pytest.mark.parametrize("indent", [None, 2])
def test_the_answer_is_what_json_loads_gives(answer, indent):
    assert decode_list(json.dumps(answer, indent=indent).encode()) == json.loads(json.dumps(answer))


def test_items_lose_managed_fields_and_keep_only_what_lean_keeps():
    data = json.dumps({"kind": "PodList", "items": [POD, POD]}).encode()
    plain = decode_list(data)
    assert plain["items"][0]["metadata"] == {"name": "p", "labels": {"a": "b"}}
    assert plain["items"][0]["spec"] == POD["spec"]

    def lean(item):
        return {"metadata": {"name": item["metadata"]["name"]}, "node": item["spec"]["nodeName"]}

    assert decode_list(data, lean)["items"] == [{"metadata": {"name": "p"}, "node": "n1"}] * 2


@pytest.mark.parametrize(
    "data",
    [b'{"items": [1, 2', b'{"items": [1 2]}', b'{"a" 1}', b'{"a": 1,}', b'{"a": 1} x', b"{1: 2}"],
)
def test_malformed_json_is_a_value_error(data):
    with pytest.raises(ValueError):
        json.loads(data)
    with pytest.raises(ValueError):
        decode_list(data)
    with pytest.raises(ValueError):
        decode_list(data, lambda item: item)
