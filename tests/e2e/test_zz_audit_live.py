"""No write without consent, proven by kube-apiserver's own audit log (issue 15 item 1).

The shared API server of the e2e tier logs every request (tests/e2e/conftest.py). These two
tests run after every other test of the run (marker ``audit_last``, ordered by the collection
hook in conftest.py, not by this file's name): the first drives every reading capability
through every front end on a seeded namespace, so the audit means something even when this
file runs alone; the second reads the whole log and fails on any create, update, patch,
delete or deletecollection that is neither the harness's nor grove-mcp's consented
``plan store`` (a ConfigMap, marked in its User-Agent). Server-side dry runs and access
reviews persist nothing: they are counted apart. It prints the counts (``-rP`` shows them).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import anyio
import pytest
from frontends_live import PCS, drive_cli, drive_mcp, drive_slack, drive_tui
from typer.testing import CliRunner

from grove_mcp import core
from grove_mcp.cli.app import app
from grove_mcp.planfile import dump_plan
from grove_mcp.render import OutputFormat
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources import demo_source
from grove_mcp.sources.kube import CLI_AGENT, MCP_AGENT, SLACK_AGENT, TUI_AGENT, KubeClient
from grove_mcp.sources.seeder import seed
from tools.envtest.apiserver import ApiServer
from tools.envtest.audit import PRODUCT, Event, classify, read_log, tally
from tools.envtest.rbac import VIEWER

pytestmark = pytest.mark.audit_last
FRONT_ENDS = (CLI_AGENT, MCP_AGENT, SLACK_AGENT, TUI_AGENT)


def _log(envtest: ApiServer) -> list[Event]:
    assert envtest.audit_dir is not None, "the shared API server keeps no audit log"
    return read_log(envtest.audit_dir)


def _until(
    envtest: ApiServer, check: Callable[[list[Event]], bool], what: str, seconds: float = 10
) -> list[Event]:
    """The log once ``check`` holds (each event is written as its request completes: at
    most a moment after the answer)."""
    deadline = time.monotonic() + seconds
    while not check(log := _log(envtest)):
        assert time.monotonic() < deadline, f"the audit log did not show {what} in time"
        time.sleep(0.05)
    return log


def test_every_front_end_reads_a_seeded_namespace(
    envtest: ApiServer, admin: KubeClient, admin_kubeconfig: str, namespace: str, tmp_path: Path
) -> None:
    seed(admin, SCENARIOS["demo"](), namespace=namespace)
    cli = drive_cli(admin_kubeconfig, namespace, tmp_path, (OutputFormat.json,))
    mcp = anyio.run(drive_mcp, admin_kubeconfig, namespace, tmp_path / "mcp-diag")
    slack = drive_slack(admin_kubeconfig, namespace, VIEWER)
    tui = anyio.run(drive_tui, admin_kubeconfig, namespace)
    bad = {key: code for key, code in cli.exits.items() if code not in (0, 1)}
    assert not bad, f"CLI commands that failed: {bad}"
    for where, text in cli.texts + mcp.texts + slack.texts + tui.texts:
        assert "Traceback" not in text, where
    # the consented write, so the allow-list is exercised on every run
    plan = core.run("plan show", demo_source(), None, PCS).plan  # type: ignore[attr-defined]
    plan = plan.model_copy(update={"name": "audited"})  # not the seeded one: a real write
    (tmp_path / "plan.json").write_text(dump_plan(plan), encoding="utf-8")
    store = ["plan", "store", PCS, "-f", str(tmp_path / "plan.json"), "-n", namespace]
    result = CliRunner().invoke(app, [*store, "--kubeconfig", admin_kubeconfig])
    assert result.exit_code == 0, result.output

    def shown_for_each(log: list[Event]) -> bool:
        here = [e for e in log if e.namespace == namespace]
        return {e.program for e in here} >= set(FRONT_ENDS) and any(
            classify(e) == "plan-store" for e in here
        )

    log = _until(envtest, shown_for_each, what=f"each front end and a plan store in {namespace}")
    here = [e for e in log if e.namespace == namespace and e.program in FRONT_ENDS]
    print(f"{len(here)} front-end requests in {namespace}; {len(cli.texts)} CLI outputs")


def test_the_audit_log_shows_no_write_without_consent(envtest: ApiServer) -> None:
    log = _log(envtest)
    counted = tally(log)
    print(f"audit log: {len(log)} requests")
    print("\n".join(counted.lines()))
    assert log, "the audit log is empty: is kube-apiserver's audit option on?"
    product = counted.product_events()
    assert product > 0, "no request by grove-mcp in the audit log"
    missing = set(FRONT_ENDS) - {e.program for e in log}
    assert not missing, f"no request by {sorted(missing)}: the log cannot vouch for them"
    shown = "\n".join(
        f"  {e.verb} {e.resource}{'/' + e.subresource if e.subresource else ''} "
        f"{e.namespace}/{e.name} by {e.user!r} with {e.agent!r} ({e.uri})"
        for e in counted.violations[:20]
    )
    assert not counted.violations, f"{len(counted.violations)} writes without consent:\n{shown}"
    # whatever grove-mcp created, updated, patched or deleted was allowed, or persisted nothing
    product_writes = {classify(e) for e in log if e.program in PRODUCT and e.verb != "get"}
    assert product_writes <= {"read", "review", "dry-run", "plan-store"}
