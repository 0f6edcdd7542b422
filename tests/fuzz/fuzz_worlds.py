"""The demo world, loaded once per test session (reading its YAML takes ~0.7 s)."""

from __future__ import annotations

from functools import cache

from grove_mcp.core import CAPABILITIES, Scope, capability
from grove_mcp.sources import demo_bundle_path
from grove_mcp.sources.bundle import Bundle, BundleSource

# Every capability that reads a cluster or bundle and writes nothing: what a world answers.
READING = [
    c.name
    for c in CAPABILITIES
    if not c.writes and c.scope is not Scope.none and not c.source_optional
]
NAMED = [c for c in READING if capability(c).scope is not Scope.all]  # they take a name
PCS = "my-inference"


@cache
def demo_bundle() -> Bundle:
    return Bundle.load(demo_bundle_path())


def demo() -> BundleSource:
    return BundleSource(demo_bundle(), label="embedded demo")
