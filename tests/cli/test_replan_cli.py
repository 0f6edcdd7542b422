"""``kubectl grove replan`` on the embedded demo through typer's CliRunner: not steady (exit 1,
no AIConfigurator call), ``--force`` (a proposal from the recorded answers, its files with
``--save-dir``), and the recording checked against what the demo asks today."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from grove_mcp import core
from grove_mcp.aic import EstimateRequest, PlanRequest
from grove_mcp.cli.app import app
from grove_mcp.demo.recorded import ESTIMATE, SEARCH, recorded_dir
from grove_mcp.planfile import read_plan
from grove_mcp.reports.replan import ReplanReport
from grove_mcp.sources import demo_source
from tests.replan_world import CountedRunners, counted_demo_runners

NAME = "my-inference"
runner = CliRunner()


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> CountedRunners:
    return counted_demo_runners(monkeypatch)


def test_demo_is_not_steady_exit_1_and_no_aiconfigurator(asked: CountedRunners) -> None:
    result = runner.invoke(app, ["replan", NAME, "--demo", "-o", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["summary"]["text"].startswith("not steady") and data["proposal"] is None
    assert any(r.startswith("MIN_AVAILABLE_BREACHED") for r in data["unsteady_reasons"])
    assert asked.requests == []
    text = runner.invoke(app, ["replan", NAME, "--demo"])
    assert text.exit_code == 1 and "not steady" in text.stdout and "--force" in text.stdout


def test_demo_force_proposes_from_the_recorded_answers(
    asked: CountedRunners, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["replan", NAME, "--demo", "--force", "--save-dir", str(out), "-o", "json"]
    )
    assert result.exit_code == 1, result.output  # a change is proposed: not ok
    report = ReplanReport.model_validate(json.loads(result.stdout))
    p = report.proposal
    assert p is not None and p.forced and p.change_needed
    assert report.answer.startswith("NOT STEADY, shown because of --force")
    assert [type(r) for r in asked.requests] == [EstimateRequest, PlanRequest, EstimateRequest]
    # the files --save-dir writes: the manifest shown, and a plan.json that plan store reads
    assert p.file and p.plan_file
    manifest, plan_file = Path(p.file), Path(p.plan_file)
    assert manifest.parent == out and plan_file.parent == out
    assert manifest.read_text() == p.manifest
    pcs = [d for d in yaml.safe_load_all(manifest.read_text()) if d["kind"] == "PodCliqueSet"]
    assert [d["metadata"]["name"] for d in pcs] == [NAME]
    stored = read_plan(plan_file)
    assert stored == p.plan
    assert stored.config.total_gpus == p.shape.total_gpus
    assert f"Wrote {manifest}" in result.stderr.replace("\n", "")


def test_the_recording_answers_what_the_demo_asks_today() -> None:
    """Every request the demo's re-plan makes is one the recording holds, and every recorded
    one is asked: a change to the demo or to the requests that needs a re-recording
    (tools/record_demo_aic.py) fails here."""
    asked = CountedRunners()
    core.run("replan", demo_source(), None, NAME, core.ReplanArgs(force=True, **asked()))
    searches = [r for r in asked.requests if isinstance(r, PlanRequest)]
    estimates = [r for r in asked.requests if isinstance(r, EstimateRequest)]
    recorded_search = json.loads((recorded_dir() / SEARCH).read_text())
    recorded_estimate = json.loads((recorded_dir() / ESTIMATE).read_text())
    assert [s.model_dump(mode="json") for s in searches] == [recorded_search["request"]]
    points = [p.model_dump(mode="json") for e in estimates for p in e.points]
    assert points == recorded_estimate["request"]["points"]
    assert [p["label"] for p in recorded_estimate["points"]] == [p["label"] for p in points]
    assert recorded_search["aiconfigurator_version"] == "0.12.0"
