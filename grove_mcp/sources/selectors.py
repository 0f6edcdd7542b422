"""Label and field selectors evaluated in memory, as the API server evaluates them (for bundles)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Predicate = Callable[[Mapping[str, str]], bool]

_SET_EXPR = re.compile(r"^\s*([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")


def _split_top_level(selector: str) -> list[str]:
    """Split on commas outside parentheses (``a in (x,y),b=c`` → two requirements)."""
    parts, depth, current = [], 0, ""
    for ch in selector:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _requirement(expr: str) -> Predicate:
    set_match = _SET_EXPR.match(expr)
    if set_match:
        key, op, values = set_match.groups()
        allowed = {v.strip() for v in values.split(",") if v.strip()}
        if op == "in":
            return lambda labels: labels.get(key) in allowed
        return lambda labels: labels.get(key) not in allowed
    for op in ("!=", "==", "="):
        if op in expr:
            key, value = (s.strip() for s in expr.split(op, 1))
            if op == "!=":
                return lambda labels: labels.get(key) != value
            return lambda labels: labels.get(key) == value
    if expr.startswith("!"):
        key = expr[1:].strip()
        return lambda labels: key not in labels
    return lambda labels: expr in labels


def label_matcher(selector: str | None) -> Predicate:
    """A predicate over a label map for a Kubernetes label selector string."""
    if not selector:
        return lambda labels: True
    requirements = [_requirement(e) for e in _split_top_level(selector)]
    return lambda labels: all(r(labels) for r in requirements)


def _field_value(obj: Mapping[str, Any], path: str) -> str:
    current: Any = obj
    for part in path.split("."):
        current = current.get(part) if isinstance(current, Mapping) else None
    return "" if current is None else str(current)


def field_matcher(selector: str | None) -> Callable[[Mapping[str, Any]], bool]:
    """A predicate over a raw object for a field selector (``=``, ``==``, ``!=`` on dotted paths)."""
    if not selector:
        return lambda obj: True
    checks: list[tuple[str, str, bool]] = []
    for expr in _split_top_level(selector):
        negate = "!=" in expr
        path, value = (s.strip() for s in re.split(r"!=|==|=", expr, maxsplit=1))
        checks.append((path, value, negate))
    return lambda obj: all((_field_value(obj, p) != v) == neg for p, v, neg in checks)
