"""Build the release artefacts into one directory (``make dist`` → ``dist/``):

* the sdist and the wheel, built the way ``python -m build`` does: the sdist first, with the
  ``[build-system]`` of pyproject.toml in a throw-away venv, then the wheel from the unpacked sdist
  (so a file missing from the sdist breaks the build here, not on a user's machine);
* the krew archive ``grove-mcp-v<version>-linux-amd64.tar.gz``: the ``kubectl-grove`` launcher
  (tools/dist/kubectl-grove), ``wheels/`` (the wheel and every wheel of ``grove-mcp[tui]``'s
  dependencies, binary ones for each supported CPython on manylinux x86_64, from PyPI), README,
  LICENSE when the tree has one, and docs/install.md;
* ``grove.yaml``: plugins/grove.yaml with the archive's sha256 filled in, and
  ``<archive>.sha256`` in ``sha256sum`` format.

The archive is reproducible for the same inputs: entries sorted, owner root, times from
SOURCE_DATE_EPOCH (else the last commit's time), gzip without a timestamp. Only the standard
library is used, so any python3 ≥ 3.11 runs it.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = Path(__file__).with_name("kubectl-grove")

# CPython versions the wheelhouse serves (the launcher refuses others: their binary wheels are
# not in the archive). Keep in step with requires-python and what PyPI has wheels for.
SUPPORTED_PYTHONS = ("3.11", "3.12", "3.13")
OS, ARCH = "linux", "amd64"
# pip --platform tags in order of preference: the oldest glibc first (widest reach), 2.28 last
# for a dependency that ships nothing older.
PLATFORM_TAGS = (
    "manylinux_2_17_x86_64",
    "manylinux2014_x86_64",
    "manylinux_2_12_x86_64",
    "manylinux2010_x86_64",
    "manylinux_2_5_x86_64",
    "manylinux1_x86_64",
    "manylinux_2_28_x86_64",
)
EXTRAS = "tui"
SHA256_PLACEHOLDER = "FILLED-IN-BY-MAKE-DIST"
_LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}

Log = Callable[[str], None]


class DistError(Exception):
    """A build step failed; the message says which and why."""


@dataclass(frozen=True)
class Project:
    name: str
    version: str
    build_requires: tuple[str, ...]
    build_backend: str

    @property
    def archive_stem(self) -> str:
        return f"{self.name}-v{self.version}-{OS}-{ARCH}"


@dataclass(frozen=True)
class Dist:
    project: Project
    sdist: Path
    wheel: Path
    archive: Path
    sha256: str
    manifest: Path
    wheels: tuple[str, ...]  # file names in the archive's wheels/
    glibc: tuple[int, int]  # the newest glibc any binary wheel needs


def read_project(root: Path = ROOT) -> Project:
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text())
        project, system = data["project"], data["build-system"]
        name, version = project["name"], project["version"]
        requires, backend = system["requires"], system["build-backend"]
    except (OSError, tomllib.TOMLDecodeError, KeyError) as err:
        raise DistError(
            f"cannot read name, version and build-system from {root / 'pyproject.toml'}: {err}"
        ) from None
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise DistError(
            f"pyproject.toml version {version!r} is not MAJOR.MINOR.PATCH (krew wants semver)"
        )
    return Project(name, version, tuple(requires), backend)


def source_date_epoch(root: Path = ROOT) -> int:
    """SOURCE_DATE_EPOCH if set, else the last commit's time, else 1980-01-01 (zip's first day)."""
    if env := os.environ.get("SOURCE_DATE_EPOCH"):
        if not env.isdigit():
            raise DistError(f"SOURCE_DATE_EPOCH={env!r} is not a number of seconds")
        return int(env)
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%ct"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        return int(out)
    except (OSError, subprocess.CalledProcessError, ValueError):
        return 315532800


def _run(
    args: Sequence[str | Path],
    what: str,
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> str:
    proc = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, cwd=cwd, env=env, check=False
    )
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-20:])
        raise DistError(f"{what} failed (exit {proc.returncode}):\n{tail}")
    return str(proc.stdout)


_HOOK = """
import importlib, sys
backend = importlib.import_module(sys.argv[1])
print(getattr(backend, sys.argv[2])(sys.argv[3]))
"""


def build_sdist_and_wheel(
    project: Project, root: Path, out: Path, env: dict[str, str], log: Log
) -> tuple[Path, Path, Path]:
    """The sdist from the tree, the wheel from the unpacked sdist; returns (sdist, wheel, the
    build venv's python, whose pip downloads the wheelhouse)."""
    work = Path(tempfile.mkdtemp(prefix="build-env-", dir=out))
    benv = work / "env"
    log(f"build env: {', '.join(project.build_requires)}")
    _run([sys.executable, "-m", "venv", benv], "creating the build venv")
    py = benv / "bin" / "python"
    pip: list[str | Path] = [py, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    _run([*pip, "install", "-q", *project.build_requires], "installing the build backend", env=env)

    def hook(name: str, source: Path) -> Path:
        made = _run([py, "-c", _HOOK, project.build_backend, name, out], name, cwd=source, env=env)
        return out / made.strip().splitlines()[-1]

    sdist = hook("build_sdist", root)
    log(f"sdist: {sdist.name}")
    with tarfile.open(sdist) as tar:
        if hasattr(tarfile, "data_filter"):  # 3.11.4+; the sdist is our own, just built
            tar.extractall(work / "sdist", filter="data")
        else:
            tar.extractall(work / "sdist")
    (unpacked,) = (work / "sdist").iterdir()
    wheel = hook("build_wheel", unpacked)
    log(f"wheel: {wheel.name} (from the sdist)")
    return sdist, wheel, py


def download_wheelhouse(
    py: Path, wheel: Path, dest: Path, pythons: Iterable[str], env: dict[str, str], log: Log
) -> None:
    """Every wheel ``wheel[tui]`` needs, for each CPython in ``pythons``, into ``dest``: one
    ``pip download`` per version, side by side (each waits on PyPI), each into its own directory."""
    platforms = [arg for tag in PLATFORM_TAGS for arg in ("--platform", tag)]

    def download(version: str) -> Path:
        into = dest.parent / f"wheels-{version}"
        t0 = time.monotonic()
        _run(
            [
                py, "-m", "pip", "--disable-pip-version-check", "--no-input", "download", "-q",
                "--only-binary=:all:", "--implementation", "cp", "--python-version", version,
                *platforms, "--dest", into, f"{wheel}[{EXTRAS}]",
            ],
            f"downloading the wheels for CPython {version} (pip download from PyPI)",
            env=env,
        )  # fmt: skip
        log(f"wheels for CPython {version}: {time.monotonic() - t0:.1f} s")
        return into

    with ThreadPoolExecutor(max_workers=4) as pool:
        dirs = list(pool.map(download, pythons))
    for into in dirs:
        for whl in sorted(into.glob("*.whl")):
            target = dest / whl.name
            if not target.exists():
                shutil.move(whl, target)
            elif target.read_bytes() != whl.read_bytes():
                raise DistError(
                    f"two different files named {whl.name} came from PyPI; run make dist again"
                )


def glibc_floor(wheel_names: Iterable[str]) -> tuple[int, int]:
    """The newest glibc that one of these wheels needs: per wheel its oldest manylinux tag."""
    floor = (0, 0)
    for name in wheel_names:
        needs = []
        for tag in name.removesuffix(".whl").split("-")[-1].split("."):
            if m := re.fullmatch(r"manylinux_(\d+)_(\d+)_\w+", tag):
                needs.append((int(m[1]), int(m[2])))
            elif (legacy := tag.split("_", 1)[0]) in _LEGACY_MANYLINUX:
                needs.append(_LEGACY_MANYLINUX[legacy])
        if needs:
            floor = max(floor, min(needs))
    return floor


def stage_archive(
    project: Project, root: Path, wheelhouse: Path, stage: Path, pythons: Sequence[str], log: Log
) -> Path:
    top = stage / project.archive_stem
    (top / "wheels").mkdir(parents=True)
    for whl in sorted(wheelhouse.glob("*.whl")):
        shutil.copy2(whl, top / "wheels" / whl.name)
    launcher = LAUNCHER.read_text()
    for key, value in (("@VERSION@", project.version), ("@PYTHONS@", " ".join(pythons))):
        if key not in launcher:
            raise DistError(f"{LAUNCHER} lost its {key} placeholder")
        launcher = launcher.replace(key, value)
    (top / "kubectl-grove").write_text(launcher)
    (top / "kubectl-grove").chmod(0o755)
    for src, dst in (
        ("README.md", "README.md"),
        ("LICENSE", "LICENSE"),
        ("docs/install.md", "INSTALL.md"),
    ):
        if (root / src).is_file():
            shutil.copy2(root / src, top / dst)
        else:
            log(
                f"warning: no {src} in {root}: the archive goes without it (krew-index wants a LICENSE)"
            )
    return top


def write_tar_gz(top: Path, archive: Path, mtime: int) -> None:
    """A reproducible .tar.gz of ``top`` (entries under its name): same files, same bytes."""

    def entries() -> list[Path]:
        return [top, *sorted(top.rglob("*"), key=lambda p: p.relative_to(top).as_posix())]

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in entries():
            info = tar.gettarinfo(str(path), arcname=path.relative_to(top.parent).as_posix())
            info.mtime, info.uid, info.gid, info.uname, info.gname = mtime, 0, 0, "", ""
            executable = path.is_dir() or os.access(path, os.X_OK)
            info.mode = 0o755 if executable else 0o644
            if path.is_file():
                with path.open("rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)
    with (
        archive.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz,
    ):
        gz.write(buf.getvalue())


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fill_manifest(
    template: str, project: Project, sha256: str, where: str = "plugins/grove.yaml"
) -> str:
    """The krew manifest with the archive's sha256, after checking the template agrees with the
    project: its version, its uri's file name and its files' top directory."""
    checks = {
        "version": (r"^  version: v(\S+)$", project.version),
        "uri": (
            r"^    uri: \S+/v([^/\s]+)/" + re.escape(project.archive_stem) + r"\.tar\.gz$",
            project.version,
        ),
        "files.from": (r"^    - from: (\S+)/\*$", project.archive_stem),
    }
    for field, (pattern, want) in checks.items():
        found = re.findall(pattern, template, flags=re.M)
        if found != [want]:
            raise DistError(
                f"{where}: expected one {field} for {project.archive_stem} (pyproject.toml version "
                f"{project.version}), found {found or 'none'}; edit the manifest to match"
            )
    placeholder = f'    sha256: "{SHA256_PLACEHOLDER}"\n'
    if template.count(placeholder) != 1:
        raise DistError(
            f"{where}: expected exactly one line 'sha256: \"{SHA256_PLACEHOLDER}\"' to fill in"
        )
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise DistError(f"not a sha256: {sha256!r}")
    return template.replace(
        placeholder, f'    sha256: "{sha256}"\n'
    )  # quoted: 0e123… is a number to YAML


def build(
    out: Path,
    *,
    root: Path = ROOT,
    pythons: Sequence[str] = SUPPORTED_PYTHONS,
    log: Log = lambda msg: print(f"dist: {msg}", file=sys.stderr),
) -> Dist:
    """Build everything into ``out`` (created; the files it writes are replaced)."""
    for version in pythons:
        if version not in SUPPORTED_PYTHONS:
            raise DistError(
                f"CPython {version} is not one the launcher supports ({', '.join(SUPPORTED_PYTHONS)})"
            )
    project = read_project(root)
    template = (root / "plugins" / "grove.yaml").read_text()
    fill_manifest(template, project, "0" * 64)  # refuse a stale manifest before minutes of work
    out.mkdir(parents=True, exist_ok=True)
    epoch = source_date_epoch(root)
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    with tempfile.TemporaryDirectory(prefix="dist-", dir=out) as tmp_name:
        tmp = Path(tmp_name)
        sdist, wheel, py = build_sdist_and_wheel(project, root, tmp, env, log)
        wheelhouse = tmp / "wheels"
        wheelhouse.mkdir()
        shutil.copy2(wheel, wheelhouse / wheel.name)
        download_wheelhouse(py, wheelhouse / wheel.name, wheelhouse, pythons, env, log)
        names = tuple(sorted(p.name for p in wheelhouse.glob("*.whl")))
        top = stage_archive(project, root, wheelhouse, tmp / "stage", pythons, log)
        archive = out / f"{project.archive_stem}.tar.gz"
        write_tar_gz(top, archive, epoch)
        for made in (sdist, wheel):
            shutil.move(made, out / made.name)
    sha = sha256_of(archive)
    (out / f"{archive.name}.sha256").write_text(f"{sha}  {archive.name}\n")
    manifest = out / "grove.yaml"
    manifest.write_text(fill_manifest(template, project, sha))
    return Dist(
        project,
        out / sdist.name,
        out / wheel.name,
        archive,
        sha,
        manifest,
        names,
        glibc_floor(names),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.dist", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "dist", help="output directory (default: dist/)"
    )
    parser.add_argument(
        "--python", action="append", choices=SUPPORTED_PYTHONS, dest="pythons",
        help="a CPython version to download wheels for (repeatable; default: all supported)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    t0 = time.monotonic()
    try:
        dist = build(args.out.resolve(), pythons=tuple(args.pythons or SUPPORTED_PYTHONS))
    except DistError as err:
        print(f"dist: {err}", file=sys.stderr)
        return 1
    mib = dist.archive.stat().st_size / 2**20
    print(f"{dist.sdist}\n{dist.wheel}\n{dist.archive}  ({mib:.1f} MiB, {len(dist.wheels)} wheels)")
    print(f"{dist.manifest}  (sha256 {dist.sha256})")
    print(
        f"needs: Linux x86_64, glibc >= {dist.glibc[0]}.{dist.glibc[1]}, CPython {' / '.join(SUPPORTED_PYTHONS)}"
    )
    print(f"built in {time.monotonic() - t0:.0f} s")
    return 0
