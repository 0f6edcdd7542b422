"""Grove's admission rules (``capabilities/admission.py``), one case per rule: a PodCliqueSet that
passes, changed in one place, must give exactly the problems listed (rule code and field path).
Removing a rule fails its cases; a rule that fires where it should not fails the others."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from grove_mcp.capabilities.admission import BY_CODE, MAX_COMBINED_NAME, check, go_duration_seconds

BINDINGS = {"gpu-fabric": ["zone", "rack", "host"], "other": ["rack", "host"]}
T = "spec.template"


def container(name: str = "main", env: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"name": name, "image": "example/engine:1", "env": env or [{"name": "A", "value": "1"}]}


def clique(name: str, replicas: int = 1, **spec: Any) -> dict[str, Any]:
    return {
        "name": name,
        "spec": {
            "roleName": name,
            "replicas": replicas,
            "podSpec": {"containers": [container()]},
            **spec,
        },
    }


def good() -> dict[str, Any]:
    """Passes every rule: a pack constraint, a scaling group, an explicit startup order."""
    return {
        "apiVersion": "grove.io/v1alpha1",
        "kind": "PodCliqueSet",
        "metadata": {"name": "my-inference"},
        "spec": {
            "replicas": 2,
            "template": {
                "cliqueStartupType": "CliqueStartupTypeExplicit",
                "terminationDelay": "4h",
                "topologyConstraint": {"topologyName": "gpu-fabric", "pack": {"required": "rack"}},
                "cliques": [
                    clique("frontend"),
                    clique("prefill", 2, minAvailable=2, startsAfter=["frontend"]),
                    clique("leader", startsAfter=["frontend"]),
                    clique("worker", 3),
                ],
                "podCliqueScalingGroups": [
                    {
                        "name": "decode",
                        "cliqueNames": ["leader", "worker"],
                        "replicas": 2,
                        "minAvailable": 1,
                        "topologyConstraint": {"pack": {"required": "host"}},
                    }
                ],
            },
        },
    }


Change = Callable[[dict[str, Any]], None]


def tmpl(pcs: dict[str, Any]) -> dict[str, Any]:
    template: dict[str, Any] = pcs["spec"]["template"]
    return template


def spec(pcs: dict[str, Any], i: int) -> dict[str, Any]:
    found: dict[str, Any] = tmpl(pcs)["cliques"][i]["spec"]
    return found


def group(pcs: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = tmpl(pcs)["podCliqueScalingGroups"][0]
    return found


def no_group(pcs: dict[str, Any]) -> None:
    del tmpl(pcs)["podCliqueScalingGroups"]


def named(n: int) -> str:
    return ("x" * n)[:n]


# (id, change, the problems it must give: {(rule, field)})
CASES: list[tuple[str, Change, set[tuple[str, str]]]] = [
    # topologyName: required unless inherited, one per PodCliqueSet
    (
        "topology name missing on the PodCliqueSet",
        lambda p: tmpl(p)["topologyConstraint"].pop("topologyName"),
        {  # and the scaling group, which had it to inherit
            ("TOPOLOGY_NAME_REQUIRED", f"{T}.topologyConstraint.topologyName"),
            (
                "TOPOLOGY_NAME_REQUIRED",
                f"{T}.podCliqueScalingGroups[0].topologyConstraint.topologyName",
            ),
        },
    ),
    (
        "a clique constraint without a name and nothing to inherit",
        lambda p: (
            tmpl(p).pop("topologyConstraint"),
            tmpl(p)["cliques"][1].update(topologyConstraint={"pack": {"required": "host"}}),
        ),
        {
            ("TOPOLOGY_NAME_REQUIRED", f"{T}.cliques[1].topologyConstraint.topologyName"),
            (
                "TOPOLOGY_NAME_REQUIRED",
                f"{T}.podCliqueScalingGroups[0].topologyConstraint.topologyName",
            ),
        },
    ),
    (
        "a clique inherits its scaling group's name when the PodCliqueSet has no constraint",
        lambda p: (
            tmpl(p).pop("topologyConstraint"),
            group(p)["topologyConstraint"].update(topologyName="gpu-fabric"),
            tmpl(p)["cliques"][3].update(topologyConstraint={"pack": {"required": "host"}}),
        ),
        set(),
    ),
    (
        "a clique naming another topology than the PodCliqueSet",
        lambda p: tmpl(p)["cliques"][0].update(
            topologyConstraint={"topologyName": "other", "pack": {"required": "host"}}
        ),
        {("TOPOLOGY_NAME_CONFLICT", f"{T}.cliques[0].topologyConstraint.topologyName")},
    ),
    (
        "two cliques naming different topologies, none above them",
        lambda p: (
            tmpl(p).pop("topologyConstraint"),
            no_group(p),
            tmpl(p)["cliques"][0].update(
                topologyConstraint={"topologyName": "gpu-fabric", "pack": {"required": "host"}}
            ),
            tmpl(p)["cliques"][1].update(
                topologyConstraint={"topologyName": "other", "pack": {"required": "host"}}
            ),
        ),
        {("TOPOLOGY_NAME_CONFLICT", f"{T}.cliques[1].topologyConstraint.topologyName")},
    ),
    # against the binding's levels
    (
        "a binding that does not exist",
        lambda p: tmpl(p)["topologyConstraint"].update(topologyName="nope"),
        {("TOPOLOGY_NOT_FOUND", f"{T}.topologyConstraint.topologyName")},
    ),
    (
        "required and preferred domains that are not levels",
        lambda p: tmpl(p)["topologyConstraint"].update(
            pack={"required": "block", "preferred": "datacenter"}
        ),
        {
            ("TOPOLOGY_DOMAIN_UNKNOWN", f"{T}.topologyConstraint.pack.required"),
            ("TOPOLOGY_DOMAIN_UNKNOWN", f"{T}.topologyConstraint.pack.preferred"),
        },
    ),
    (
        "the deprecated packDomain is checked too",
        lambda p: tmpl(p).update(
            topologyConstraint={"topologyName": "gpu-fabric", "packDomain": "row"}
        ),
        {("TOPOLOGY_DOMAIN_UNKNOWN", f"{T}.topologyConstraint.packDomain")},
    ),
    (
        "a PodCliqueSet narrower than its scaling group",
        lambda p: (
            tmpl(p)["topologyConstraint"].update(pack={"required": "host"}),
            group(p).update(topologyConstraint={"pack": {"required": "rack"}}),
        ),
        {("TOPOLOGY_HIERARCHY", f"{T}.topologyConstraint.pack.required")},
    ),
    (
        "a scaling group narrower than its clique (preferred)",
        lambda p: (
            group(p).update(topologyConstraint={"pack": {"required": "rack", "preferred": "host"}}),
            tmpl(p)["cliques"][3].update(topologyConstraint={"pack": {"preferred": "rack"}}),
        ),
        {
            (
                "TOPOLOGY_HIERARCHY",
                f"{T}.podCliqueScalingGroups[0].topologyConstraint.pack.preferred",
            )
        },
    ),
    # names
    (
        "PodCliqueSet + standalone clique over 45",
        lambda p: p["metadata"].update(name=named(MAX_COMBINED_NAME - len("prefill") + 1)),
        {
            ("NAME_TOO_LONG", f"{T}.cliques[1].name"),
            ("NAME_TOO_LONG", f"{T}.cliques[0].name"),  # frontend is longer still
            ("NAME_TOO_LONG", f"{T}.podCliqueScalingGroups[0].cliqueNames[0]"),
            ("NAME_TOO_LONG", f"{T}.podCliqueScalingGroups[0].cliqueNames[1]"),
        },
    ),
    (
        "exactly 45 is allowed",
        lambda p: (
            no_group(p),
            p["metadata"].update(name=named(45 - len("frontend"))),
            tmpl(p).update(
                cliques=[clique("frontend")], cliqueStartupType="CliqueStartupTypeAnyOrder"
            ),
        ),
        set(),
    ),
    (
        "a scaling group's cliques count the group's name, and only there",
        lambda p: p["metadata"].update(name=named(45 - len("decode") - len("leader") + 1)),
        {
            ("NAME_TOO_LONG", f"{T}.podCliqueScalingGroups[0].cliqueNames[0]"),
            ("NAME_TOO_LONG", f"{T}.podCliqueScalingGroups[0].cliqueNames[1]"),
        },
    ),
    (
        "names that are not DNS subdomains",
        lambda p: (tmpl(p)["cliques"][0].update(name="Frontend"), group(p).update(name="decode_1")),
        {
            ("NAME_INVALID", f"{T}.cliques[0].name"),
            ("NAME_INVALID", f"{T}.podCliqueScalingGroups[0].name"),
            ("STARTS_AFTER_UNKNOWN", f"{T}.cliques[1].spec.startsAfter[0]"),
            ("STARTS_AFTER_UNKNOWN", f"{T}.cliques[2].spec.startsAfter[0]"),
        },
    ),
    (
        "no clique",
        lambda p: (no_group(p), tmpl(p).update(cliques=[])),
        {("CLIQUES_REQUIRED", f"{T}.cliques")},
    ),
    (
        "two cliques of one name",
        lambda p: tmpl(p)["cliques"].append(
            clique("frontend") | {"spec": {**spec(p, 0), "roleName": "fe2"}}
        ),
        {("CLIQUE_NAME_DUPLICATE", f"{T}.cliques[4].name")},
    ),
    (
        "two cliques of one roleName",
        lambda p: spec(p, 1).update(roleName="frontend"),
        {("ROLE_NAME_DUPLICATE", f"{T}.cliques[1].spec.roleName")},
    ),
    (
        "two schedulers (an empty one is Grove's default, not judged)",
        lambda p: (
            spec(p, 0)["podSpec"].update(schedulerName="kai-scheduler"),
            spec(p, 2)["podSpec"].update(schedulerName="default-scheduler"),
        ),
        {("SCHEDULER_NAME_MISMATCH", f"{T}.cliques[2].spec.podSpec.schedulerName")},
    ),
    # counts, after Grove's defaults
    (
        "negative replicas: PodCliqueSet, clique, scaling group",
        lambda p: (
            p["spec"].update(replicas=-1),
            spec(p, 0).update(replicas=-2, minAvailable=1),
            group(p).update(replicas=0),
        ),
        {
            ("REPLICAS_INVALID", "spec.replicas"),
            ("REPLICAS_INVALID", f"{T}.cliques[0].spec.replicas"),
            ("MIN_AVAILABLE_INVALID", f"{T}.cliques[0].spec.minAvailable"),
            ("REPLICAS_INVALID", f"{T}.podCliqueScalingGroups[0].replicas"),
            ("MIN_AVAILABLE_INVALID", f"{T}.podCliqueScalingGroups[0].minAvailable"),
        },
    ),
    (
        "replicas 0 defaults to 1, but minAvailable defaults from the 0",
        lambda p: spec(p, 0).update(replicas=0),
        {("MIN_AVAILABLE_INVALID", f"{T}.cliques[0].spec.minAvailable")},
    ),
    (
        "replicas 0 with minAvailable 1 is admitted",
        lambda p: spec(p, 0).update(replicas=0, minAvailable=1),
        set(),
    ),
    (
        "minAvailable over replicas, and 0",
        lambda p: (
            spec(p, 1).update(minAvailable=3),
            spec(p, 0).update(minAvailable=0),
            group(p).update(minAvailable=3),
        ),
        {
            ("MIN_AVAILABLE_INVALID", f"{T}.cliques[1].spec.minAvailable"),
            ("MIN_AVAILABLE_INVALID", f"{T}.cliques[0].spec.minAvailable"),
            ("MIN_AVAILABLE_INVALID", f"{T}.podCliqueScalingGroups[0].minAvailable"),
        },
    ),
    (
        "autoscaling bounds",
        lambda p: (
            spec(p, 1).update(autoScalingConfig={"minReplicas": 1, "maxReplicas": 1}),
            group(p).update(scaleConfig={"minReplicas": 0, "maxReplicas": 4}, minAvailable=1),
            spec(p, 3).update(autoScalingConfig={"maxReplicas": 4}),
        ),
        {
            ("SCALE_CONFIG_INVALID", f"{T}.cliques[1].spec.autoScalingConfig.minReplicas"),
            ("SCALE_CONFIG_INVALID", f"{T}.cliques[1].spec.autoScalingConfig.maxReplicas"),
            ("SCALE_CONFIG_INVALID", f"{T}.podCliqueScalingGroups[0].scaleConfig.minReplicas"),
            ("SCALE_CONFIG_INVALID", f"{T}.cliques[3].spec.autoScalingConfig"),
        },
    ),
    (
        "maxReplicas below minReplicas",
        lambda p: spec(p, 0).update(autoScalingConfig={"minReplicas": 3, "maxReplicas": 2}),
        {("SCALE_CONFIG_INVALID", f"{T}.cliques[0].spec.autoScalingConfig.maxReplicas")},
    ),
    # scaling groups
    (
        "a scaling group naming a clique that does not exist",
        lambda p: group(p)["cliqueNames"].append("router"),
        {("SCALING_GROUP_UNKNOWN_CLIQUE", f"{T}.podCliqueScalingGroups[0].cliqueNames")},
    ),
    (
        "a clique in two scaling groups; a group name twice",
        lambda p: tmpl(p)["podCliqueScalingGroups"].append(
            {"name": "decode", "cliqueNames": ["worker"]}
        ),
        {
            ("SCALING_GROUP_OVERLAP", f"{T}.podCliqueScalingGroups[1].cliqueNames"),
            ("SCALING_GROUP_NAME_DUPLICATE", f"{T}.podCliqueScalingGroups[1].name"),
        },
    ),
    # startsAfter, with Explicit startup
    (
        "startsAfter: unknown, empty, self, repeated",
        lambda p: spec(p, 1).update(startsAfter=["frontend", "router", "", "prefill", "frontend"]),
        {
            ("STARTS_AFTER_UNKNOWN", f"{T}.cliques[1].spec.startsAfter[1]"),
            ("STARTS_AFTER_UNKNOWN", f"{T}.cliques[1].spec.startsAfter[2]"),
            ("STARTS_AFTER_SELF", f"{T}.cliques[1].spec.startsAfter[3]"),
            ("STARTS_AFTER_DUPLICATE", f"{T}.cliques[1].spec.startsAfter[4]"),
        },  # a clique after itself is not also a cycle: Grove counts cycles of 2 or more
    ),
    (
        "a startsAfter cycle",
        lambda p: spec(p, 0).update(startsAfter=["leader"]),
        {("STARTS_AFTER_CYCLE", f"{T}.cliques")},
    ),
    (
        "startsAfter is not judged without Explicit startup (Grove does not)",
        lambda p: (
            tmpl(p).update(cliqueStartupType="CliqueStartupTypeInOrder"),
            spec(p, 1).update(startsAfter=["router", "prefill"]),
        ),
        set(),
    ),
    # the rest
    (
        "terminationDelay 0",
        lambda p: tmpl(p).update(terminationDelay="0s"),
        {("TERMINATION_DELAY_INVALID", f"{T}.terminationDelay")},
    ),
    (
        "terminationDelay that is no duration",
        lambda p: tmpl(p).update(terminationDelay="four hours"),
        {("TERMINATION_DELAY_INVALID", f"{T}.terminationDelay")},
    ),
    (
        "topologySpreadConstraints (even empty) and nodeName",
        lambda p: spec(p, 0)["podSpec"].update(topologySpreadConstraints=[], nodeName="gpu-a1"),
        {
            ("POD_SPEC_FORBIDDEN", f"{T}.cliques[0].spec.podSpec.topologySpreadConstraints"),
            ("POD_SPEC_FORBIDDEN", f"{T}.cliques[0].spec.podSpec.nodeName"),
        },
    ),
    (
        "environment names: invalid, repeated, in init containers too",
        lambda p: spec(p, 0)["podSpec"].update(
            containers=[container(env=[{"name": "9LIVES"}, {"name": "A"}, {"name": "A"}])],
            initContainers=[container("init", env=[{"name": "B=C"}])],
        ),
        {
            ("ENV_INVALID", f"{T}.cliques[0].spec.podSpec.containers[0].env[0].name"),
            ("ENV_INVALID", f"{T}.cliques[0].spec.podSpec.containers[0].env[2].name"),
            ("ENV_INVALID", f"{T}.cliques[0].spec.podSpec.initContainers[0].env[0].name"),
        },
    ),
]


def problems(pcs: dict[str, Any], bindings: Any = BINDINGS) -> set[tuple[str, str]]:
    return {(p.rule, p.field) for p in check(pcs, bindings).problems}


def test_the_good_podcliqueset_passes_with_and_without_bindings():
    assert problems(good()) == set()
    assert problems(good(), None) == set()
    assert check(good(), BINDINGS).levels_checked
    assert not check(good(), None).levels_checked


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_rule(change: Change, expected: set[tuple[str, str]]):
    pcs = copy.deepcopy(good())
    change(pcs)
    assert problems(pcs) == expected


def test_every_rule_has_a_case_that_breaks_it():
    broken = {rule for _, _, expected in CASES for rule, _ in expected}
    assert broken == set(BY_CODE)


def test_level_rules_need_a_binding_and_are_skipped_without_one():
    pcs = good()
    tmpl(pcs)["topologyConstraint"]["pack"] = {"required": "block"}
    assert problems(pcs) == {("TOPOLOGY_DOMAIN_UNKNOWN", f"{T}.topologyConstraint.pack.required")}
    outcome = check(pcs, None)
    assert outcome.problems == [] and outcome.has_constraints and not outcome.levels_checked
    assert {r for r, rule in BY_CODE.items() if rule.needs_binding} == {
        "TOPOLOGY_NOT_FOUND",
        "TOPOLOGY_DOMAIN_UNKNOWN",
        "TOPOLOGY_HIERARCHY",
    }


def test_no_level_check_when_the_name_is_already_wrong():
    """Grove resolves the binding only once the topologyName rules hold."""
    pcs = good()
    tmpl(pcs)["topologyConstraint"] = {"pack": {"required": "block"}}
    outcome = check(pcs, BINDINGS)
    assert {p.rule for p in outcome.problems} == {"TOPOLOGY_NAME_REQUIRED"}
    assert not outcome.levels_checked


def test_messages_say_what_and_what_to_do():
    pcs = good()
    pcs["metadata"]["name"] = named(40)
    found = {p.field: p for p in check(pcs, BINDINGS).problems}
    too_long = found[f"{T}.cliques[1].name"]
    assert "47 characters together" in too_long.message and "45" in too_long.message
    assert "by 2 character(s)" in too_long.remediation
    assert too_long.grove_source.endswith("validation/podcliqueset.go")


def test_wrong_types_are_left_to_the_schema():
    pcs = good()
    spec(pcs, 0).update(replicas="two", minAvailable=None)
    tmpl(pcs)["cliques"][1] = "not a clique"
    found = problems(pcs)
    assert all(rule != "REPLICAS_INVALID" for rule, _ in found), found


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("4h", 14400), ("1h30m", 5400), ("1.5h", 5400), ("300ms", 0.3), ("0", 0), ("-5s", -5),
     ("0s", 0), ("", None), ("4", None), ("h", None), ("4 h", None), ("4hours", None)],
)  # fmt: skip
def test_go_durations(text: str, seconds: float | None):
    assert go_duration_seconds(text) == (pytest.approx(seconds) if seconds is not None else None)


def test_an_unknown_starts_after_suggests_the_closest_other_clique():
    pcs = good()
    pcs["spec"]["template"]["cliques"][1]["spec"]["startsAfter"] = ["frontnd"]
    (problem,) = check(pcs, BINDINGS).problems
    assert problem.rule == "STARTS_AFTER_UNKNOWN"
    assert problem.remediation.startswith("Did you mean 'frontend'? ")
    assert "prefill" not in problem.remediation  # never the clique itself
