"""Kubernetes objects with missing or wrongly typed fields: the demo's objects, mutated
(keys dropped, types swapped, None, huge numbers, NaN, weird strings), as a bundle; then every
reading capability's report on it. A refusal must be a BundleError naming the object and the
field (the loader's, or the snapshot's), never a crash."""

from __future__ import annotations

import copy

from fuzz_strategies import mutate
from fuzz_worlds import PCS, READING, demo_bundle
from fuzzing import examples, outcome, tally
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grove_mcp import core
from grove_mcp.core import Scope, capability
from grove_mcp.errors import GroveError
from grove_mcp.sources.bundle import Bundle, BundleSource, _check_object


class World:
    """A bundle of changed objects, shown as what changed (Hypothesis prints examples)."""

    def __init__(self, bundle: Bundle, changes: tuple[str, ...]) -> None:
        self.bundle = bundle
        self.changes = changes

    def __repr__(self) -> str:
        return f"World(changes={self.changes!r})"


@st.composite
def mutated_world(draw: st.DrawFn) -> World:
    """The demo bundle with one to three objects changed."""
    objects = [copy.deepcopy(o) for o in demo_bundle().objects]
    changes = []
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(objects) - 1))
        where = draw(mutate(objects[index]))
        meta = objects[index].get("metadata")
        name = meta.get("name") if isinstance(meta, dict) else "?"
        changes.append(f"{objects[index].get('kind')} {name}: {where}")
    base = demo_bundle()
    return World(Bundle(base.manifest, tuple(objects), "fuzzed", base.metrics), tuple(changes))


def _load(bundle: Bundle) -> BundleSource | GroveError:
    """What ``Bundle.load`` does to each object (it refuses one without kind or name)."""
    for index, obj in enumerate(bundle.objects):
        refused = outcome(_check_object, obj, f"object {index + 1}")
        if isinstance(refused, GroveError):
            return refused
    return BundleSource(bundle)


def world_with(kind: str, name: str, path: str, value: object) -> World:
    """The demo with one field of one object set (a regression example)."""
    objects = [copy.deepcopy(o) for o in demo_bundle().objects]
    node = next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)
    *parents, last = path.split(".")
    for key in parents:
        node = node[key]
    node[last] = value
    base = demo_bundle()
    bundle = Bundle(base.manifest, tuple(objects), "fuzzed", base.metrics)
    return World(bundle, (f"{kind} {name}: {path} = {value!r}",))


@settings(max_examples=examples(2))
@given(world=mutated_world())
# a plan ConfigMap whose data is no map of strings: pydantic's ValidationError escaped
# snapshot._config_maps (every plan, metrics, compare and diagnose report crashed)
@example(world=world_with("ConfigMap", "my-inference-aic-plan", "data", {"plan.json": 7}))
# a placed pod bound to a node the snapshot does not hold (deleted since): the consolidation
# advice looked up the node's free room (KeyError in consolidation._elsewhere)
@example(world=world_with("Pod", "my-inference-1-prefill-nthtn", "spec.nodeName", "NaN"))
# a name that YAML reads as a number: the snapshot's error about the malformed object
# joined it as text (TypeError in snapshot._parsed) instead of naming it
@example(world=world_with("PodClique", "my-inference-0-decode", "metadata.name", 2**63))
# labels that are no map (YAML lets a bundle say anything): selecting on them raised
# TypeError/AttributeError in the bundle's LIST; now the loader refuses the object
@example(world=world_with("Pod", "my-inference-0-decode-mfm67", "metadata.labels", "x"))
def test_every_report_takes_broken_objects(world: World) -> None:
    source = _load(world.bundle)
    if isinstance(source, GroveError):
        tally("objects", "refused by the loader")
        return
    for name in READING:
        everything = capability(name).scope is Scope.all
        tally(f"objects {name}", outcome(core.run, name, source, None, None if everything else PCS))
