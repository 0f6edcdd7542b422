"""Bundles: written and read back, as directories and tarballs; malformed ones name the problem."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from grove_mcp.errors import BundleError, GroveError
from grove_mcp.grove.kinds import POD
from grove_mcp.scenarios import demo
from grove_mcp.sources import Bundle, BundleSource, ListQuery


def _write(tmp_path: Path) -> Path:
    return demo().write(tmp_path / "bundle")


def test_directory_roundtrip(tmp_path):
    original = demo()
    loaded = Bundle.load(_write(tmp_path))
    assert loaded.manifest == original.manifest
    key = lambda o: (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"])  # noqa: E731
    assert sorted(loaded.objects, key=key) == sorted(original.objects, key=key)


def test_tarball_with_a_top_directory(tmp_path):
    root = _write(tmp_path)
    archive = tmp_path / "capture.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(root, arcname="grove-diag-20261120")
    assert len(Bundle.load(archive).objects) == len(demo().objects)


def test_list_filters_by_kind_namespace_and_selector(tmp_path):
    source = BundleSource.open(_write(tmp_path))
    [ours, everywhere] = source.list_many(
        [
            ListQuery(POD, "vllm-disagg", "app.kubernetes.io/part-of=my-inference"),
            ListQuery(POD, None),
        ]
    )
    assert {o["metadata"]["namespace"] for o in ours.items} == {"vllm-disagg"}
    assert len(everywhere.items) > len(ours.items)


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (None, "manifest.json is missing"),
        ("{not json", "not valid JSON"),
        (json.dumps({"format": "other"}), '"format" must be'),
        (
            json.dumps({"format": "grove-mcp-bundle", "formatVersion": 9}),
            "version 9 is not supported",
        ),
        (
            json.dumps({"format": "grove-mcp-bundle", "formatVersion": 1, "namespace": "x"}),
            'field "capturedAt" is missing',
        ),
        (
            json.dumps(
                {
                    "format": "grove-mcp-bundle",
                    "formatVersion": 1,
                    "namespace": "x",
                    "capturedAt": "yesterday",
                }
            ),
            "not an ISO-8601 time",
        ),
    ],
)
def test_bad_manifest(tmp_path, manifest, message):
    (tmp_path / "objects").mkdir()
    if manifest is not None:
        (tmp_path / "manifest.json").write_text(manifest)
    with pytest.raises(BundleError, match=message) as err:
        Bundle.load(tmp_path)
    assert str(tmp_path) in str(err.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("kind: Pod\nmetadata: {name: x}\n", 'field "apiVersion" is missing'),
        ("apiVersion: v1\nkind: Pod\nmetadata: {}\n", 'field "metadata.name" is missing'),
        ("- just\n- a list\n", "is not a Kubernetes object"),
        ("key: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_object_files_name_file_and_field(tmp_path, content, message):
    root = _write(tmp_path)
    bad = root / "objects" / "broken.yaml"
    bad.write_text(content)
    with pytest.raises(BundleError, match=message) as err:
        Bundle.load(root)
    assert "broken.yaml" in str(err.value)


def test_json_object_files_are_read_as_json(tmp_path):
    written = demo().write(tmp_path / "json", objects_as="json")
    as_yaml = demo().write(tmp_path / "yaml")
    assert {p.suffix for p in (written / "objects").iterdir()} == {".json"}
    assert Bundle.load(written).objects == Bundle.load(as_yaml).objects
    (written / "objects" / "broken.json").write_text('{"kind": [unclosed')
    with pytest.raises(BundleError, match="not valid JSON") as err:
        Bundle.load(written)
    assert "broken.json" in str(err.value)


def test_missing_path_and_unreadable_tarball(tmp_path):
    with pytest.raises(BundleError, match="no such file"):
        Bundle.load(tmp_path / "absent")
    fake = tmp_path / "fake.tar.gz"
    fake.write_bytes(b"not a tarball")
    with pytest.raises(BundleError, match=r"not a readable \.tar\.gz"):
        Bundle.load(fake)


def test_bundle_source_cannot_watch(tmp_path):
    source = BundleSource.open(_write(tmp_path))
    with pytest.raises(GroveError, match="needs a live cluster"):
        next(iter(source.watch([])))


def test_an_object_that_does_not_fit_its_kind_names_object_and_field(tmp_path):
    from grove_mcp import core

    root = _write(tmp_path)
    (root / "objects" / "odd.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: odd\n  namespace: vllm-disagg\n"
        "  labels: {app.kubernetes.io/part-of: my-inference, app.kubernetes.io/managed-by: grove-operator}\n"
        "spec:\n  containers:\n  - name: c\n    env:\n    - value: no-name\n"
    )
    with pytest.raises(BundleError, match=r"Pod vllm-disagg/odd .* field spec\.containers\.0\.env"):
        core.run("status", BundleSource.open(root), None, "my-inference")
