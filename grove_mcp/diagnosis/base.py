"""What every analyzer reads (:class:`Evidence`: the other reports of the same snapshot and
window, so a finding's numbers are theirs) and how it says what it found (:func:`finding`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..planfile import Plan
from ..reports.common import Finding, Severity
from ..reports.diagnose import DiagnosisFinding, Impact
from ..reports.health import HealthReport
from ..reports.metrics import MetricsReport
from ..reports.plan_reports import DiffRow
from ..reports.status import StatusReport
from ..reports.topology import TopologyReport
from ..snapshot import Snapshot


@dataclass(frozen=True)
class Evidence:
    """One PodCliqueSet's world: the snapshot and the reports built from it."""

    name: str
    namespace: str
    snapshot: Snapshot
    status: StatusReport
    topology: TopologyReport
    health: HealthReport
    metrics: MetricsReport | None  # None: not read (``metrics_why_not`` says why)
    metrics_why_not: str | None
    plan: Plan | None  # None: no plan stored or given (``plan_origin`` says so)
    plan_origin: str
    diff: Sequence[DiffRow]  # the plan against the deployment; empty without a plan

    @property
    def sla_missed(self) -> bool:
        """Whether a latency row of the metrics report missed its SLA."""
        rows = self.metrics.plan if self.metrics else []
        return any(r.met is False and r.unit == "ms" for r in rows)

    def command(self, verb: str) -> str:
        return f"kubectl grove {verb} {self.name} -n {self.namespace}"


Analyzer = Callable[[Evidence], list[DiagnosisFinding]]


def finding(
    analyzer: str,
    code: str,
    severity: Severity,
    impact: Impact,
    title: str,
    subject: str,
    evidence: Sequence[str],
    explanation: str,
    remediation: str,
    commands: Sequence[str] = (),
    expected_effect: str | None = None,
) -> DiagnosisFinding:
    """A finding, not yet ranked (rank 0)."""
    return DiagnosisFinding(
        rank=0,
        code=code,
        severity=severity,
        impact=impact,
        title=title,
        subject=subject,
        evidence=list(evidence),
        explanation=explanation,
        remediation=remediation,
        commands=list(commands),
        expected_effect=expected_effect,
        analyzer=analyzer,
    )


def from_report(
    analyzer: str,
    found: Finding,
    impact: Impact,
    explanation: str,
    commands: Sequence[str] = (),
) -> DiagnosisFinding:
    """A finding another report made (health, topology), with its own code and evidence."""
    evidence = list(found.evidence)
    if found.since is not None:
        evidence.append(f"since {found.since:%Y-%m-%d %H:%M:%SZ}")
    return finding(
        analyzer,
        found.code,
        found.severity,
        impact,
        found.message,
        found.subject,
        evidence,
        explanation,
        found.remediation,
        commands,
    )
