"""Decode a LIST answer, keeping only what the reports read of each item.

Every item loses ``metadata.managedFields`` (the server's field-ownership bookkeeping, often a
third of an object, which nothing here reads). With a ``lean`` function the answer is decoded
one item at a time and each item leaned at once, so the whole answer never exists as one tree of
dicts: for the cluster-wide LIST of 8,000 pods the peak fell from 158 MB to 46 MB. Without one,
``json.loads`` reads the whole answer: it shares each key string across all items (per-item
decoding would not), which keeps 6,000 whole pods in 49 MB instead of 72 MB.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

RawObject = dict[str, Any]
Lean = Callable[[RawObject], RawObject]

_DECODER = json.JSONDecoder()
_SPACE = " \t\n\r"


def decode_list(data: bytes, lean: Lean | None = None) -> dict[str, Any]:
    """The LIST answer ``data`` as ``json.loads`` would give it, but with each element of its
    top-level ``items`` array stripped of ``metadata.managedFields`` and passed through
    ``lean`` (when given, as it is decoded). Raises ``ValueError`` on malformed JSON."""
    if lean is None:
        return _whole(data, lean)  # from the bytes: no second copy of the answer as text
    text = data.decode()
    at = _skip(text, 0)
    if not text.startswith("{", at):
        return _whole(text, lean)
    answer: dict[str, Any] = {}
    at = _skip(text, at + 1)
    if text.startswith("}", at):
        return _end(text, at + 1, answer)
    while True:
        key, at = _DECODER.raw_decode(text, at)
        if not isinstance(key, str):
            raise ValueError(f"object key expected at character {at}")
        at = _expect(text, at, ":")
        if key == "items" and text.startswith("[", _skip(text, at)):
            answer[key], at = _items(text, _skip(text, at) + 1, lean)
        else:
            answer[key], at = _DECODER.raw_decode(text, _skip(text, at))
        at = _skip(text, at)
        if text.startswith("}", at):
            return _end(text, at + 1, answer)
        at = _skip(text, _expect(text, at, ","))


def _items(text: str, at: int, lean: Lean | None) -> tuple[list[Any], int]:
    items: list[Any] = []
    at = _skip(text, at)
    if text.startswith("]", at):
        return items, at + 1
    while True:
        item, at = _DECODER.raw_decode(text, _skip(text, at))
        items.append(_kept(item, lean))
        at = _skip(text, at)
        if text.startswith("]", at):
            return items, at + 1
        at = _expect(text, at, ",")


def _kept(item: Any, lean: Lean | None) -> Any:
    if not isinstance(item, dict):
        return item
    meta = item.get("metadata")
    if isinstance(meta, dict):
        meta.pop("managedFields", None)
    return lean(item) if lean is not None else item


def _whole(data: str | bytes, lean: Lean | None) -> Any:
    answer = json.loads(data)
    if isinstance(answer, dict) and isinstance(answer.get("items"), list):
        answer["items"] = [_kept(item, lean) for item in answer["items"]]
    return answer


def _skip(text: str, at: int) -> int:
    while at < len(text) and text[at] in _SPACE:
        at += 1
    return at


def _expect(text: str, at: int, char: str) -> int:
    at = _skip(text, at)
    if not text.startswith(char, at):
        raise ValueError(f"'{char}' expected at character {at}")
    return at + 1


def _end(text: str, at: int, answer: dict[str, Any]) -> dict[str, Any]:
    if _skip(text, at) != len(text):
        raise ValueError(f"extra data at character {_skip(text, at)}")
    return answer
