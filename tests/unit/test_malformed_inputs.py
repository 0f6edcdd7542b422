"""Malformed inputs the fuzzers found, each refused with an error naming what is wrong (not a
ValueError, zlib.error or TypeError from deep inside)."""

from __future__ import annotations

import copy
import gzip
import io
import random
import tarfile
from pathlib import Path

import pytest
import yaml

from grove_mcp.errors import BundleError, PlanError
from grove_mcp.grove.base import parse_quantity
from grove_mcp.planfile import plan_from_manifest
from grove_mcp.planfile.model import PLAN_ANNOTATION
from grove_mcp.snapshot import SnapshotRequest, fetch_snapshot
from grove_mcp.sources import demo_source
from grove_mcp.sources.bundle import Bundle, BundleSource
from grove_mcp.sources.bundle_files import read_tar


def test_a_quantity_that_is_none_is_refused_at_parse_naming_the_field():
    demo = demo_source().bundle
    objects = [copy.deepcopy(o) for o in demo.objects]
    node = next(o for o in objects if o["kind"] == "Node")
    node["status"]["allocatable"]["nvidia.com/gpu"] = ""
    source = BundleSource(Bundle(demo.manifest, tuple(objects), origin="test"))
    with pytest.raises(BundleError, match=r"Node .*status\.allocatable"):
        fetch_snapshot(source, SnapshotRequest(demo.manifest.namespace, "my-inference"))


def test_a_corrupted_gzip_stream_is_not_a_readable_bundle(tmp_path: Path):
    """A flipped byte inside a later member's deflate data: zlib.error came out of the read."""
    raw = io.BytesIO()
    rng = random.Random(0)
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for i in range(3):
            data = rng.randbytes(20000).hex().encode()
            info = tarfile.TarInfo(f"bundle/f{i}.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    packed = bytearray(gzip.compress(raw.getvalue(), mtime=0))
    packed[len(packed) // 10] ^= 0xFF
    path = tmp_path / "bad.tar.gz"
    path.write_bytes(bytes(packed))
    with pytest.raises(BundleError, match=r"not a readable \.tar\.gz bundle"):
        list(read_tar(path))


@pytest.mark.parametrize("value", [None, 7])
def test_a_plan_annotation_that_is_not_text_is_a_plan_error(value):
    manifest = {
        "apiVersion": "grove.io/v1alpha1",
        "kind": "PodCliqueSet",
        "metadata": {"name": "x", "annotations": {PLAN_ANNOTATION: value}},
    }
    with pytest.raises(PlanError, match=r"expected plan\.json text"):
        plan_from_manifest(yaml.safe_dump(manifest), "pcs.yaml")


@pytest.mark.parametrize("metadata", ["text", {"annotations": ["a list"]}])
def test_a_plan_manifest_whose_metadata_is_no_map_lacks_the_plan(metadata):
    manifest = {"apiVersion": "grove.io/v1alpha1", "kind": "PodCliqueSet", "metadata": metadata}
    with pytest.raises(PlanError, match="absent"):
        plan_from_manifest(yaml.safe_dump(manifest), "pcs.yaml")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("8", 8),
        ("500m", 0.5),
        ("16Gi", 16 * 2**30),
        ("1e3", 1000),
        ("5E-1", 0.5),
        (".5", 0.5),
        ("100n", 1e-7),
        ("1u", 1e-6),
        ("2E", 2e18),
        ("1Ei", 2**60),
    ],
)
def test_every_form_kubernetes_allows_is_a_quantity(text, value):
    """Quantities are checked when objects are parsed now: Kubernetes' exponent and bare
    fraction forms must pass."""
    assert parse_quantity(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "Gi", "1.2.3", "8 GPUs", "e3", "1e309", "9" * 400])
def test_what_is_no_quantity_is_refused(text):
    with pytest.raises(ValueError, match=r"not a (finite )?resource quantity"):
        parse_quantity(text)
