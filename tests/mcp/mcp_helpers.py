"""Shared checks: structured content against the tool's output schema, answer sizes."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
from mcp_types import CallToolResult, Tool

from grove_mcp.mcp_server.budget import BUDGET_BYTES


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


def check_answer(tool: Tool, result: CallToolResult) -> dict[str, Any]:
    """A successful answer: valid structured content, within the budget; returns the content."""
    assert not result.is_error, text_of(result)
    assert tool.output_schema is not None
    jsonschema.validate(result.structured_content, tool.output_schema)
    assert len(text_of(result).encode()) <= BUDGET_BYTES
    compact = json.dumps(result.structured_content, separators=(",", ":"), ensure_ascii=False)
    assert len(compact.encode()) <= BUDGET_BYTES
    return result.structured_content
