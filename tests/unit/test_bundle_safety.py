"""Hostile bundles are refused whole, with the member and the reason named, and nothing is written.

Bundles come from other people's clusters: a tarball or directory may hold names that leave it,
links, device files, FIFOs, huge or countless members, or a decompression bomb. The limits are
monkeypatched small rather than writing gigabytes.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grove_mcp.cli.app import app
from grove_mcp.errors import BundleError
from grove_mcp.sources import Bundle, bundle_files, demo_bundle_path

TOP = "grove-diag-20261120"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working directory (the current one too), with a check afterwards that the test wrote
    nothing anywhere near it: no file named ``evil`` (what the hostile names aim at) under tmp_path's parent, tmp_path unchanged."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    yield folder
    assert not [p for p in tmp_path.parent.rglob("evil")]
    assert not Path("/etc/evil").exists()


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(root).as_posix(): (p.lstat().st_mode, p.lstat().st_size)
        for p in root.rglob("*")
    }


def _info(name: str, type_: bytes = tarfile.REGTYPE, **attrs: object) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = type_
    for key, value in attrs.items():
        setattr(info, key, value)
    return info


def _tar(
    folder: Path,
    *extra: tuple[tarfile.TarInfo, bytes | None],
    manifest: dict[str, object] | None = None,
    mode: str = "w:gz",
) -> Path:
    """The demo bundle under a top directory, plus ``extra`` members; written with ``tarfile``."""
    archive = folder / "hostile.tar.gz"
    with tarfile.open(archive, mode) as tar:  # type: ignore[call-overload]
        own_manifest = manifest is not None
        tar.add(
            demo_bundle_path(),
            arcname=TOP,
            filter=lambda m: None if own_manifest and m.name == f"{TOP}/manifest.json" else m,
        )
        if manifest is not None:
            data = json.dumps(manifest).encode()
            tar.addfile(_info(f"{TOP}/manifest.json", size=len(data)), io.BytesIO(data))
        for info, data in extra:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return archive


def _refused(path: Path, member: str, reason: str) -> str:
    before = _snapshot(path.parent)
    with pytest.raises(BundleError) as err:
        Bundle.load(path)
    message = str(err.value)
    assert f"member {member!r} is refused" in message, message
    assert reason in message, message
    assert "Nothing was extracted" in message, message
    assert _snapshot(path.parent) == before
    return message


@pytest.mark.parametrize(
    ("info", "data", "reason"),
    [
        (_info("../evil"), b"x", "climbs out of the bundle"),
        (_info("/etc/evil"), b"x", "absolute path"),
        (_info(f"{TOP}/a/../../evil"), b"x", "climbs out of the bundle"),
        (_info("a/../../evil"), b"x", "climbs out of the bundle"),
        (
            _info(f"{TOP}/objects/evil.yaml", tarfile.SYMTYPE, linkname="/etc/passwd"),
            None,
            "it is a symbolic link",
        ),
        (
            _info(f"{TOP}/objects/evil.yaml", tarfile.SYMTYPE, linkname="pods.yaml"),
            None,
            "it is a symbolic link",
        ),
        (
            _info(f"{TOP}/objects/evil.yaml", tarfile.LNKTYPE, linkname="/etc/passwd"),
            None,
            "it is a hard link",
        ),
        (
            _info(f"{TOP}/objects/evil.yaml", tarfile.LNKTYPE, linkname=f"{TOP}/manifest.json"),
            None,
            "it is a hard link",
        ),
        (
            _info(f"{TOP}/evil", tarfile.CHRTYPE, devmajor=1, devminor=3),
            None,
            "it is a character device",
        ),
        (
            _info(f"{TOP}/evil", tarfile.BLKTYPE, devmajor=8, devminor=0),
            None,
            "it is a block device",
        ),
        (_info(f"{TOP}/evil", tarfile.FIFOTYPE), None, "it is a FIFO"),
        (_info(f"{TOP}/manifest.json"), b"{}", "the name appears twice"),
    ],
    ids=lambda v: v.name if isinstance(v, tarfile.TarInfo) else None,
)
def test_hostile_tar_members_refuse_the_bundle(work, info, data, reason):
    _refused(_tar(work, (info, data)), info.name, reason)


def test_tarfile_data_filter_is_applied(work, monkeypatch):
    """Our own rules come first; the data filter is a second line, and its refusal is ours too."""

    def strict(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo:
        raise tarfile.FilterError(f"{member.name!r} refused in test")

    monkeypatch.setattr(bundle_files.tarfile, "data_filter", strict)
    _refused(_tar(work), TOP, "tarfile's data filter")


def test_an_oversized_tar_member(work, monkeypatch):
    monkeypatch.setattr(bundle_files, "MAX_MEMBER_BYTES", 1000)
    first = "metrics/vllm-disagg/my-inference-0-decode-mfm67/0.000.prom"
    message = _refused(
        _tar(work, (_info(f"{TOP}/objects/big.yaml"), b"#" * 500)),
        f"{TOP}/{first}",
        "larger than 1,000 bytes",
    )
    size = (demo_bundle_path() / first).stat().st_size
    assert f"at least {size:,} bytes" in message  # refused from its header, before reading it
    assert "smaller capture" in message


def test_an_oversized_member_is_counted_as_read_not_as_declared(work, monkeypatch):
    """A header that under-states the size cannot smuggle more: the reader counts bytes."""
    monkeypatch.setattr(bundle_files, "MAX_MEMBER_BYTES", 10)
    budget = bundle_files._Budget(work / "x.tar.gz")
    with pytest.raises(
        BundleError, match=r"'m' is refused: it is larger than 10 bytes \(at least 11 bytes\)"
    ):
        budget.read("m", io.BytesIO(b"#" * 100), declared=5)


def test_too_many_members(work, monkeypatch):
    monkeypatch.setattr(bundle_files, "MAX_MEMBERS", 5)
    _refused(
        _tar(work),
        f"{TOP}/metrics/vllm-disagg/my-inference-0-decode-mfm67/0.000.prom",
        "more than 5 members",
    )


def test_too_many_bytes_in_all(work, monkeypatch):
    monkeypatch.setattr(bundle_files, "MAX_TOTAL_BYTES", 100_000)
    archive = _tar(work)
    with tarfile.open(archive) as tar:
        files = [(m.name, m.size) for m in tar.getmembers() if m.isfile()]
    _refused(archive, _crossing(files, 100_000), "more than 100,000 bytes uncompressed")


def _crossing(files: list[tuple[str, int]], limit: int) -> str:
    """The first file, in reading order, that takes the bytes read past ``limit``."""
    total = 0
    for name, size in files:
        total += size
        if total > limit:
            return name
    raise AssertionError(f"the files hold only {total} bytes")


def test_a_decompression_bomb(work, monkeypatch):
    monkeypatch.setattr(bundle_files, "BOMB_FLOOR_BYTES", 2**20)
    zeros = bytes(8 * 2**20)
    archive = _tar(work, (_info(f"{TOP}/objects/zeros.yaml"), zeros))
    assert archive.stat().st_size * 200 < len(zeros)
    _refused(archive, f"{TOP}/objects/zeros.yaml", "a decompression bomb")


def test_an_uncompressed_tarball_is_not_a_bomb(work, monkeypatch):
    monkeypatch.setattr(bundle_files, "BOMB_FLOOR_BYTES", 2**10)
    archive = _tar(work, mode="w")
    assert len(Bundle.load(archive).objects) == len(Bundle.load(demo_bundle_path()).objects)


def test_the_limits_are_the_documented_ones():
    assert bundle_files.MAX_MEMBER_BYTES == 64 * 2**20
    assert bundle_files.MAX_MEMBERS == 10_000
    assert bundle_files.MAX_TOTAL_BYTES == 2**30
    assert (bundle_files.MAX_RATIO, bundle_files.BOMB_FLOOR_BYTES) == (200, 10 * 2**20)


@pytest.mark.parametrize("version", [2, "2", "2.0", None, True, "one", 1.0])
def test_an_unknown_major_format_version(work, version):
    manifest = json.loads((demo_bundle_path() / "manifest.json").read_text())
    archive = _tar(work, manifest={**manifest, "formatVersion": version})
    with pytest.raises(BundleError, match="is not supported") as err:
        Bundle.load(archive)
    assert f"version {version!r} is not supported" in str(err.value)
    assert "major version 1" in str(err.value)


@pytest.mark.parametrize("version", [1, "1", "1.0", "1.7"])
def test_major_version_1_loads(work, version):
    manifest = json.loads((demo_bundle_path() / "manifest.json").read_text())
    archive = _tar(work, manifest={**manifest, "formatVersion": version})
    assert Bundle.load(archive).manifest == Bundle.load(demo_bundle_path()).manifest


# --- directories ---------------------------------------------------------------------------


def _dir(folder: Path) -> Path:
    return Path(shutil.copytree(demo_bundle_path(), folder / "bundle"))


def test_a_symlink_to_outside_in_a_directory(work):
    root = _dir(work)
    (root / "objects" / "link.yaml").symlink_to("/etc/passwd")
    message = _refused(root, "objects/link.yaml", "it is a symbolic link (to '/etc/passwd')")
    assert "root:" not in message  # /etc/passwd was not read


def test_a_symlinked_directory_is_not_followed(work, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n")
    root = _dir(work)
    (root / "objects" / "more").symlink_to(outside, target_is_directory=True)
    _refused(root, "objects/more", "it is a symbolic link")


def test_a_symlink_at_the_top_of_a_directory(work):
    root = _dir(work)
    (root / "manifest.json").unlink()
    (root / "manifest.json").symlink_to(demo_bundle_path() / "manifest.json")
    _refused(root, "manifest.json", "it is a symbolic link")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_in_a_directory(work):
    root = _dir(work)
    os.mkfifo(root / "metrics" / "pipe.prom")
    _refused(root, "metrics/pipe.prom", "it is a FIFO")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_as_the_bundle_path_does_not_hang(work):
    os.mkfifo(work / "pipe.tar.gz")
    with pytest.raises(BundleError, match="not a file or directory"):
        Bundle.load(work / "pipe.tar.gz")


def test_an_oversized_file_in_a_directory(work, monkeypatch):
    monkeypatch.setattr(bundle_files, "MAX_MEMBER_BYTES", 1000)
    root = _dir(work)
    _refused(root, "objects/configmaps.json", "larger than 1,000 bytes")


def test_too_many_entries_in_a_directory(work, monkeypatch):
    monkeypatch.setattr(bundle_files, "MAX_MEMBERS", 5)
    root = _dir(work)
    _refused(root, "objects/deployments.json", "more than 5 members")


def test_too_many_bytes_in_a_directory(work, monkeypatch):
    monkeypatch.setattr(bundle_files, "MAX_TOTAL_BYTES", 100_000)
    root = _dir(work)
    _refused(root, _crossing(_walked(root), 100_000), "more than 100,000 bytes uncompressed")


def _walked(root: Path) -> list[tuple[str, int]]:
    """Files with their sizes in the loader's order: directories taken last-found first,
    entries of each sorted by name."""
    out, pending = [], [root]
    while pending:
        folder = pending.pop()
        for entry in sorted(folder.iterdir(), key=lambda p: p.name):
            if entry.is_dir():
                pending.append(entry)
            else:
                out.append((entry.relative_to(root).as_posix(), entry.stat().st_size))
    return out


# --- good bundles still load, the same way ----------------------------------------------------


def _same(a: Bundle, b: Bundle) -> None:
    assert a.manifest == b.manifest
    key = lambda o: (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"])  # noqa: E731
    assert sorted(a.objects, key=key) == sorted(b.objects, key=key)
    assert a.metrics == b.metrics
    assert a.metrics_skipped == ()


def test_the_demo_loads_the_same_as_a_directory_and_as_tarballs(work):
    embedded = Bundle.load(demo_bundle_path())
    assert embedded.objects and embedded.metrics
    _same(Bundle.load(_dir(work)), embedded)
    _same(Bundle.load(_tar(work)), embedded)
    flat = work / "flat.tar.gz"  # `tar -czf flat.tar.gz -C bundle .` names members ./…
    with tarfile.open(flat, "w:gz") as tar:
        tar.add(demo_bundle_path(), arcname=".")
    _same(Bundle.load(flat), embedded)


def test_gzip_is_not_the_only_compression(work):
    archive = work / "bundle.tar.xz"
    with tarfile.open(archive, "w:xz") as tar:
        tar.add(demo_bundle_path(), arcname=TOP)
    _same(Bundle.load(archive), Bundle.load(demo_bundle_path()))


def test_a_truncated_tarball_is_unreadable_not_a_crash(work):
    archive = _tar(work)
    with tarfile.open(archive) as tar:  # cut in the middle of a member's data
        big = next(m for m in tar.getmembers() if m.isfile() and m.size > 2000)
    cut = work / "cut.tar.gz"
    raw = gzip.decompress(archive.read_bytes())
    cut.write_bytes(gzip.compress(raw[: big.offset_data + big.size // 2]))
    with pytest.raises(BundleError, match=r"not a readable \.tar\.gz"):
        Bundle.load(cut)


# --- the CLI --------------------------------------------------------------------------------


def test_the_cli_refuses_a_hostile_bundle_in_one_paragraph(work):
    archive = _tar(work, (_info("../evil"), b"x"))
    result = CliRunner().invoke(
        app,
        ["status", "my-inference", "--bundle", str(archive)],
        env={"NO_COLOR": "1", "COLUMNS": "200"},
    )
    assert result.exit_code == 4, result.output
    assert "'../evil' is refused" in result.stderr
    assert "climbs out of the bundle" in result.stderr
    assert "Traceback" not in result.output + result.stderr
