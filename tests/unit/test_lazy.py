"""Lazy package exports (``grove_mcp.lazy``): a name is imported on first use, and an export
named like its own submodule stays the export whichever is imported first."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

INIT = """from grove_mcp.lazy import exports
__getattr__ = exports(__name__, {"thing": ".thing", "other": ".other"})
"""


@pytest.fixture
def package(tmp_path: Path, request: pytest.FixtureRequest):
    """A lazy package ``name`` with ``thing`` (a function in ``thing.py``) and ``other``."""
    name = f"lazy_pkg_{request.node.name.replace('[', '_').replace(']', '_')}"
    root = tmp_path / name
    root.mkdir()
    (root / "__init__.py").write_text(INIT)
    (root / "thing.py").write_text("def thing():\n    return 'the function'\n")
    (root / "other.py").write_text("other = 'other'\n")
    sys.path.insert(0, str(tmp_path))
    yield name
    sys.path.remove(str(tmp_path))
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]


def test_a_name_is_imported_on_first_use(package):
    pkg = importlib.import_module(package)
    assert f"{package}.other" not in sys.modules
    assert pkg.other == "other"
    assert f"{package}.other" in sys.modules
    assert f"{package}.thing" not in sys.modules


def test_the_export_wins_over_its_submodule_imported_directly_first(package):
    importlib.import_module(f"{package}.thing")  # as core's table does: 'aic.generate:…'
    pkg = sys.modules[package]
    assert pkg.thing() == "the function"
    assert importlib.import_module(package).thing is pkg.thing


def test_an_unknown_name_is_an_attribute_error(package):
    pkg = importlib.import_module(package)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = pkg.nothing
