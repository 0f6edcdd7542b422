"""Bundle tarballs as ``--bundle`` reads them: the demo's members, some dropped, changed
(truncated, bad JSON or YAML, not UTF-8) or renamed (``..``, absolute), links and special
files among them, the whole file truncated or corrupted. Read, then listed and reported on;
every refusal a BundleError that names the member."""

from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fuzz_strategies import TEXT
from fuzz_worlds import PCS, demo_bundle
from fuzzing import examples, outcome, tally
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grove_mcp import core
from grove_mcp.sources.bundle import Bundle, BundleSource
from grove_mcp.sources.bundle_files import MAX_MEMBER_BYTES

KINDS = {
    "file": tarfile.REGTYPE,
    "dir": tarfile.DIRTYPE,
    "symlink": tarfile.SYMTYPE,
    "hardlink": tarfile.LNKTYPE,
    "fifo": tarfile.FIFOTYPE,
    "chardev": tarfile.CHRTYPE,
}
BAD_CONTENT = st.sampled_from(
    [
        b"",
        b"{",
        b"a: [",
        b"- 1\n- 2\n",
        b"!!python/object/apply:os.system ['true']",
        b"\xff\xfe\x00bad utf-8",
        b"kind: Pod\n",
        b'{"format": "grove-mcp-bundle", "formatVersion": "2.0"}',
        b'{"format": "grove-mcp-bundle", "formatVersion": 1, "capturedAt": "yesterday"}',
        b'{"format": "grove-mcp-bundle", "formatVersion": true, "namespace": 5}',
        b"apiVersion: v1\nkind: List\nitems: 7\n",
        b"---\n- not an object\n",
    ]
)
NAMES = st.sampled_from(
    ["../escape.yaml", "/etc/passwd", "objects/../../x.yaml", "C:/x", "a\\..\\b", "objects/", "."]
)


@cache
def members() -> tuple[tuple[str, bytes], ...]:
    return tuple((name, text.encode()) for name, text in demo_bundle().members())


@dataclass(frozen=True)
class Member:
    name: str
    kind: str = "file"
    data: bytes = b""
    link: str = ""


@st.composite
def tarballs(draw: st.DrawFn) -> tuple[list[Member], str, int]:
    """Members (the manifest kept most of the time, few others: YAML reads slowly), then
    how the whole file is damaged: ("none" | "truncate" | "flip", position)."""
    demo = members()
    chosen = [demo[0]] if draw(st.integers(0, 5)) else []
    chosen += draw(st.lists(st.sampled_from(demo[1:]), max_size=2, unique=True))
    out = [Member(f"bundle/{name}", data=data) for name, data in chosen]
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(out)))
        change = draw(st.sampled_from(["content", "cut", "name", "kind", "twice", "text"]))
        if change == "content" and out[at:]:
            out[at] = Member(out[at].name, data=draw(BAD_CONTENT))
        elif change == "cut" and out[at:]:
            data = out[at].data
            out[at] = Member(out[at].name, data=data[: draw(st.integers(0, len(data)))])
        elif change == "name":
            out.insert(at, Member(draw(NAMES), data=b"x: 1\n"))
        elif change == "kind":
            link = draw(st.sampled_from(["/etc/passwd", "../x", "bundle/manifest.json"]))
            kind = draw(st.sampled_from(sorted(KINDS)))
            out.insert(at, Member(f"bundle/objects/{kind}.yaml", kind, link=link))
        elif change == "twice" and out[at:]:
            out.insert(at, out[at])
        elif change == "text":
            out.insert(at, Member("bundle/objects/extra.yaml", data=draw(TEXT).encode()))
    damage = draw(st.sampled_from(["none", "none", "truncate", "flip"]))
    return out, damage, draw(st.integers(0, 10**6))


def _write(path: Path, entries: list[Member], damage: str, at: int) -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        for m in entries:
            info = tarfile.TarInfo(m.name)
            info.type, info.linkname, info.size = KINDS[m.kind], m.link, len(m.data)
            tar.addfile(info, io.BytesIO(m.data) if m.kind == "file" else None)
    data = bytearray(raw.getvalue())
    if damage == "truncate":
        del data[at % len(data) :]
    elif damage == "flip":
        data[at % len(data)] ^= 0xFF
    path.write_bytes(bytes(data))


def _read_and_report(path: Path) -> None:
    loaded = outcome(Bundle.load, path)
    if not isinstance(loaded, Bundle):
        tally("bundle", loaded)
        return
    tally("bundle", "loaded")
    source = BundleSource(loaded)
    for name, pcs in (("list", None), ("status", PCS)):
        tally(f"bundle {name}", outcome(core.run, name, source, None, pcs))


@settings(max_examples=examples(2))
@given(tarball=tarballs())
@example(tarball=([Member("bundle/manifest.json", data=members()[0][1])], "none", 0))
def test_any_tarball_is_read_or_refused(tmp_path_factory, tarball) -> None:  # type: ignore[no-untyped-def]
    entries, damage, at = tarball
    path = tmp_path_factory.mktemp("tar") / "bundle.tar.gz"
    _write(path, entries, damage, at)
    _read_and_report(path)


def test_a_huge_member_is_refused_before_it_is_held(tmp_path: Path) -> None:
    path = tmp_path / "huge.tar.gz"
    big = Member("bundle/objects/huge.yaml", data=b"#" * (MAX_MEMBER_BYTES + 1))
    _write(path, [Member("bundle/manifest.json", data=members()[0][1]), big], "none", 0)
    refused = outcome(Bundle.load, path)
    assert not isinstance(refused, Bundle)
    assert "huge.yaml" in refused.message
