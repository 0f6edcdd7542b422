"""Hostile bundles are refused whole, with the member and the reason, and nothing is written
anywhere: bundles come from other people's clusters."""

from __future__ import annotations

import gzip
import io
import json
import os
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grove_mcp.cli.main import app
from grove_mcp.errors import BundleError
from grove_mcp.sources import bundle_files, demo_bundle_path
from grove_mcp.sources.bundle import Bundle

MANIFEST = json.dumps(
    {"format": "grove-mcp-bundle", "formatVersion": 1, "namespace": "ns",
     "capturedAt": "2026-12-04T12:00:00Z"}
).encode()  # fmt: skip


def _tar(path: Path, add: Callable[[tarfile.TarFile], None]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        _file(tar, "b/manifest.json", MANIFEST)
        add(tar)
    return path


def _file(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _special(name: str, kind: bytes, link: str = "") -> Callable[[tarfile.TarFile], None]:
    def add(tar: tarfile.TarFile) -> None:
        info = tarfile.TarInfo(name)
        info.type, info.linkname = kind, link
        tar.addfile(info)

    return add


HOSTILE = {
    "parent": (lambda t: _file(t, "../evil", b"x"), "climbs out"),
    "nested-parent": (lambda t: _file(t, "b/objects/../../../evil", b"x"), "climbs out"),
    "absolute": (lambda t: _file(t, "/tmp/evil", b"x"), "absolute path"),
    "symlink": (_special("b/objects/pods.yaml", tarfile.SYMTYPE, "/etc/passwd"), "symbolic link"),
    "hardlink": (_special("b/objects/pods.yaml", tarfile.LNKTYPE, "b/manifest.json"), "hard link"),
    "device": (_special("b/dev", tarfile.CHRTYPE), "special file"),
    "fifo": (_special("b/fifo", tarfile.FIFOTYPE), "special file"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_member_refuses_the_whole_bundle(tmp_path: Path, case: str) -> None:
    add, why = HOSTILE[case]
    path = _tar(tmp_path / f"{case}.tar.gz", add)
    before = sorted(p.name for p in tmp_path.parent.iterdir())
    with pytest.raises(BundleError, match=why) as caught:
        Bundle.load(path)
    assert "refused, member" in str(caught.value)
    assert sorted(p.name for p in tmp_path.parent.iterdir()) == before
    assert not (tmp_path / "evil").exists() and not Path("/tmp/evil").exists()


def test_a_member_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundle_files, "MAX_MEMBER_BYTES", 1000)
    path = _tar(tmp_path / "big.tar.gz", lambda t: _file(t, "b/objects/big.yaml", b"a" * 1001))
    with pytest.raises(BundleError, match="larger than"):
        Bundle.load(path)


def test_too_many_members(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundle_files, "MAX_MEMBERS", 5)

    def many(tar: tarfile.TarFile) -> None:
        for i in range(6):
            _file(tar, f"b/logs/{i}.log", b"x")

    with pytest.raises(BundleError, match="more than 5 members"):
        Bundle.load(_tar(tmp_path / "many.tar.gz", many))


def test_a_decompression_bomb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundle_files, "RATIO_FLOOR", 1024)
    zeros = b"\0" * (4 * 2**20)  # packs to a few KB
    path = _tar(tmp_path / "bomb.tar.gz", lambda t: _file(t, "b/logs/zeros.log", zeros))
    assert path.stat().st_size < len(zeros) / 200
    with pytest.raises(BundleError, match="decompression bomb"):
        Bundle.load(path)


def test_an_unknown_major_format_version(tmp_path: Path) -> None:
    manifest = json.loads(MANIFEST)
    for version, ok in ((1, True), ("1.3", True), (2, False), ("2.0", False), ("x", False)):
        folder = tmp_path / f"v{version}"
        folder.mkdir()
        (folder / "manifest.json").write_text(json.dumps({**manifest, "formatVersion": version}))
        if ok:
            assert Bundle.load(folder).manifest.namespace == "ns"
        else:
            with pytest.raises(BundleError, match="not supported"):
                Bundle.load(folder)


def test_a_directory_with_a_link_or_a_fifo_is_refused(tmp_path: Path) -> None:
    linked = tmp_path / "linked"
    (linked / "objects").mkdir(parents=True)
    (linked / "manifest.json").write_bytes(MANIFEST)
    (linked / "objects" / "pods.yaml").symlink_to("/etc/passwd")
    with pytest.raises(BundleError, match="symbolic link"):
        Bundle.load(linked)
    fifo = tmp_path / "fifo"
    fifo.mkdir()
    (fifo / "manifest.json").write_bytes(MANIFEST)
    os.mkfifo(fifo / "pipe")
    with pytest.raises(BundleError, match="not a regular file"):
        Bundle.load(fifo)


def test_good_bundles_still_load_the_same(tmp_path: Path) -> None:
    folder = Bundle.load(demo_bundle_path())
    packed = tmp_path / "demo.tar.gz"
    with tarfile.open(packed, "w:gz") as tar:
        tar.add(demo_bundle_path(), arcname="demo")
    assert Bundle.load(packed).objects == folder.objects
    assert gzip.decompress(packed.read_bytes())  # a real gzip stream


def test_the_cli_says_why_and_shows_no_traceback(tmp_path: Path) -> None:
    path = _tar(tmp_path / "evil.tar.gz", HOSTILE["symlink"][0])
    run = CliRunner().invoke(app, ["status", "my-inference", "--bundle", str(path)])
    assert run.exit_code != 0
    assert "symbolic link" in run.output and "Traceback" not in run.output
