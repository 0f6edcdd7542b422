"""Where the config file is (XDG, or $KUBECTL_GROVE_CONFIG), reading it, and where each
effective value came from."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SettingsError
from .located import Located, read_located, validated
from .model import GroveConfig

ENV = "KUBECTL_GROVE_CONFIG"


def config_path() -> tuple[Path, bool]:
    """The config file's path, and whether the environment named it (then it must exist)."""
    named = os.environ.get(ENV, "").strip()
    if named:
        return Path(named).expanduser(), True
    base = os.environ.get("XDG_CONFIG_HOME", "").strip() or str(Path.home() / ".config")
    return Path(base) / "kubectl-grove" / "config.yaml", False


@dataclass(frozen=True)
class Settings:
    """The effective configuration: the file's values over the built-in defaults."""

    config: GroveConfig
    path: Path
    found: bool
    located: Located

    def origin(self, *key: str) -> str:
        """``<file>:<line>`` for a value the file sets, else ``default``."""
        line = self.located.lines.get(key)
        return f"{self.path}:{line}" if line else "default"

    def rows(self) -> list[tuple[str, Any, str]]:
        """Every key with its effective value and its origin, in the model's order."""
        rows = []
        for section, model in self.config:
            if section == "slack":
                rows.append(("slack", "(set)" if model else None, self.origin("slack")))
                continue
            for name, value in model:
                rows.append((f"{section}.{name}", value, self.origin(section, name)))
        return rows


def load_settings() -> Settings:
    """The configuration in effect: the file when it exists (checked: an unknown key or a bad
    value names the file, the line and the key), else the defaults."""
    path, named = config_path()
    if not path.exists():
        if named:
            raise SettingsError(
                f"${ENV} names {path}, which does not exist: create it, or unset {ENV} to use "
                "the defaults."
            )
        return Settings(GroveConfig(), path, False, Located(str(path), {}))
    located = read_located(path)
    return Settings(validated(GroveConfig, located), path, True, located)
