"""Gang health: breached cliques and Grove's termination countdown, per Grove's rules (the
health report's verdicts: only breaches that count under the detected Grove version)."""

from __future__ import annotations

from ...reports.common import Severity
from ...reports.diagnose import DiagnosisFinding, Impact
from ...timefmt import format_seconds
from ..base import Evidence, finding, from_report
from ._health_codes import health_issues

NAME = "gang_health"
URGENT_SECONDS = 3600  # a termination due within the hour outranks its causes
URGENT_FRACTION = 0.25  # as does one in the last quarter of its delay
CODES = frozenset({"MIN_AVAILABLE_BREACHED", "GANG_RECYCLING", "NO_PODCLIQUES", "OPERATOR_ERROR"})


def analyze(ev: Evidence) -> list[DiagnosisFinding]:
    out: list[DiagnosisFinding] = []
    countdown_subjects = set()
    for gang in ev.health.gangs:
        t = gang.termination
        if t is None:
            continue
        countdown_subjects.add(t.subject)
        left = max(t.remaining_seconds, 0)
        urgent = left <= URGENT_SECONDS or t.remaining_fraction <= URGENT_FRACTION
        due = "now" if left == 0 else f"in {format_seconds(left)}"
        out.append(
            finding(
                NAME,
                "MIN_AVAILABLE_BREACHED",
                Severity.critical,
                Impact.blocks_serving,
                f"{t.action.rstrip('.')} {due}: {t.subject} is below minAvailable",
                f"podgang/{gang.name}",
                [
                    f"MinAvailableBreached since {t.breached_since:%Y-%m-%d %H:%M:%SZ}",
                    f"terminationDelay {format_seconds(t.termination_delay_seconds)}, deadline "
                    f"{t.deadline:%Y-%m-%d %H:%M:%SZ} ({t.applies_to})",
                    f"gang {gang.name}: {gang.state.value} ({gang.reason})",
                ],
                f"The breach counts under Grove's rules ({t.why}). {t.caveat}",
                "Bring the breached clique back to minAvailable before the deadline (its pods' "
                "causes rank above: pending, crashing, on a NotReady node), or accept that Grove "
                "recreates the whole replica.",
                [ev.command("health")],
            ).model_copy(update={"urgent": urgent})
        )
    for f in health_issues(ev, CODES):
        if f.code == "MIN_AVAILABLE_BREACHED" and f.subject in countdown_subjects:
            continue  # said above, with its countdown
        explanation = (
            "A breached clique serves below its minimum; Grove recreates the replica when the "
            "breach lasts past terminationDelay."
            if f.code != "OPERATOR_ERROR"
            else "The Grove operator could not reconcile the PodCliqueSet."
        )
        out.append(from_report(NAME, f, Impact.blocks_serving, explanation, [ev.command("health")]))
    return out
