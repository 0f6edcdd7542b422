"""The wheel built from this checkout carries what an installed grove-mcp needs: every module,
the prompts (pyproject's force-include), the embedded demo bundle, py.typed, the entry points."""

from __future__ import annotations

from email.parser import HeaderParser
from pathlib import Path

from packaging_support import NAME, REPO, VERSION

PACKAGES = ("grove_mcp", "slack_bot")


def source_files(root: Path) -> dict[str, bytes]:
    """The files under ``root`` as hatchling packs them (no bytecode caches), by path relative
    to the repository."""
    return {
        path.relative_to(REPO).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def dist_info(wheel_files: dict[str, bytes], name: str) -> str:
    return wheel_files[f"grove_mcp-{VERSION}.dist-info/{name}"].decode()


def test_the_prompts_ship_as_grove_mcp_prompts(wheel_files):
    shipped = {
        path.removeprefix("grove_mcp/prompts/"): data
        for path, data in wheel_files.items()
        if path.startswith("grove_mcp/prompts/")
    }
    expected = {
        path.removeprefix("prompts/"): data for path, data in source_files(REPO / "prompts").items()
    }
    assert any(name.endswith(".md") for name in expected), "no prompt templates in prompts/"
    assert shipped == expected
    assert not any(path.startswith("prompts/") for path in wheel_files), "prompts/ at the top"


def test_the_demo_bundle_ships_whole(wheel_files):
    expected = source_files(REPO / "grove_mcp" / "demo" / "bundle")
    shipped = {p: d for p, d in wheel_files.items() if p.startswith("grove_mcp/demo/bundle/")}
    assert "grove_mcp/demo/bundle/manifest.json" in expected
    assert any(p.startswith("grove_mcp/demo/bundle/objects/") for p in expected)
    assert any(p.startswith("grove_mcp/demo/bundle/metrics/") for p in expected)
    assert shipped == expected


def test_every_module_and_py_typed_ship(wheel_files):
    expected: dict[str, bytes] = {}
    for package in PACKAGES:
        expected |= {
            path: data
            for path, data in source_files(REPO / package).items()
            if path.endswith(".py")
        }
    shipped = {p: d for p, d in wheel_files.items() if p.endswith(".py")}
    assert shipped == expected
    assert "grove_mcp/py.typed" in wheel_files


def test_nothing_else_ships(wheel_files):
    tops = {path.split("/")[0] for path in wheel_files}
    assert tops == {*PACKAGES, f"grove_mcp-{VERSION}.dist-info"}
    assert not [p for p in wheel_files if "__pycache__" in p or p.endswith((".pyc", ".pyo"))]


def test_metadata_and_entry_points(wheel_files):
    metadata = HeaderParser().parsestr(dist_info(wheel_files, "METADATA"))
    assert metadata["Name"] == NAME
    assert metadata["Version"] == VERSION
    assert metadata["Requires-Python"] == ">=3.11"
    scripts = dist_info(wheel_files, "entry_points.txt")
    assert "grove-mcp = grove_mcp.mcp_server.main:main" in scripts.splitlines()
    assert "kubectl-grove = grove_mcp.cli.main:main" in scripts.splitlines()
