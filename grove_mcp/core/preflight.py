"""The check before ``generate`` writes: every rendered PodCliqueSet against Grove's admission
rules (the table's ``validate``), so that a render Grove's webhook would refuse is refused here,
with the field named, and nothing is written or handed out."""

from __future__ import annotations

from ..capabilities.validate import ManifestText, ValidateArgs
from ..errors import AdmissionRefused
from ..reports.generate import GenerateReport
from ..reports.replan import ReplanReport
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
    notes = check_manifests(manifests, source)
    return report.model_copy(update={"notes": [*report.notes, *notes]}) if notes else report


def check_proposal(report: ReplanReport, source: Source | None = None) -> ReplanReport:
    """``check_before_write`` for the PodCliqueSet a re-plan proposes."""
    proposal = report.proposal
    if proposal is None:
        return report
    manifest = ManifestText(proposal.file or f"{report.name}.replan.yaml", proposal.manifest)
    notes = check_manifests((manifest,), source)
    return report.model_copy(update={"notes": [*report.notes, *notes]}) if notes else report


def check_manifests(manifests: tuple[ManifestText, ...], source: Source | None) -> list[str]:
    """Grove's admission rules on ``manifests``: raises ``AdmissionRefused`` on a violation;
    the notes to add (a pack domain not checked) otherwise."""
    checked = run("validate", source, args=ValidateArgs(manifests))
    assert isinstance(checked, ValidateReport)
    if checked.violations:
        raise AdmissionRefused(_refusal(checked))
    if not checked.skipped_rules:
        return []
    return [
        "The pack domain was not checked against the ClusterTopologyBinding's levels (none "
        "known here): check the manifest with 'kubectl grove validate -f FILE --context "
        "CONTEXT' (or --topology-file), or the grove_validate tool of a server on the cluster."
    ]


def _refusal(checked: ValidateReport) -> str:
    shown = [f"{v.name} {v.field}: {v.message} {v.remediation}" for v in checked.violations[:SHOWN]]
    more = len(checked.violations) - SHOWN
    rest = f" (and {more} more)" if more > 0 else ""
    return (
        "Grove's webhook would refuse the rendered PodCliqueSet, so nothing was written: "
        + " | ".join(shown)
        + rest
    )
