"""Comparing what a test sent to the API server with what it stored."""

from __future__ import annotations

from typing import Any


def contained(sent: Any, stored: Any, path: str = "") -> list[str]:
    """Paths of what was sent but is not stored as sent (defaults the server adds are fine)."""
    if isinstance(sent, dict):
        if not isinstance(stored, dict):
            return [path]
        return [p for k, v in sent.items() for p in contained(v, stored.get(k), f"{path}.{k}")]
    if isinstance(sent, list):
        if not isinstance(stored, list) or len(stored) != len(sent):
            return [path]
        return [p for i, v in enumerate(sent) for p in contained(v, stored[i], f"{path}[{i}]")]
    return [] if sent == stored else [path]
