"""Recorded AIConfigurator runs and Grove's PodCliqueSet schema, for the aic unit tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from grove_mcp.aic.protocol import AicRun
from tools.envtest.apiserver import crds_dir

FIXTURES = Path(__file__).parent / "fixtures"
CREATED = datetime(2026, 11, 19, 9, 12, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[3]


def load_run(name: str) -> AicRun:
    """A real run recorded by tests/aic/capture_fixtures.py."""
    return AicRun.model_validate_json((FIXTURES / f"{name}.json").read_text())


def _to_json_schema(node: Any) -> Any:
    """Kubernetes structural schema → JSON Schema, stricter on unknown fields than the API
    server (which prunes them): objects with properties refuse others unless the schema keeps
    unknown fields. int-or-string and nullable are translated; CEL rules are left out."""
    if isinstance(node, list):
        return [_to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _to_json_schema(v) for k, v in node.items() if not k.startswith("x-kubernetes-")}
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.get("nullable"):
        out.pop("nullable")
        if "type" in out:
            out["type"] = [out["type"], "null"]
    if (
        node.get("type") == "object"
        and "properties" in node
        and "additionalProperties" not in node
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


@cache
def _pcs_schema() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # 8x faster on this 11,000-line file
    crd = yaml.load((crds_dir() / "grove.io_podcliquesets.yaml").read_text(), Loader=loader)
    raw = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return _to_json_schema(raw)


@cache
def pcs_validator() -> Any:
    """A validator for Grove's PodCliqueSet schema, built once (checking the 11,000-line schema
    against the meta-schema takes ~12 s, so that is not done)."""
    schema = _pcs_schema()
    return jsonschema.validators.validator_for(schema)(schema)


def demo_objects(kind: str) -> list[dict[str, Any]]:
    """The embedded demo bundle's objects of ``kind``, as the bundle reader reads its files."""
    from grove_mcp.sources import Bundle, demo_bundle_path

    return [o for o in Bundle.load(demo_bundle_path()).objects if o["kind"] == kind]


def demo_plan_json() -> str:
    """The plan the embedded demo bundle stores in its ConfigMap."""
    for item in demo_objects("ConfigMap"):
        if "plan.json" in (item.get("data") or {}):
            return item["data"]["plan.json"]
    raise AssertionError("the demo bundle has no plan.json ConfigMap")


def as_json(model: Any) -> dict[str, Any]:
    return json.loads(model.model_dump_json(by_alias=True))
