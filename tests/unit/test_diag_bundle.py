"""A captured bundle round-trips: its manifest's capture record, its logs and report files, as
a directory and as a .tar.gz; diag refuses what it cannot capture, before any API call."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grove_mcp.cli.app import app
from grove_mcp.errors import Cancelled
from grove_mcp.scenarios import demo
from grove_mcp.sources.bundle import Bundle

CAPTURE = {"collectors": [{"name": "logs", "state": "partial"}], "redactions": {"env_value": 2}}
FILES = {"logs/ns/pod-a/main.log": "line 1\nline 2\n", "reports/health.json": "{}\n"}


def _captured() -> Bundle:
    bundle = demo()
    return replace(bundle, manifest=replace(bundle.manifest, capture=CAPTURE), files=FILES)


def test_a_capture_round_trips_as_a_tarball_and_a_directory(tmp_path: Path) -> None:
    bundle = _captured()
    for loaded in (
        Bundle.load(bundle.write_tar(tmp_path / "b.tar.gz")),
        Bundle.load(bundle.write(tmp_path / "dir")),
    ):
        assert loaded.manifest.capture == CAPTURE
        assert dict(loaded.files) == FILES
        assert len(loaded.objects) == len(bundle.objects)
        assert dict(loaded.metrics) == dict(bundle.metrics)


def test_the_tarball_is_the_same_bytes_for_the_same_capture(tmp_path: Path) -> None:
    bundle = _captured()
    first = bundle.write_tar(tmp_path / "1.tar.gz").read_bytes()
    second = bundle.write_tar(tmp_path / "2.tar.gz").read_bytes()
    assert first == second


def test_diag_refuses_the_demo_and_bad_input_before_any_call(tmp_path: Path) -> None:
    runner = CliRunner()
    both = runner.invoke(app, ["diag", "my-inference", "--all"])
    assert both.exit_code == 2 and "name or --all" in both.output
    neither = runner.invoke(app, ["diag"])
    assert neither.exit_code == 2
    bad = runner.invoke(app, ["diag", "My_Inference"])
    assert bad.exit_code == 2 and "not a valid PodCliqueSet name" in bad.output
    taken = tmp_path / "taken.tar.gz"
    taken.write_text("x")
    exists = runner.invoke(app, ["diag", "x", "-o", str(taken)])
    assert exists.exit_code == 2 and "exists" in exists.output
    assert taken.read_text() == "x"  # nothing lost


class _SetAfter(threading.Event):
    """A cancel Event that turns set after ``checks`` looks (the Nth member of a write)."""

    def __init__(self, checks: int, then: type[BaseException] | None = None) -> None:
        super().__init__()
        self.checks, self.then = checks, then

    def is_set(self) -> bool:
        self.checks -= 1
        if self.checks < 0 and self.then is not None:
            raise self.then()
        return self.checks < 0


def test_a_tarball_cancelled_mid_write_leaves_no_file_nor_part(tmp_path: Path) -> None:
    bundle = _captured()
    members = len(list(bundle.members()))
    assert members > 3
    for cancel in (_SetAfter(2), _SetAfter(members), _SetAfter(2, KeyboardInterrupt)):
        with pytest.raises((Cancelled, KeyboardInterrupt)):
            bundle.write_tar(tmp_path / "b.tar.gz", cancel=cancel)
        assert list(tmp_path.iterdir()) == [], cancel.checks  # neither the file nor its .part
    kept = tmp_path / "kept.tar.gz"
    kept.write_bytes(b"an earlier capture")
    with pytest.raises(Cancelled):
        bundle.write_tar(kept, cancel=_SetAfter(members))  # the rename is refused last
    assert kept.read_bytes() == b"an earlier capture"
    assert Bundle.load(bundle.write_tar(kept, cancel=threading.Event())).files == bundle.files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.tar.gz"]
