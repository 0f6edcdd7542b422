"""PodCliqueSet names for generated plans, within Grove's 45-character combined-name limit.

Grove's webhook refuses a PodCliqueSet when, for any clique, len(PCS) + len(PCSG) + len(PCLQ)
exceeds 45 (PCSG = 0 for standalone cliques): pod names are built from all three. Names too long
are cut and given a 4-hex-digit hash of the full name, so the same input always gives the same
name and different long names stay distinct (as the Dynamo operator does).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

MAX_COMBINED_NAME = 45
MAX_LABEL = 63


def slug(text: str) -> str:
    """Lowercase DNS-label form: runs of anything but [a-z0-9] become one '-'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def model_slug(model: str) -> str:
    """``Qwen/Qwen3-32B`` → ``qwen3-32b``; a local directory → its base name."""
    tail = model.rstrip("/").rsplit("/", 1)[-1]
    return slug(tail) or "model"


def default_name(model: str, backend: str, mode: str) -> str:
    """e.g. ``qwen3-32b-sglang-disagg`` (the file stem of the original requirements)."""
    return f"{model_slug(model)}-{backend}-{mode}"


def longest_child(children: Iterable[tuple[str | None, str]]) -> int:
    """Longest len(PCSG) + len(PCLQ) over (scaling group or None, clique) pairs."""
    return max((len(group or "") + len(clique) for group, clique in children), default=0)


def fit_name(name: str, child_length: int) -> str:
    """``name`` if PCS + longest child fits in 45 characters, else a cut name with a hash."""
    budget = min(MAX_COMBINED_NAME - child_length, MAX_LABEL)
    if budget < 6:
        raise ValueError(f"clique names use {child_length} characters; no room for a PCS name")
    if len(name) <= budget:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:4]
    head = name[: budget - 5].rstrip("-")
    return f"{head}-{digest}"


def fit_label(value: str) -> str:
    """``value`` as a label value (at most 63 characters): cut with a hash when longer."""
    if len(value) <= MAX_LABEL:
        return value
    digest = hashlib.sha256(value.encode()).hexdigest()[:4]
    return f"{value[: MAX_LABEL - 5].rstrip('-._')}-{digest}"
