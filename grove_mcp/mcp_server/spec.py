"""What a tool is to the server: its function, title, annotations, and whether it writes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mcp_types import ToolAnnotations

READ_ONLY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)


@dataclass(frozen=True)
class ToolSpec:
    """One tool: its function, a title, and whether it changes the cluster."""

    fn: Callable[..., Any]
    title: str
    writes: bool = False
    annotations: ToolAnnotations = field(default_factory=lambda: READ_ONLY)

    @property
    def name(self) -> str:
        return self.fn.__name__
