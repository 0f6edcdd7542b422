"""The config file ``~/.config/kubectl-grove/config.yaml`` (``$KUBECTL_GROVE_CONFIG``), read by
every front end: flags override it, it overrides the built-in defaults."""

from .load import ENV, Settings, config_path, load_settings
from .located import Located, read_located, validated
from .model import GroveConfig

__all__ = [
    "ENV",
    "GroveConfig",
    "Located",
    "Settings",
    "config_path",
    "load_settings",
    "read_located",
    "validated",
]
