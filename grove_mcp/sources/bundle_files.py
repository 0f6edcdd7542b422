"""Reading a bundle's files into memory, refusing hostile input. Nothing is ever extracted.

Bundles come from other people's clusters (a colleague, the Slack bot, an assistant), so every
member is checked before a byte of it is used, and one bad member refuses the whole bundle with
a ``BundleError`` that names the member, the reason and what to do. Refused:

* names that leave the bundle: absolute (``/etc/x``) or with a ``..`` component;
* anything but plain files and directories: symbolic and hard links, character and block
  devices, FIFOs (and, in directories, sockets);
* a member over ``MAX_MEMBER_BYTES``; more than ``MAX_MEMBERS`` members (directories count);
  more than ``MAX_TOTAL_BYTES`` in all;
* decompression bombs: a tarball that expands to more than ``BOMB_FLOOR_BYTES`` and more than
  ``MAX_RATIO`` times its size on disk;
* a name that appears twice in a tarball (which copy would be meant?).

Tarball members also pass through ``tarfile.data_filter`` (the filter Python's own extraction
uses for untrusted archives), on top of these rules. Sizes are counted as the bytes are read,
with a cap, never taken from the headers alone. Directories are walked without following
symbolic links, and files are opened with ``O_NOFOLLOW``.
"""

from __future__ import annotations

import lzma
import os
import posixpath
import stat
import tarfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from ..errors import BundleError

MAX_MEMBER_BYTES = 64 * 2**20
"""One file, uncompressed. A capture of a large namespace is a few MiB."""
MAX_MEMBERS = 10_000
"""Files and directories in a bundle."""
MAX_TOTAL_BYTES = 2**30
"""All files together, uncompressed."""
MAX_RATIO = 200
"""Uncompressed bytes per compressed byte above which a tarball is a bomb (YAML gzips ~10:1)…"""
BOMB_FLOOR_BYTES = 10 * 2**20
"""…once it has expanded past this size (tiny files can compress very well)."""

_RECAPTURE = (
    "Nothing was extracted. A bundle holds only plain files and directories; ask its sender "
    "for a fresh capture, or re-pack a capture you trust with `tar -czf bundle.tar.gz -C <dir> .`."
)
_TOO_BIG = (
    "Nothing was extracted. Ask for a smaller capture (one namespace, a shorter metrics "
    "recording), or split it."
)
_KINDS = {
    tarfile.SYMTYPE: "a symbolic link",
    tarfile.LNKTYPE: "a hard link",
    tarfile.CHRTYPE: "a character device",
    tarfile.BLKTYPE: "a block device",
    tarfile.FIFOTYPE: "a FIFO",
}
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)


def _refuse(where: Path, member: str, reason: str, advice: str = _RECAPTURE) -> BundleError:
    return BundleError(f"{where}: member {member!r} is refused: {reason}. {advice}")


def _name(where: Path, raw: str) -> str:
    """A member's name as a clean relative POSIX path, or refuse it."""
    if (
        raw.startswith(("/", "\\"))
        or posixpath.isabs(raw)
        or (raw[1:2] == ":" and raw[:1].isalpha())
    ):
        raise _refuse(where, raw, "its name is an absolute path")
    parts = raw.replace("\\", "/").split("/")
    if ".." in parts:
        raise _refuse(where, raw, "its name climbs out of the bundle ('..')")
    if "\0" in raw:
        raise _refuse(where, raw, "its name holds a NUL byte")
    return posixpath.normpath("/".join(p for p in parts if p not in ("", ".")) or ".")


