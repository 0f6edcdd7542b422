"""Scenarios with a chosen stored plan, for the plan tests: bundles edited as raw objects."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources import Bundle

Obj = dict[str, Any]
PCS = "my-inference"


def demo_plan() -> Obj:
    """The plan the demo stores (a plain dict, camelCase, as in plan.json)."""
    cm = next(o for o in SCENARIOS["demo"]().objects if o["kind"] == "ConfigMap")
    return json.loads(cm["data"]["plan.json"])


def plan_config_map(
    plan: Obj | str,
    *,
    name: str = f"{PCS}-aic-plan",
    pcs: str = PCS,
    namespace: str = "vllm-disagg",
    label: str = "grove.io/aic-plan",
    extra: dict[str, str] | None = None,
) -> Obj:
    text = plan if isinstance(plan, str) else json.dumps(plan)
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace, "labels": {label: pcs}},
        "data": {"plan.json": text, **(extra or {})},
    }


def edited(
    scenario: str,
    change: Callable[[Obj], None] | None = None,
    *,
    plan: Obj | None = None,
    config_maps: list[Obj] | None = None,
    pcs: str = PCS,
) -> Bundle:
    """The scenario with ``change`` applied to every object, and its plan ConfigMaps replaced
    by ``config_maps`` (or by one holding ``plan``) when given."""
    bundle = SCENARIOS[scenario]()
    objects = [copy.deepcopy(o) for o in bundle.objects]
    if plan is not None:
        config_maps = [
            plan_config_map(
                plan, name=f"{pcs}-aic-plan", pcs=pcs, namespace=bundle.manifest.namespace
            )
        ]
    if config_maps is not None:
        objects = [o for o in objects if o["kind"] != "ConfigMap"] + config_maps
    for obj in objects:
        if change is not None:
            change(obj)
    return replace(bundle, objects=tuple(objects))


def containers(obj: Obj, clique: str) -> list[Obj]:
    """The containers of ``clique`` in a PCS template or in a standalone PodClique of it."""
    if obj["kind"] == "PodCliqueSet":
        return [
            c
            for t in obj["spec"]["template"]["cliques"]
            if t["name"] == clique
            for c in t["spec"]["podSpec"]["containers"]
        ]
    if obj["kind"] == "PodClique" and obj["metadata"]["name"].endswith(f"-{clique}"):
        return list(obj["spec"]["podSpec"]["containers"])
    return []
