"""The CLI skips pydantic's plugin discovery only when surely no plugin is installed
(``grove_mcp/cli/pydantic_plugins.py``): an installed plugin is still loaded."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pydantic
import pytest

from grove_mcp.cli.pydantic_plugins import LOADER, _no_plugins, plugins_declared

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _dist(root: Path, name: str, entry_points: str | None) -> None:
    info = root / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    if entry_points is not None:
        (info / "entry_points.txt").write_text(entry_points)


def test_a_declared_pydantic_group_is_found(tmp_path):
    _dist(tmp_path, "other", "[console_scripts]\nother = other:main\n")
    _dist(tmp_path, "bare", None)
    (tmp_path / "old.egg-info").write_text("Name: old\n")  # an egg-info file: no entry points
    assert plugins_declared([str(tmp_path)]) is False
    _dist(tmp_path, "plug", "# a comment\n  [ pydantic ]  \nplug = plug:plugin\n")
    assert plugins_declared([str(tmp_path / "missing"), str(tmp_path)]) is True


def test_what_it_cannot_read_surely_counts_as_unsure(tmp_path):
    archive = tmp_path / "lib.zip"
    archive.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip: importlib.metadata reads zips
    assert plugins_declared([str(archive)]) is None
    (tmp_path / "thing.egg").mkdir()
    assert plugins_declared([str(tmp_path / "thing.egg")]) is None


def test_pydantic_takes_only_get_plugins_from_its_loader():
    """The stand-in loader answers what pydantic asks of the real one (a newer pydantic that
    asked more would fail here, not at a user's start)."""
    imported: set[str] = set()
    for path in Path(pydantic.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("_loader"):
                imported |= {alias.name for alias in node.names}
    assert imported == {"get_plugins"}
    stand_in = _no_plugins()
    assert stand_in.__name__ == LOADER
    assert not stand_in.get_plugins()  # pydantic builds plain validators on a falsy answer
    assert list(stand_in.get_plugins()) == []


def test_a_name_the_stand_in_lacks_comes_from_the_real_loader(monkeypatch):
    """A newer pydantic importing more from its loader gets the real loader, not an ImportError."""
    monkeypatch.delitem(sys.modules, LOADER, raising=False)
    stand_in = _no_plugins()
    monkeypatch.setitem(sys.modules, LOADER, stand_in)
    found = stand_in.entry_points  # a name only the real loader has
    from importlib.metadata import entry_points

    assert found is entry_points
    assert sys.modules[LOADER] is not stand_in
    assert sys.modules[LOADER].get_plugins is not stand_in.get_plugins


PLUGIN = """
import os

class Plugin:
    def new_schema_validator(self, *args, **kwargs):
        with open(os.environ["PLUGIN_SEEN"], "a") as seen:
            seen.write("called\\n")
        return None, None, None

plugin = Plugin()
"""


@pytest.mark.parametrize("installed", [True, False])
def test_an_installed_plugin_is_still_loaded(tmp_path, installed):
    site = tmp_path / "site"
    site.mkdir()
    if installed:
        _dist(site, "fakeplug", "[pydantic]\nfake = fakeplug:plugin\n")
        (site / "fakeplug.py").write_text(PLUGIN)
    seen = tmp_path / "seen"
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{site}",
        "PLUGIN_SEEN": str(seen),
        "COLUMNS": "160",
    }
    env.pop("PYDANTIC_DISABLE_PLUGINS", None)
    code = (
        "import sys\n"
        "sys.argv = ['kubectl-grove', 'status', 'my-inference', '--demo']\n"
        "from grove_mcp.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit as done:\n    assert done.code == 1, done.code\n"
        "print('importlib.metadata' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    looked = done.stdout.splitlines()[-1] == "True"
    assert seen.exists() is installed  # the plugin saw pydantic's validators being built
    assert looked is installed  # pydantic's discovery ran only when a plugin was declared
