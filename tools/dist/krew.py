"""krew itself, built from the Go module proxy (release binaries cannot be downloaded here), for
the test that installs the archive through real krew.

    python -m tools.dist.krew        # `make krew`: builds once (about a minute), prints the path

The binary is cached per user in ``${XDG_CACHE_HOME:-~/.cache}/grove-mcp/krew/<version>/krew``;
``GROVE_KREW=/path/to/krew`` uses one you already have instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

KREW_VERSION = "v0.4.3"
MODULE = "sigs.k8s.io/krew/cmd/krew"


class KrewMissing(Exception):
    """No krew binary and no way to build one; the message says why."""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "grove-mcp" / "krew" / KREW_VERSION


def find_krew(*, build: bool) -> Path:
    """GROVE_KREW, else the cached build, else (``build``) a fresh build into the cache."""
    if given := os.environ.get("GROVE_KREW"):
        path = Path(given)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise KrewMissing(f"GROVE_KREW={given} is not an executable file")
        return path
    cached = cache_dir() / "krew"
    if cached.is_file() and os.access(cached, os.X_OK):
        return cached
    if not build:
        raise KrewMissing(f"no krew built in {cached.parent} yet (make krew)")
    go = shutil.which("go")
    if go is None:
        raise KrewMissing(
            f"Go is needed to build krew {KREW_VERSION} (go install {MODULE}@{KREW_VERSION})"
        )
    cached.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="build-", dir=cached.parent) as gobin:
        env = {
            **os.environ,
            "GOBIN": gobin,
            "GOFLAGS": "-mod=mod",
            "CGO_ENABLED": "0",
            "GOTOOLCHAIN": os.environ.get("GOTOOLCHAIN", "local"),
        }
        proc = subprocess.run(
            [go, "install", "-trimpath", f"{MODULE}@{KREW_VERSION}"],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if proc.returncode != 0:
            tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
            raise KrewMissing(f"go install {MODULE}@{KREW_VERSION} failed:\n{tail}")
        os.replace(Path(gobin) / "krew", cached)  # same directory: atomic
    return cached


def main() -> int:
    try:
        print(find_krew(build=True))
    except KrewMissing as err:
        print(f"krew: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
