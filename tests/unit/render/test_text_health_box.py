"""The health box keeps its indentation: a finding, evidence, remediation, condition or
clique line too long for the width wraps onto continuation lines that stay inside the box,
indented deeper than the line they continue (a hanging indent), so that a wrapped line is
never mistaken for a new one and never starts at the box's left edge.

Method: the same report printed unbounded gives each line of the box whole (its logical
lines); the box printed at 80 and 160 columns must hold exactly the same text, each logical
line starting at its own indentation and each continuation line deeper than that.
"""

from __future__ import annotations

from typing import Any

import pytest
from text_capture import UNBOUNDED, WIDTHS, build, continuations, printed, width_of

from grove_mcp.reports.common import Finding, Severity
from grove_mcp.reports.health import ConditionReport

LONG = (
    "the scheduler reports that no node in rack us-east-1a-spine-02-rack-c has enough "
    "allocatable nvidia.com/gpu for the pod, while the autoscaler's last scale-up attempt "
    "failed with a quota error for the p5.48xlarge instance type in us-east-1a, so the pod "
    "will stay pending until capacity is released or the quota is raised"
)


def _with_long_texts(report: Any) -> Any:
    """The demo's breached gang with a finding, evidence, remediation, condition and reason
    longer than 160 columns, so that every kind of box line has to wrap at both widths."""
    gang = report.gangs[1]
    finding = Finding(
        code="TEST_LONG",
        severity=Severity.warning,
        subject="pod/my-inference-1-prefill-rp9nb",
        message=f"prefill pod is pending: {LONG}.",
        evidence=[f"event FailedScheduling ×3: {LONG}", "short evidence"],
        remediation=f"Free GPUs on one node or raise the quota; meanwhile {LONG}.",
    )
    condition = ConditionReport(
        object="podgang/my-inference-1",
        type="Unhealthy",
        status="True",
        reason=f"PodsPending because {LONG}",
        message=None,
        since=report.as_of,
    )
    gang = gang.model_copy(
        update={
            "reason": f"{gang.reason}; {LONG}",
            "issues": [*gang.issues, finding],
            "conditions": [*gang.conditions, condition],
        }
    )
    return report.model_copy(update={"gangs": [report.gangs[0], gang]})


def _boxes(lines: list[str], width: int | None) -> list[list[str]]:
    """The inside of every gang box (the text between ``│ `` and `` │``)."""
    boxes, inside = [], None
    for line in lines:
        if line.startswith("╭"):
            inside = []
        elif line.startswith("╰"):
            boxes.append(inside)
            inside = None
        elif inside is not None:
            assert line.startswith("│ ") and line.endswith(" │"), f"box edge broken: {line!r}"
            if width is not None:
                assert width_of(line) == width, f"box line not {width} wide: {line!r}"
            inside.append(line[2:-2].rstrip())
    return boxes


CASES = [
    ("health", "demo"),
    ("health", "breached-countdown"),
    ("health", "pending-gpus"),
    ("health", "epoch-gangs"),
    ("health", "long-names"),
    ("health-all", "demo"),
    ("long-texts", "demo"),
]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("report", "world"), CASES)
def test_wrapped_box_lines_stay_inside_the_indentation(report: str, world: str, width: int):
    built = (
        build(report, world) if report != "long-texts" else _with_long_texts(build("health", world))
    )
    wide = _boxes(printed(built, UNBOUNDED), None)
    boxes = _boxes(printed(built, width), width)
    assert len(boxes) == len(wide) > 0
    continued = sum(continuations(n, w) for n, w in zip(boxes, wide, strict=True))
    if report == "long-texts" or width == 80:  # these boxes do wrap: the check is not vacuous
        assert continued > 0
