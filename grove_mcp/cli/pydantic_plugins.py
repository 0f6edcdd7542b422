"""Pydantic's plugin discovery, skipped at start-up when no pydantic plugin is installed.

Pydantic looks for plugins (the ``pydantic`` entry-point group) when it builds its first
validator, through ``importlib.metadata``: importing it (``email``, ``zipfile``, ``csv`` …) and
reading every installed distribution's metadata cost a CLI start about 0.02 s (issue 15 P6).

``skip_discovery`` first reads the same files cheaply: the ``entry_points.txt`` of every
``*.dist-info`` and ``*.egg-info`` directory on ``sys.path``, where ``importlib.metadata`` finds
them. Only when none declares a ``[pydantic]`` group does it hand pydantic an empty plugin list
in place of its loader module (``pydantic.plugin._loader``, whose ``get_plugins`` is all that
pydantic imports from it; a test watches that). Whatever it cannot read as surely — a zip or an
egg on ``sys.path``, a finder of distributions other than Python's own, an unreadable file,
``PYDANTIC_DISABLE_PLUGINS`` set, pydantic already imported — leaves pydantic's own discovery
in place, so an installed plugin is always loaded.
"""

from __future__ import annotations

import importlib
import os
import sys
from importlib.machinery import PathFinder
from types import ModuleType

GROUP = "pydantic"
LOADER = "pydantic.plugin._loader"
_METADATA_DIRS = (".dist-info", ".egg-info")


def plugins_declared(paths: list[str] | None = None) -> bool | None:
    """Whether an installed distribution declares a pydantic plugin; None when unsure."""
    for finder in sys.meta_path:
        if hasattr(finder, "find_distributions") and finder is not PathFinder:
            return None  # distributions found some other way
    for entry in sys.path if paths is None else paths:
        root = entry or "."
        if root.lower().endswith(".egg"):
            return None
        try:
            names = os.listdir(root)
        except FileNotFoundError:
            continue
        except OSError:
            return None  # a zip (importlib.metadata reads those) or unreadable
        for name in names:
            if name.lower().endswith(_METADATA_DIRS):
                found = _declares(os.path.join(root, name, "entry_points.txt"))
                if found is not False:
                    return found
    return False


def _declares(path: str) -> bool | None:
    try:
        with open(path, encoding="utf-8") as stream:
            text = stream.read()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return False  # no entry points (an .egg-info may be a file)
    except (OSError, UnicodeDecodeError):
        return None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]") and line.strip("[] \t") == GROUP:
            return True
    return False


def skip_discovery() -> bool:
    """Give pydantic no plugins without looking for them, when surely none is installed;
    whether it did. Call before pydantic is imported."""
    if os.environ.get("PYDANTIC_DISABLE_PLUGINS") is not None or "pydantic" in sys.modules:
        return False
    if plugins_declared() is not False:
        return False
    sys.modules[LOADER] = _no_plugins()
    return True


def _no_plugins() -> ModuleType:
    """What pydantic's loader module answers when no plugin is installed; any other name (a
    newer pydantic asking for more) is the real loader's, which then replaces the stand-in."""
    module = ModuleType(LOADER, "Pydantic's plugin loader when no plugin is installed.")
    plugins: dict[str, object] = {}
    module.__dict__.update(
        PYDANTIC_ENTRY_POINT_GROUP=GROUP,
        _plugins=plugins,
        _loading_plugins=False,
        get_plugins=plugins.values,
        __getattr__=_from_real_loader,
    )
    return module


def _from_real_loader(name: str) -> object:
    if name.startswith("__"):  # a module's special names (asked by importlib, inspect …)
        raise AttributeError(name)
    loaded = sys.modules.get(LOADER)
    if loaded is not None and loaded.__dict__.get("__getattr__") is _from_real_loader:
        del sys.modules[LOADER]  # the stand-in: let the real loader be imported
    return getattr(importlib.import_module(LOADER), name)
