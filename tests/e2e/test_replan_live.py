"""``replan`` on the real API server: the healthy scenario seeded with a stored plan (ISL
1,000), its engine pods' IPs 127.0.0.1 with a ``prometheus.io/port`` of a loopback exporter
each (SGLang's names, scraped directly as inside a cluster), serving ISL x4. AIConfigurator's
answers are the real ones recorded by tests/aic/test_replan_real.py for this same world; the
replay refuses any other request.

- replan reads the live objects and the window and proposes; the proposal's PodCliqueSet
  passes Grove's rules (validate) and a server-side dry run (strict); --save-dir's plan.json
  is taken by ``kubectl grove plan store``;
- with a gang breached (MinAvailableBreached written after creation, as the operator would)
  it proposes nothing and asks no AIConfigurator; --force shows the proposal, marked."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_generate_dryrun import DRY_RUN
from typer.testing import CliRunner

from grove_mcp import core
from grove_mcp.capabilities.validate import ManifestText, ValidateArgs
from grove_mcp.cli.app import app
from grove_mcp.cli.replan import write_files
from grove_mcp.grove.kinds import CONFIGMAP, PODCLIQUE, PODCLIQUESET
from grove_mcp.planfile import read_plan
from grove_mcp.reports.replan import ReplanReport
from grove_mcp.reports.validate import ValidateReport
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.live import LiveSource
from grove_mcp.sources.scrape import ScrapeVia
from grove_mcp.sources.seeder import seed
from tests.replan_world import (
    DRIFTED,
    PCS,
    PLAN_ISL,
    Recorded,
    ReplanWorld,
    Replayed,
    drifted_plan,
)
from tools.envtest.objects import contained

BREACHED_CLIQUE = f"{PCS}-1-prefill"


class Live:
    """The seeded namespace and its loopback exporters."""

    def __init__(self, admin: KubeClient, kubeconfig: str, namespace: str, stack: ExitStack):
        self.world = ReplanWorld(stack, drifted_plan())
        objects = []
        for obj in self.world.bundle.objects:
            if obj["kind"] == "Pod" and obj["metadata"]["name"] in self.world.pods:
                obj = {**obj, "status": {**obj["status"], "podIPs": [{"ip": "127.0.0.1"}]}}
            objects.append(obj)
        seed(admin, replace(self.world.bundle, objects=tuple(objects)), namespace=namespace)
        self.admin, self.kubeconfig, self.namespace = admin, kubeconfig, namespace

    def replan(self, rec: Recorded, replayed: Replayed, **kw: Any) -> ReplanReport:
        args = self.world.args(rec, DRIFTED, run=replayed.run, estimate=replayed.estimate, **kw)
        args = replace(args, scrape_via=ScrapeVia.direct)
        source = LiveSource.connect(kubeconfig=self.kubeconfig)
        try:
            began = time.monotonic()
            report = core.run("replan", source, self.namespace, PCS, args)
            print(f"\n[replan live] core.run {time.monotonic() - began:.3f}s; {report.timings}")  # type: ignore[attr-defined]
        finally:
            source.close()
        assert isinstance(report, ReplanReport)
        return report


@pytest.fixture
def live(admin: KubeClient, admin_kubeconfig: str, namespace: str) -> Iterator[Live]:
    with ExitStack() as stack:
        yield Live(admin, admin_kubeconfig, namespace, stack)


def _breach(admin: KubeClient, namespace: str) -> None:
    """What Grove's PodClique controller writes when the prefill clique of replica 1 loses a
    pod: the counts, MinAvailableBreached True since now."""
    clique = admin.request("GET", PODCLIQUE, namespace, BREACHED_CLIQUE)
    clique["status"].update(readyReplicas=1, scheduledReplicas=1)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for cond in clique["status"]["conditions"]:
        if cond["type"] == "MinAvailableBreached":
            cond.update(status="True", reason="InsufficientReadyPods", lastTransitionTime=now)
    admin.request("PUT", PODCLIQUE, namespace, BREACHED_CLIQUE, sub="status", body=clique)


def test_replan_reads_the_live_world_and_proposes_a_valid_pcs(live: Live, tmp_path: Path) -> None:
    rec = live.world.plan_load(DRIFTED)
    replayed = Replayed()
    report = live.replan(rec, replayed, save_dir=tmp_path)
    assert report.steady and report.unsteady_reasons == []
    assert report.drift is not None and report.drift.drifted
    isl = {r.statistic: r for r in report.drift.rows if r.figure == "ISL"}
    assert isl["mean"].ratio == pytest.approx(rec.isl_mean() / PLAN_ISL, rel=1e-9)
    assert f"the plan stored in ConfigMap {PCS}-aic-plan" in " ".join(
        c.detail for c in report.assumptions
    )
    p = report.proposal
    assert p is not None and p.change_needed and not p.forced
    assert replayed.calls == 3  # the deployed estimate, the search, the proposal at p90

    # Grove's rules, then the API server itself: the proposal replaces the PodCliqueSet
    # deployed, so the dry run is the update applying it would make (strict field validation)
    checked = core.run("validate", None, args=ValidateArgs((ManifestText("proposal", p.manifest),)))
    assert isinstance(checked, ValidateReport) and checked.violations == []
    (pcs,) = [d for d in yaml.safe_load_all(p.manifest) if d["kind"] == "PodCliqueSet"]
    deployed = live.admin.request("GET", PODCLIQUESET, live.namespace, PCS)
    pcs["metadata"].update(
        namespace=live.namespace, resourceVersion=deployed["metadata"]["resourceVersion"]
    )
    answer = live.admin.request("PUT", PODCLIQUESET, live.namespace, PCS, body=pcs, params=DRY_RUN)
    assert contained({"spec": pcs["spec"]}, answer) == []
    # generate's form: one PodCliqueSet replica, each role's clique holding all its workers
    cliques = {c["name"]: c["spec"]["replicas"] for c in answer["spec"]["template"]["cliques"]}
    assert {r.role: r.workers * p.shape.replicas for r in p.shape.roles}.items() <= cliques.items()
    after = live.admin.request("GET", PODCLIQUESET, live.namespace, PCS)
    assert after["spec"] == deployed["spec"]  # a dry run changes nothing

    # --save-dir: the manifest and plan.json, and plan store takes the plan.json
    written = write_files(report)
    assert [Path(w).parent for w in written] == [tmp_path, tmp_path]
    plan_file = Path(p.plan_file or "")
    assert read_plan(plan_file) == p.plan
    target = ["-n", live.namespace, "--kubeconfig", live.kubeconfig]
    stored_cli = CliRunner().invoke(app, ["plan", "store", PCS, "-f", str(plan_file), *target])
    assert stored_cli.exit_code == 0, stored_cli.output
    cm = live.admin.request("GET", CONFIGMAP, live.namespace, f"{PCS}-aic-plan")
    assert read_plan(plan_file).to_json_dict() == yaml.safe_load(cm["data"]["plan.json"])


def test_a_breached_gang_gets_no_proposal_and_force_shows_it_marked(live: Live) -> None:
    _breach(live.admin, live.namespace)
    rec = live.world.plan_load(DRIFTED)
    replayed = Replayed()
    report = live.replan(rec, replayed)
    assert not report.steady and report.proposal is None
    assert any(r.startswith("MIN_AVAILABLE_BREACHED") for r in report.unsteady_reasons)
    assert report.summary.text.startswith("not steady")
    assert replayed.calls == 0  # nothing asked of AIConfigurator

    again = live.world.plan_load(DRIFTED)  # the same requests again, in a second window
    forced = live.replan(again, replayed, force=True)
    assert forced.proposal is not None and forced.proposal.forced
    assert forced.answer.startswith("NOT STEADY, shown because of --force")
    assert not forced.steady
