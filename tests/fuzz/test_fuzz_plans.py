"""Plan files: ``plan.json`` text and generated YAML as ``plan store``/``compare --plan`` read
them, and the plan ConfigMap's contents (``plan.json``, ``history.json``) under every report
that reads a stored plan. Starts from the demo's plan, mutated, and from any text."""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

from fuzz_strategies import JSON, TEXT, mutate
from fuzz_worlds import PCS, demo_bundle
from fuzzing import examples, outcome, tally
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grove_mcp import core
from grove_mcp.core import MetricsArgs
from grove_mcp.planfile import Plan, plan_from_dict
from grove_mcp.plans.configmap import HISTORY_FORMAT, plan_input_from_text
from grove_mcp.sources.bundle import Bundle, BundleSource

PLAN_READERS = ["plan show", "plan history", "plan diff", "compare", "diagnose"]


@cache
def demo_plan() -> dict[str, Any]:
    cm = next(o for o in demo_bundle().objects if o["kind"] == "ConfigMap")
    plan: dict[str, Any] = json.loads(cm["data"]["plan.json"])
    return plan


def _huge_worker() -> dict[str, Any]:
    plan = copy.deepcopy(demo_plan())
    plan["config"]["prefill"]["gpusPerWorker"] = 10**30
    return plan


@st.composite
def plan_dicts(draw: st.DrawFn) -> dict[str, Any]:
    plan = copy.deepcopy(demo_plan())
    keep_types = draw(st.booleans())  # half the plans still validate: odd values, right types
    for _ in range(draw(st.integers(1, 3))):
        draw(mutate(plan, keep_types))
    return plan


PLAN_TEXTS = st.one_of(
    plan_dicts().map(json.dumps),
    JSON.map(json.dumps),
    TEXT,
    plan_dicts().map(
        lambda p: (
            "kind: PodCliqueSet\nmetadata:\n  annotations:\n"
            f"    grove-mcp.io/aic-plan: {json.dumps(json.dumps(p))}\n"
        )
    ),
)


@settings(max_examples=examples(5))
@given(text=PLAN_TEXTS)
@example(text='{"format": "grove-mcp-plan", "formatVersion": NaN}')
def test_plan_text_is_read_or_refused(text: str) -> None:
    tally("plan text", outcome(plan_input_from_text, text))


def _history(draw: st.DrawFn) -> str | None:
    entries = draw(st.lists(st.one_of(JSON, plan_dicts().map(lambda p: {"plan": p})), max_size=3))
    shape = draw(st.sampled_from(["none", "entries", "any"]))
    if shape == "none":
        return None
    if shape == "any":
        return draw(TEXT | JSON.map(json.dumps))
    return json.dumps({"format": HISTORY_FORMAT, "formatVersion": 1, "entries": entries})


@st.composite
def stored(draw: st.DrawFn) -> dict[str, str]:
    """A plan ConfigMap's data: a mutated plan.json (or any text), and maybe a history."""
    plan_json = plan_dicts().map(json.dumps)
    data = {"plan.json": draw(st.one_of(plan_json, plan_json, plan_json, PLAN_TEXTS))}
    if (history := _history(draw)) is not None:
        data["history.json"] = history
    return data


def _with_data(data: dict[str, str]) -> BundleSource:
    base = demo_bundle()
    objects = [copy.deepcopy(o) for o in base.objects]
    cm = next(o for o in objects if o["kind"] == "ConfigMap")
    cm["data"] = data
    return BundleSource(Bundle(base.manifest, tuple(objects), "fuzzed", base.metrics))


@settings(max_examples=examples(1.5))
@given(data=stored())
@example(data={"plan.json": json.dumps(_huge_worker())})
def test_every_plan_report_takes_any_stored_plan(data: dict[str, str]) -> None:
    source = _with_data(data)
    for name in PLAN_READERS:
        tally(f"stored plan {name}", outcome(core.run, name, source, None, PCS))


@settings(max_examples=examples(1))
@given(plan=plan_dicts())
# gpusPerWorker 10**30: planfile.nodes_per_worker counted nodes up one at a time, for ever
# (compare, plan diff and diagnose hung; found by the long run)
@example(plan=_huge_worker())
def test_compare_takes_a_plan_file(plan: dict[str, Any]) -> None:
    """``compare --plan`` / MCP ``plan``: a plan that validates, judged against the demo."""
    parsed = outcome(plan_from_dict, plan, "plan.json")
    if not isinstance(parsed, Plan):
        tally("compare --plan", parsed)
        return
    args = MetricsArgs(plan=parsed)
    tally(
        "compare --plan", outcome(core.run, "compare", BundleSource(demo_bundle()), None, PCS, args)
    )
