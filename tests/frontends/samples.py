"""One real report of every model the capability table hands out, from the demo; and what a
rendering shows, as text."""

from __future__ import annotations

import io
import json
from functools import cache
from typing import Any

from pydantic import BaseModel
from recorded_aic import Replay, flags
from rich.console import Console

from grove_mcp import aic, core
from grove_mcp.core import CAPABILITIES, Scope
from grove_mcp.render.slack import SlackMessage
from grove_mcp.reports.common import Severity, Summary
from grove_mcp.reports.diag import DiagCollector, DiagReport
from grove_mcp.reports.plan_reports import PlanShowReport, PlanStoreReport
from grove_mcp.sources import demo_source

PCS = "my-inference"
QWEN_8 = "qwen3_32b_sglang_8gpu"
# For ``validate``: one PodCliqueSet breaking two rules (a pack domain the demo's binding lacks,
# minAvailable over replicas), checked against the demo's ClusterTopologyBinding.
MANIFEST = """\
apiVersion: grove.io/v1alpha1
kind: PodCliqueSet
metadata:
  name: my-inference
spec:
  replicas: 1
  template:
    topologyConstraint:
      topologyName: gpu-fabric
      pack:
        required: block
    cliques:
    - name: decode
      spec:
        roleName: decode
        replicas: 2
        minAvailable: 3
        podSpec:
          containers:
          - name: main
            image: example/decode:1
"""


def _stored(show: PlanShowReport) -> PlanStoreReport:
    """What ``plan store`` answers (it needs a live cluster: tests/e2e), from the demo's plan."""
    header = show.model_dump(include={"source", "as_of", "namespace", "notes"})
    return PlanStoreReport(
        **header,
        name=show.name,
        config_map=show.config_map,
        action="updated",
        stored=show.stored,
        history_entries=show.history_entries,
        bytes_used=4096,
        summary=Summary(ok=True, severity=Severity.info, text="updated"),
    )


def _diag_sample(now: Any) -> DiagReport:
    return DiagReport(
        path="grove-diag-vllm-disagg-my-inference-20261120T143000Z.tar.gz",
        namespace="vllm-disagg",
        name=PCS,
        source="cluster kind-grove (https://127.0.0.1:6443)",
        captured_at=now,
        cluster_version="v1.34.1",
        objects=34,
        files=12,
        collectors=[
            DiagCollector(name="objects", state="ok", objects=34, files=0, reason=None, notes=[]),
            DiagCollector(
                name="logs",
                state="partial",
                objects=0,
                files=9,
                reason=None,
                notes=["vllm-disagg/my-inference-0-decode-x/decode: RBAC denied 'get' on pods/log"],
            ),
        ],
        redactions={"env_value": 4, "hf_token": 2},
        summary=Summary(
            ok=False,
            severity=Severity.warning,
            text="captured 34 objects and 12 files; missing: logs",
        ),
    )


@cache
def samples() -> dict[type[BaseModel], BaseModel]:
    found: dict[type[BaseModel], BaseModel] = {}
    source = demo_source()
    for cap in CAPABILITIES:
        if cap.name == "generate":
            args = aic.GenerateArgs(aic.make_request(**flags(QWEN_8)), run=Replay(QWEN_8))
            found[cap.report] = core.run(cap, None, args=args)
        elif cap.name == "validate":
            args = core.ValidateArgs((core.ManifestText("sample.yaml", MANIFEST),))
            found[cap.report] = core.run(cap, source, args=args)
        elif cap.name == "diag":  # it captures a live cluster: the demo cannot be one
            found[cap.report] = _diag_sample(source.now())
        elif cap.name == "plan store":
            show = core.run("plan show", source, None, PCS)
            assert isinstance(show, PlanShowReport)
            found[cap.report] = _stored(show)
        else:
            found[cap.report] = core.run(cap, source, None, None if cap.scope is Scope.all else PCS)
        if cap.report_all is not None:
            found[cap.report_all] = core.run(cap, source, None, None)
    return found


def shown(rendered: Any) -> str:
    """Everything a rendering shows, as text (a rich renderable printed 160 wide)."""
    if isinstance(rendered, str):
        return rendered
    if isinstance(rendered, dict):
        return json.dumps(rendered)
    if isinstance(rendered, SlackMessage):
        shown = {**rendered.payload(), "snippet": rendered.snippet}
        return json.dumps(shown, ensure_ascii=False)
    console = Console(width=160, color_system=None, file=io.StringIO())
    console.print(rendered)
    return console.file.getvalue()  # type: ignore[attr-defined]
