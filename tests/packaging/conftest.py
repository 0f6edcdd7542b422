"""Session fixtures of the packaging tests: one wheel built from this checkout, uv with its cache
and tool directories in a temporary directory, and the TypeScript SDK client installed from its
lockfile."""

from __future__ import annotations

import hashlib
import sys
import zipfile
from pathlib import Path

import pytest
from packaging_support import (
    MCP_CLIENT,
    REPO,
    VERSION,
    clean_env,
    executable,
    run,
    said,
    unavailable,
)


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of this checkout, built as a user would (``pip wheel``: an isolated build
    with the backend pyproject.toml names, fetched from the package index)."""
    out = tmp_path_factory.mktemp("wheel")
    done = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(out), str(REPO)],
        timeout=300,
        env=clean_env(PIP_DISABLE_PIP_VERSION_CHECK="1"),
    )
    assert done.returncode == 0, f"pip wheel failed: {said(done)}"
    built = sorted(out.glob("*.whl"))
    assert [w.name for w in built] == [f"grove_mcp-{VERSION}-py3-none-any.whl"], built
    return built[0]


@pytest.fixture(scope="session")
def wheel_files(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


@pytest.fixture(scope="session")
def uv_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment for uv that writes nothing outside a temporary directory: cache, tool
    environments, tool executables and interpreters live there, and HOME is an empty directory
    there (the client test checks it stays empty); no user or project uv.toml is read; no
    interpreter is downloaded (uv runs the tool on this test run's Python)."""
    root = tmp_path_factory.mktemp("uv")
    (root / "home").mkdir()
    env = clean_env(
        HOME=str(root / "home"),
        UV_CACHE_DIR=str(root / "cache"),
        UV_TOOL_DIR=str(root / "tools"),
        UV_TOOL_BIN_DIR=str(root / "bin"),
        UV_PYTHON_INSTALL_DIR=str(root / "python"),
        UV_PYTHON=sys.executable,
        UV_PYTHON_DOWNLOADS="never",
        UV_NO_CONFIG="1",
        UV_NO_PROGRESS="1",
    )
    return {k: v for k, v in env.items() if not k.startswith("XDG_")}


@pytest.fixture(scope="session")
def uvx() -> str:
    return executable("uvx")


@pytest.fixture(scope="session")
def mcp_client(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """``node tools/mcp_client/client.mjs``, its dependencies installed by ``npm ci`` from the
    lockfile into the git-ignored node_modules (again only when the lockfile changed)."""
    node = executable("node")
    npm = executable("npm")
    version = run([node, "--version"], timeout=30).stdout.strip()
    if int(version.lstrip("v").split(".")[0]) < 20:
        unavailable(f"node {version}: the client needs node 20 or newer")
    lock = hashlib.sha256((MCP_CLIENT / "package-lock.json").read_bytes()).hexdigest()
    stamp = MCP_CLIENT / "node_modules" / ".installed-from-lock.sha256"
    if not stamp.is_file() or stamp.read_text(encoding="utf-8") != lock:
        cache = tmp_path_factory.mktemp("npm-cache")
        done = run(
            [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
            timeout=300,
            cwd=MCP_CLIENT,
            env=clean_env(npm_config_cache=str(cache), npm_config_update_notifier="false"),
        )
        if done.returncode != 0:
            unavailable(f"npm ci in {MCP_CLIENT} failed: {said(done)}")
        stamp.write_text(lock, encoding="utf-8")
    return [node, str(MCP_CLIENT / "client.mjs")]
