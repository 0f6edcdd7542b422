"""Health findings by code, shared by the analyzers that take them over."""

from __future__ import annotations

from collections.abc import Iterator

from ...reports.common import Finding
from ..base import Evidence


def health_issues(ev: Evidence, codes: frozenset[str]) -> Iterator[Finding]:
    """The health report's findings with one of ``codes`` (the PodCliqueSet's and every
    gang's), each once."""
    seen: set[tuple[str, str, str]] = set()
    for f in [*ev.health.issues, *(i for g in ev.health.gangs for i in g.issues)]:
        key = (f.code, f.subject, f.message)
        if f.code in codes and key not in seen:
            seen.add(key)
            yield f