class _Budget:
    """Counts members and bytes as they are read; refuses what goes over a limit."""

    def __init__(self, where: Path) -> None:
        self.where = where
        self.members = 0
        self.total = 0

    def member(self, name: str) -> None:
        self.members += 1
        if self.members > MAX_MEMBERS:
            raise _refuse(
                self.where,
                name,
                f"the bundle has more than {MAX_MEMBERS:,} members (files and directories)",
                _TOO_BIG,
            )

    def read(self, name: str, handle: IO[bytes], declared: int | None = None) -> bytes:
        """At most the member limit plus one byte: never trusts ``declared`` alone."""
        if declared is not None and declared > MAX_MEMBER_BYTES:
            raise self._oversize(name, declared)
        chunks: list[bytes] = []
        size = 0
        while chunk := handle.read(min(2**20, MAX_MEMBER_BYTES + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_MEMBER_BYTES:
                raise self._oversize(name, size)
            if self.total + size > MAX_TOTAL_BYTES:
                raise _refuse(
                    self.where,
                    name,
                    f"the bundle holds more than {_mib(MAX_TOTAL_BYTES)} uncompressed",
                    _TOO_BIG,
                )
        self.total += size
        return b"".join(chunks)

    def _oversize(self, name: str, size: int) -> BundleError:
        return _refuse(
            self.where,
            name,
            f"it is larger than {_mib(MAX_MEMBER_BYTES)} (at least {size:,} bytes)",
            _TOO_BIG,
        )


def _mib(n: int) -> str:
    return f"{n / 2**20:g} MiB" if n >= 2**20 else f"{n:,} bytes"


def read_tar(path: Path) -> Iterator[tuple[str, bytes]]:
    """Plain files of a tarball (any compression ``tarfile`` reads), named relative to the
    directory that holds ``manifest.json``; files outside that directory are left out."""
    compressed = max(path.stat().st_size, 1)
    # data_filter judges names against a destination; nothing is ever written there.
    dest = os.path.realpath(f"{path}.never-extracted")
    budget = _Budget(path)
    files: dict[str, bytes] = {}
    try:
        with tarfile.open(path, "r:*") as tar:
            while (member := tar.next()) is not None:
                budget.member(member.name)
                name = _name(path, member.name)
                if not (member.isreg() or member.isdir()):
                    kind = _KINDS.get(member.type, f"of tar type {member.type!r}")
                    raise _refuse(path, member.name, f"it is {kind}, not a plain file")
                try:
                    tarfile.data_filter(member, dest)
                except tarfile.FilterError as err:
                    raise _refuse(path, member.name, f"tarfile's data filter: {err}") from err
                if member.isdir():
                    continue
                if name in files:
                    raise _refuse(path, member.name, "the name appears twice in the tarball")
                handle = tar.extractfile(member)
                if handle is None:  # pragma: no cover - isreg() members always have data
                    raise _refuse(path, member.name, "its data cannot be read")
                files[name] = budget.read(member.name, handle, member.size)
                if budget.total > BOMB_FLOOR_BYTES and budget.total > MAX_RATIO * compressed:
                    raise _refuse(
                        path,
                        member.name,
                        f"the tarball expands more than {MAX_RATIO}:1 "
                        f"({budget.total:,} bytes from {compressed:,}): a decompression bomb",
                        _TOO_BIG,
                    )
    except (tarfile.TarError, OSError, EOFError, zlib.error, lzma.LZMAError) as err:  # corrupt
        raise BundleError(f"{path}: not a readable .tar.gz bundle ({err}).") from err
    manifests = sorted((n for n in files if posixpath.basename(n) == "manifest.json"), key=len)
    prefix = posixpath.dirname(manifests[0]) if manifests else ""
    prefix = prefix + "/" if prefix else ""
    for name, data in files.items():
        if name.startswith(prefix):
            yield name[len(prefix) :], data


def read_dir(root: Path) -> Iterator[tuple[str, bytes]]:
    """Plain files under ``root`` (the directory the user named), walked without following
    symbolic links; any link or special file anywhere refuses the bundle."""
    budget = _Budget(root)
    pending = [""]
    while pending:
        relative = pending.pop()
        try:
            with os.scandir(root / relative if relative else root) as entries:
                listed = sorted(entries, key=lambda e: e.name)
        except OSError as err:
            raise BundleError(
                f"{root}: cannot read directory {relative or '.'!r} ({err})."
            ) from err
        for entry in listed:
            name = f"{relative}/{entry.name}" if relative else entry.name
            budget.member(name)
            if entry.is_symlink():
                target = _readlink(entry.path)
                raise _refuse(root, name, f"it is a symbolic link (to {target!r})")
            if entry.is_dir(follow_symlinks=False):
                pending.append(name)
            elif entry.is_file(follow_symlinks=False):
                yield name, _read_file(root, name, budget)
            else:
                raise _refuse(root, name, f"it is {_special(entry.path)}, not a plain file")


def _read_file(root: Path, name: str, budget: _Budget) -> bytes:
    try:
        # O_NOFOLLOW: swapped for a link since the walk saw it → refused, not followed;
        # O_NONBLOCK: swapped for a FIFO → the open does not hang (fstat then refuses it).
        fd = os.open(root / name, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _BINARY)
    except OSError as err:
        raise _refuse(root, name, f"it cannot be opened as a plain file ({err})") from err
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _refuse(root, name, "it changed into something other than a plain file")
        return budget.read(name, handle)


def _readlink(path: str) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def _special(path: str) -> str:
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return "a special file"
    for test, kind in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return kind
    return "a special file"
