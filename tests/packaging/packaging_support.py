"""What the packaging tests share: the repository's own facts, and the outside tools they need.

The tests build a wheel, run it with ``uvx`` and talk to it with the official TypeScript SDK's
client. Without ``uv``, ``node`` or ``npm`` (or the package registries they need) they skip,
saying why; with ``GROVE_REQUIRE_E2E=1`` (CI) that is a failure instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any, NoReturn

import pytest

REPO = Path(__file__).resolve().parents[2]
PYPROJECT: dict[str, Any] = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
NAME: str = PYPROJECT["project"]["name"]
VERSION: str = PYPROJECT["project"]["version"]
SERVER_JSON = REPO / "server.json"
SCHEMA = Path(__file__).with_name("server.schema.2025-12-11.json")
MCP_CLIENT = REPO / "tools" / "mcp_client"


def unavailable(reason: str) -> NoReturn:
    if os.environ.get("GROVE_REQUIRE_E2E") == "1":
        pytest.fail(
            f"GROVE_REQUIRE_E2E=1, but the packaging test cannot run: {reason}", pytrace=False
        )
    pytest.skip(f"packaging test skipped: {reason}")


def executable(name: str) -> str:
    """``name`` from this interpreter's environment (the dev extra installs uv there), else the
    PATH; missing: skip, or fail under GROVE_REQUIRE_E2E=1."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which(name)
    if found is None:
        unavailable(f"no {name} in {beside.parent} or on the PATH")
    return found


def run(command: list[str], timeout: float, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """``command`` to completion within ``timeout`` seconds; its output is kept for the message
    of a failed assertion."""
    try:
        return subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False, **kwargs
        )
    except subprocess.TimeoutExpired as err:
        raise AssertionError(
            f"{' '.join(command)} still ran after {timeout} s; "
            f"stdout: {err.stdout!r}; stderr: {err.stderr!r}"
        ) from None


def said(done: subprocess.CompletedProcess[str]) -> str:
    return (
        f"exit {done.returncode}; stdout: {done.stdout[-4000:]!r}; stderr: {done.stderr[-4000:]!r}"
    )


def clean_env(**overrides: str) -> dict[str, str]:
    """This process's environment without what would make a child import the source tree (or
    this virtualenv) instead of what it installed, plus ``overrides``."""
    dropped = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "CONDA_PREFIX"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(overrides)
    return env
