"""Lazy package exports: a package's ``__init__`` names where each export lives, and the module
is imported when the name is first used, so importing the package stays cheap (a CLI that only
prints its version or reads the capability table does not import every capability)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any


def exports(package: str, where: dict[str, str]) -> Callable[[str], Any]:
    """The module ``__getattr__`` of ``package``: name → the module (relative to ``package``)
    that defines it; each name is imported once, then kept in the package."""

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[name], package), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
