"""MCP tools of ``plan``: show, history and diff (read) and store (write, --allow-writes)."""

from __future__ import annotations

from .spec import ToolSpec

PLAN_TOOLS: tuple[ToolSpec, ...] = ()
