"""The check before ``generate`` writes: every rendered PodCliqueSet against Grove's admission
rules (the table's ``validate``), so that a render Grove's webhook would refuse is refused here,
with the field named, and nothing is written or handed out."""

from __future__ import annotations

from ..capabilities.validate import ManifestText, ValidateArgs
from ..errors import AdmissionRefused
from ..reports.generate import GenerateReport
from ..reports.validate import ValidateReport
from ..sources.base import Source
from .call import run

SHOWN = 5


def check_before_write(report: GenerateReport, source: Source | None = None) -> GenerateReport:
    """``report`` when its manifests pass (with a note when a pack domain could not be checked
    against a ClusterTopologyBinding's levels); raises ``AdmissionRefused`` naming each field
    otherwise. ``source``: where to read the bindings (None: offline)."""
    if not report.plans:
        return report
    manifests = tuple(ManifestText(p.file or f"{p.name}.yaml", p.manifest) for p in report.plans)
    checked = run("validate", source, args=ValidateArgs(manifests))
    assert isinstance(checked, ValidateReport)
    if checked.violations:
        raise AdmissionRefused(_refusal(checked))
    if not checked.skipped_rules:
        return report
    note = (
        "The pack domain was not checked against the ClusterTopologyBinding's levels (none "
        "known here): check the manifest with 'kubectl grove validate -f FILE --context "
        "CONTEXT' (or --topology-file), or the grove_validate tool of a server on the cluster."
    )
    return report.model_copy(update={"notes": [*report.notes, note]})


def _refusal(checked: ValidateReport) -> str:
    shown = [f"{v.name} {v.field}: {v.message} {v.remediation}" for v in checked.violations[:SHOWN]]
    more = len(checked.violations) - SHOWN
    rest = f" (and {more} more)" if more > 0 else ""
    return (
        "Grove's webhook would refuse the rendered PodCliqueSet, so nothing was written: "
        + " | ".join(shown)
        + rest
    )
