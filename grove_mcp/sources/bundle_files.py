"""Reading a bundle's files safely: bundles come from other people's clusters.

Everything is read into memory, never extracted. A tarball is refused, whole, when a member
would land outside the bundle (an absolute path, ``..``), is a link (symbolic or hard), a
device, a FIFO or anything but a file or directory, or when it breaks a limit: the size of one
member, the number of members, the total size, or the ratio of unpacked to packed bytes (a
decompression bomb). Each member also passes Python's ``tarfile.data_filter``. A directory is
walked without following links, with the same rules and limits.
"""

from __future__ import annotations

import os
import stat
import tarfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from ..errors import BundleError

MAX_MEMBER_BYTES = 64 * 2**20
MAX_MEMBERS = 10_000
MAX_TOTAL_BYTES = 1024 * 2**20
MAX_RATIO = 200  # unpacked / packed bytes, checked once past RATIO_FLOOR
RATIO_FLOOR = 10 * 2**20
MANIFEST = "manifest.json"


def read_tar(path: Path) -> Iterator[tuple[str, bytes]]:
    """Members of a tarball, relative to the folder that holds ``manifest.json``."""
    files: list[tuple[str, bytes]] = []
    packed = max(1, path.stat().st_size)
    total = 0
    try:
        with tarfile.open(path, "r:*") as tar:
            for count, member in enumerate(tar, start=1):
                if count > MAX_MEMBERS:
                    raise _refused(path, member.name, f"more than {MAX_MEMBERS} members")
                _check_member(path, member)
                if member.isdir():
                    continue
                handle = tar.extractfile(member)
                data = handle.read(MAX_MEMBER_BYTES + 1) if handle is not None else b""
                if len(data) > MAX_MEMBER_BYTES:
                    raise _refused(path, member.name, f"larger than {_mib(MAX_MEMBER_BYTES)}")
                total += len(data)
                _check_total(path, member.name, total, packed)
                files.append((_clean(member.name), data))
    except (tarfile.TarError, OSError, EOFError) as err:
        raise BundleError(f"{path}: not a readable .tar.gz bundle ({err}).") from err
    return _relative_to_manifest(files)


def read_dir(root: Path) -> Iterator[tuple[str, bytes]]:
    """The files under a bundle directory (links are refused, never followed)."""
    files: list[tuple[str, bytes]] = []
    total = 0
    for folder, dirs, names in os.walk(root, followlinks=False):
        for name in sorted(dirs) + sorted(names):
            full = Path(folder) / name
            relative = full.relative_to(root).as_posix()
            mode = os.lstat(full).st_mode
            if stat.S_ISLNK(mode):
                raise _refused(root, relative, "a symbolic link (bundles hold files only)")
            if stat.S_ISDIR(mode):
                continue
            if not stat.S_ISREG(mode):
                raise _refused(root, relative, "not a regular file (a device, FIFO or socket)")
            if len(files) >= MAX_MEMBERS:
                raise _refused(root, relative, f"more than {MAX_MEMBERS} files")
            with full.open("rb") as handle:
                data = handle.read(MAX_MEMBER_BYTES + 1)
            if len(data) > MAX_MEMBER_BYTES:
                raise _refused(root, relative, f"larger than {_mib(MAX_MEMBER_BYTES)}")
            total += len(data)
            if total > MAX_TOTAL_BYTES:
                raise _refused(root, relative, f"the files pass {_mib(MAX_TOTAL_BYTES)} in all")
            files.append((relative, data))
    return iter(files)


def _check_member(path: Path, member: tarfile.TarInfo) -> None:
    name = member.name
    parts = PurePosixPath(name).parts
    if name.startswith("/") or PurePosixPath(name).is_absolute():
        raise _refused(path, name, "an absolute path")
    if ".." in parts:
        raise _refused(path, name, "a path that climbs out of the bundle ('..')")
    if member.issym() or member.islnk():
        raise _refused(path, name, f"a {'symbolic' if member.issym() else 'hard'} link")
    if not (member.isfile() or member.isdir()):
        raise _refused(path, name, "not a regular file (a device, FIFO or other special file)")
    if member.size > MAX_MEMBER_BYTES:
        raise _refused(path, name, f"larger than {_mib(MAX_MEMBER_BYTES)}")
    try:
        tarfile.data_filter(member, "/nonexistent-grove-bundle")
    except tarfile.FilterError as err:
        raise _refused(path, name, str(err)) from None


def _check_total(path: Path, name: str, total: int, packed: int) -> None:
    if total > MAX_TOTAL_BYTES:
        raise _refused(path, name, f"the members pass {_mib(MAX_TOTAL_BYTES)} unpacked in all")
    if total > RATIO_FLOOR and total / packed > MAX_RATIO:
        raise _refused(
            path, name, f"it unpacks to over {MAX_RATIO}× its packed size (a decompression bomb)"
        )


def _relative_to_manifest(files: list[tuple[str, bytes]]) -> Iterator[tuple[str, bytes]]:
    manifests = sorted((n for n, _ in files if PurePosixPath(n).name == MANIFEST), key=len)
    prefix = str(PurePosixPath(manifests[0]).parent) if manifests else ""
    prefix = "" if prefix == "." else prefix + "/"
    return ((n[len(prefix) :], data) for n, data in files if n.startswith(prefix))


def _clean(name: str) -> str:
    return PurePosixPath(name).as_posix().removeprefix("./")


def _refused(where: Path, member: str, why: str) -> BundleError:
    return BundleError(
        f"{where}: refused, member '{member}' is {why}. Nothing was extracted; ask for the "
        "bundle again (kubectl grove diag writes only regular files)."
    )


def _mib(size: int) -> str:
    return f"{size // 2**20} MiB"
