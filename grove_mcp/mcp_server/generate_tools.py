"""MCP tool of ``generate``: AIConfigurator plans rendered as Grove PodCliqueSets."""

from __future__ import annotations

from .spec import ToolSpec

GENERATE_TOOLS: tuple[ToolSpec, ...] = ()
