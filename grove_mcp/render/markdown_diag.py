"""The ``diag`` report as compact Markdown (MCP text content). Pure."""

from __future__ import annotations

from ..reports.diag import DiagReport
from .markdown_parts import table, verdict


def diag(report: DiagReport) -> str:
    target = report.name or "every PodCliqueSet"
    out = [f"## Diagnostic bundle of {target} in {report.namespace}", verdict(report.summary), ""]
    out.append(
        f"Written to `{report.path}` from {report.source} at {report.captured_at:%Y-%m-%d %H:%M:%SZ}"
    )
    out.append(
        table(
            ("collector", "state", "objects", "files", "why"),
            (
                (c.name, c.state, c.objects, c.files, c.reason or "; ".join(c.notes[:3]) or "-")
                for c in report.collectors
            ),
        )
    )
    counts = ", ".join(f"{k} {v}" for k, v in report.redactions.items()) or "none needed"
    out += ["", f"Redacted before writing: {counts}. Secrets are never read."]
    out.append(f"Read it offline with `--bundle {report.path}` (CLI) or `grove-mcp --bundle`.")
    return "\n".join(out)


RENDERERS = {DiagReport: diag}
