"""``kubectl grove version``: light on purpose, so ``main`` can answer it before importing the
app (the capability table and everything it reads)."""

from __future__ import annotations

from .. import __version__


def version_line() -> str:
    return f"kubectl-grove (grove-mcp) {__version__}"


def version() -> None:
    """Print the grove-mcp version."""
    print(version_line())
