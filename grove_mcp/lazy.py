"""Lazy package exports: a package's ``__init__`` names where each export lives, and the module
is imported when the name is first used, so importing the package stays cheap (a CLI that only
prints its version or reads the capability table does not import every capability)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any


class _Package(ModuleType):
    """A package whose export may share its name with a submodule (``aic.generate``, the
    function, from ``aic/generate.py``): importing the submodule binds it on the package, which
    would hide the export; the export wins, as an eager ``from .generate import generate`` had it."""

    _exports: dict[str, str]

    def __setattr__(self, name: str, value: Any) -> None:
        hides_export = name in self.__dict__.get("_exports", ()) and isinstance(value, ModuleType)
        if not (hides_export and value.__name__ == f"{self.__name__}.{name}"):
            super().__setattr__(name, value)


def exports(package: str, where: dict[str, str]) -> Callable[[str], Any]:
    """The module ``__getattr__`` of ``package``: name → the module (relative to ``package``)
    that defines it; each name is imported once, then kept in the package."""
    module = sys.modules[package]
    module.__class__ = _Package
    module.__dict__["_exports"] = where

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[name], package), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
