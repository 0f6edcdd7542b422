"""Slack's Block Kit limits, and a check of a message against them. Pure.

The documented limits (blocks per message, characters per text, fields per section, rows and
columns of the one table block …) and the undocumented whole-message wall that makes
``chat.postMessage`` answer ``msg_blocks_too_long`` (about 12-13 KB of block JSON, measured by
others; we budget below it). The renderers stay inside ``BUDGET_*``; the local Slack stand-in
refuses what Slack would refuse, with Slack's error names.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

MAX_BLOCKS = 50  # per message
HEADER_CHARS = 150  # a header block's plain text
SECTION_CHARS = 3000  # a section's text
FIELDS = 10  # a section's fields
FIELD_CHARS = 2000  # each field's text
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT_CHARS = 75
BUTTON_VALUE_CHARS = 2000
ACTION_ID_CHARS = 255
TABLE_ROWS = 100
TABLE_COLUMNS = 20
TABLE_CELL_CHARS_TOTAL = 10_000  # cells of the table block, together (keep them short)
MARKDOWN_BLOCK_CHARS = 12_000
MESSAGE_TEXT_CHARS = 40_000  # ``text``: Slack truncates beyond this
WALL_JSON_CHARS = 12_000  # the undocumented whole-message wall (msg_blocks_too_long)

# What a renderer may use, leaving room for the bot's buttons and notes.
BUDGET_BLOCKS = 45
BUDGET_JSON_CHARS = 9_000

BLOCK_TYPES = frozenset(
    {"header", "section", "context", "divider", "actions", "table", "markdown", "rich_text"}
)


def blocks_size(blocks: list[dict[str, Any]]) -> int:
    """The characters of the blocks' JSON, as Slack's whole-message wall counts them."""
    return len(json.dumps(blocks, ensure_ascii=False, separators=(",", ":")))


def problems(blocks: Any) -> list[str]:
    """What in ``blocks`` Slack would refuse as ``invalid_blocks``, one line each (empty: none).
    The whole-message wall is checked apart (``too_long``): Slack names it differently."""
    if not isinstance(blocks, list):
        return ["blocks is not a list"]
    found: list[str] = []
    if len(blocks) > MAX_BLOCKS:
        found.append(f"{len(blocks)} blocks, more than {MAX_BLOCKS}")
    tables = 0
    for i, block in enumerate(blocks):
        where = f"block {i}"
        if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
            found.append(f"{where}: unknown block type {_type(block)!r}")
            continue
        kind = block["type"]
        tables += kind == "table"
        found += [f"{where} ({kind}): {p}" for p in _block_problems(block)]
    if tables > 1:
        found.append(f"{tables} table blocks, more than 1")
    return found


def too_long(blocks: list[dict[str, Any]]) -> bool:
    """Whether Slack would refuse the message as ``msg_blocks_too_long``."""
    return blocks_size(blocks) > WALL_JSON_CHARS


def _type(block: Any) -> Any:
    return block.get("type") if isinstance(block, dict) else type(block).__name__


def _text(obj: Any, limit: int, what: str, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        return [f"{what} is not a text object"]
    if plain_only and obj["type"] != "plain_text":
        return [f"{what} must be plain_text"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"{what} is empty"]
    return [f"{what} has {len(text)} characters, more than {limit}"] if len(text) > limit else []


def _block_problems(block: dict[str, Any]) -> list[str]:
    kind = block["type"]
    if kind == "header":
        return _text(block.get("text"), HEADER_CHARS, "text", plain_only=True)
    if kind == "section":
        return _section(block)
    if kind == "context":
        elements = block.get("elements") or []
        found = [] if elements else ["no elements"]
        if len(elements) > CONTEXT_ELEMENTS:
            found.append(f"{len(elements)} elements, more than {CONTEXT_ELEMENTS}")
        for j, element in enumerate(elements):
            if isinstance(element, dict) and element.get("type") == "image":
                continue
            found += _text(element, SECTION_CHARS, f"element {j}")
        return found
    if kind == "actions":
        return _actions(block.get("elements") or [])
    if kind == "table":
        return _table(block)
    if kind == "markdown":
        text = block.get("text")
        if not isinstance(text, str) or not text:
            return ["text is empty"]
        return [f"text has {len(text)} characters"] if len(text) > MARKDOWN_BLOCK_CHARS else []
    return []


def _section(block: dict[str, Any]) -> list[str]:
    found: list[str] = []
    fields = block.get("fields")
    if "text" not in block and not fields:
        return ["neither text nor fields"]
    if "text" in block:
        found += _text(block["text"], SECTION_CHARS, "text")
    if fields is not None:
        if len(fields) > FIELDS:
            found.append(f"{len(fields)} fields, more than {FIELDS}")
        for j, field in enumerate(fields):
            found += _text(field, FIELD_CHARS, f"field {j}")
    accessory = block.get("accessory")
    if accessory is not None:
        found += _actions([accessory])
    return found


def _actions(elements: list[Any]) -> list[str]:
    found = [] if elements else ["no elements"]
    if len(elements) > ACTIONS_ELEMENTS:
        found.append(f"{len(elements)} elements, more than {ACTIONS_ELEMENTS}")
    for j, element in enumerate(elements):
        if not isinstance(element, dict) or element.get("type") != "button":
            continue
        found += _text(element.get("text"), BUTTON_TEXT_CHARS, f"button {j}", plain_only=True)
        if len(str(element.get("value", ""))) > BUTTON_VALUE_CHARS:
            found.append(f"button {j}: value longer than {BUTTON_VALUE_CHARS}")
        if not element.get("action_id") or len(element["action_id"]) > ACTION_ID_CHARS:
            found.append(f"button {j}: action_id missing or longer than {ACTION_ID_CHARS}")
    return found


def _table(block: dict[str, Any]) -> list[str]:
    rows = block.get("rows")
    if not isinstance(rows, list) or not rows:
        return ["no rows"]
    found: list[str] = []
    if len(rows) > TABLE_ROWS:
        found.append(f"{len(rows)} rows, more than {TABLE_ROWS}")
    widths = {len(row) if isinstance(row, list) else -1 for row in rows}
    if len(widths) != 1 or -1 in widths:
        found.append("rows of different widths")
    elif widths.pop() > TABLE_COLUMNS:
        found.append(f"more than {TABLE_COLUMNS} columns")
    settings = block.get("column_settings") or []
    if len(settings) > TABLE_COLUMNS:
        found.append(f"{len(settings)} column settings, more than {TABLE_COLUMNS}")
    total = 0
    for r, row in enumerate(rows if isinstance(rows, list) else []):
        for c, cell in enumerate(row if isinstance(row, list) else []):
            text = _cell_text(cell)
            if not text:
                found.append(f"cell {r},{c} is empty")
            total += len(text)
    if total > TABLE_CELL_CHARS_TOTAL:
        found.append(f"cells hold {total} characters, more than {TABLE_CELL_CHARS_TOTAL}")
    return found


def _cell_text(cell: Any) -> str:
    if not isinstance(cell, dict):
        return ""
    if cell.get("type") == "raw_text":
        return str(cell.get("text") or "")
    if cell.get("type") == "rich_text":
        return "".join(_rich_texts(cell.get("elements") or []))
    return ""


def _rich_texts(elements: Iterable[Any]) -> Iterable[str]:
    for element in elements:
        if isinstance(element, dict):
            if isinstance(element.get("text"), str):
                yield element["text"]
            yield from _rich_texts(element.get("elements") or [])
