"""The ``validate`` report as compact Markdown (MCP text content). Pure."""

from __future__ import annotations

from ..reports.validate import ValidateReport
from .markdown_parts import table, verdict


def validate(report: ValidateReport) -> str:
    out = [f"## Grove admission check of {', '.join(report.inputs)}", verdict(report.summary), ""]
    out.append(
        table(
            ("input", "doc", "kind", "name", "result"),
            (
                (
                    d.origin,
                    d.document,
                    d.kind,
                    d.name,
                    (f"{d.violations} violation(s)" if d.violations else "ok")
                    + (f"; {d.note}" if d.note else "")
                    if d.checked
                    else d.note,
                )
                for d in report.documents
            ),
        )
    )
    if report.violations:
        out += ["", "### Violations"]
        for v in report.violations:
            line = f" line {v.line}" if v.line is not None else ""
            out.append(
                f"- `{v.field}` of {v.name} ({v.origin}{line}): {v.message} "
                f"**Fix:** {v.remediation} _[{v.rule}, {v.grove_source}]_"
            )
    if report.topology_source is not None:
        known = "; ".join(f"{b.name}: {' > '.join(b.levels)}" for b in report.bindings)
        out += ["", f"Topology from {report.topology_source}: {known or 'none'}"]
    out += [f"> skipped: {s}" for s in report.skipped_rules]
    out += [f"> note: {n}" for n in report.notes]
    return "\n".join(out)


RENDERERS = {ValidateReport: validate}
