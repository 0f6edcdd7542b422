"""The RBAC matrix (issue 15): every capability, less one permission of deploy/rbac.yaml at a
time, on a seeded namespace of the real API server.

What a capability uses is measured, not assumed: each runs once as an identity holding every
rule of the shipped manifest, and the requests it sends are recorded on the client. Each
(capability, used permission) is a cell: the capability runs again as a user whose ClusterRole
is the manifest's rules less that one permission (impersonated by the admin), and must either
answer with a report that says what RBAC denied (and is not more "ok" than the full answer), or
raise ``AccessDenied`` naming the verb, the resource and the namespace. Never a traceback.

The cells' ids come from the table's declared requests (``core.access``), so that pytest knows
them before the API server runs; ``test_the_cells_are_what_was_measured`` fails when the
declaration and the measurement differ.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel
from recorded_aic import Replay

from grove_mcp import aic, core
from grove_mcp.capabilities.validate import ManifestText, ValidateArgs
from grove_mcp.core.access import requests_of
from grove_mcp.errors import AccessDenied, GroveError, NotFound
from grove_mcp.grove.kinds import CONFIGMAP, DEPLOYMENT, NAMESPACE, POD, PODCLIQUESET
from grove_mcp.performance.metrics import MetricsArgs
from grove_mcp.plans.configmap import PlanInput
from grove_mcp.reports.common import Severity
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.live import LiveSource
from grove_mcp.sources.seeder import seed
from tools.envtest.rbac import (
    Permission,
    Use,
    allowed,
    apply,
    manifest_rules,
    permissions,
    record_uses,
    rules_without,
    service_account_kubeconfig,
    user_grant,
)

REPO = Path(__file__).resolve().parents[2]
MANIFEST = REPO / "deploy" / "rbac.yaml"
KUBECTL_GROVE = Path(sys.executable).parent / "kubectl-grove"
RULES = manifest_rules(MANIFEST)
SHIPPED = permissions(RULES)
PCS = "my-inference"
AIC_RUN = "qwen3_32b_sglang_32gpu"
TOPOLOGY = "gpu-fabric"  # the demo's ClusterTopologyBinding
SEVERITY = {Severity.info: 0, Severity.warning: 1, Severity.critical: 2}
GRANT_SECONDS = 10.0  # generous: the API server's RBAC cache sees a new binding within ms


@dataclass
class World:
    """The seeded namespace (read only), a namespace for ``plan store``, and what the full
    role measured: per capability, the requests sent and the answer."""

    admin: KubeClient
    namespace: str
    writes: str
    as_of: Any
    tmp: Path
    uses: dict[str, list[Use]] = field(default_factory=dict)
    full: dict[str, Any] = field(default_factory=dict)


Run = Callable[[World, LiveSource], BaseModel]


def _plan_store(world: World, source: LiveSource) -> BaseModel:
    """Create the plan ConfigMap (none is there), then update it with a changed plan."""
    plan = core.run("plan show", LiveSource(world.admin), world.namespace, PCS).plan
    changed = plan.model_copy(update={"model": f"{plan.model}-changed"})
    core.run("plan store", source, world.writes, PCS, PlanInput(plan, "rbac matrix"))
    return core.run("plan store", source, world.writes, PCS, PlanInput(changed, "rbac matrix"))


def _validate_args(world: World) -> ValidateArgs:
    pcs = world.admin.request("GET", PODCLIQUESET, world.namespace, PCS)
    return ValidateArgs((ManifestText("pcs.yaml", yaml.safe_dump(pcs)),))


def _window() -> MetricsArgs:
    """Lifetime figures, one scrape, no waiting: the seeded pods' addresses answer nothing, the
    request through the pod proxy is the use."""
    return MetricsArgs(since_start=True, timeout=2.0)


def _generate_args(_: World) -> aic.GenerateArgs:
    """Packed by rack of the seeded binding: the cluster's topology matters to the answer."""
    replay = Replay(AIC_RUN)  # a recorded real AIConfigurator run: the cluster reads are live
    options = aic.RenderOptions(pack_domain="rack", topology_name=TOPOLOGY)
    return aic.GenerateArgs(replay.run.request, options, run=replay)


def _diag_args(world: World) -> core.DiagArgs:
    return core.DiagArgs(write=lambda bundle: str(world.tmp / "not-written"))


def _simple(name: str, pcs: str | None, args: Callable[[World], Any] | None = None) -> Run:
    def run(world: World, source: LiveSource) -> BaseModel:
        return core.run(name, source, world.namespace, pcs, args(world) if args else None)

    return run


# One way to run each capability of the table on the seeded namespace.
CASES: dict[str, Run] = {
    "list": _simple("list", None),
    "status": _simple("status", PCS),
    "topology": _simple("topology", PCS),
    "health": _simple("health", PCS),
    "metrics": _simple("metrics", PCS, lambda _: _window()),
    "compare": _simple("compare", PCS, lambda _: _window()),
    "diagnose": _simple("diagnose", PCS, lambda _: _window()),
    "replan": _simple("replan", PCS, lambda _: core.ReplanArgs(**vars(_window()))),
    "generate": _simple("generate", None, _generate_args),
    "validate": _simple("validate", None, _validate_args),
    "plan show": _simple("plan show", PCS),
    "plan history": _simple("plan history", PCS),
    "plan diff": _simple("plan diff", PCS),
    "diag": _simple("diag", PCS, _diag_args),
    "plan store": _plan_store,
}


def _declared() -> list[tuple[str, Permission]]:
    """(capability, permission) for every shipped permission the table says it needs (reads
    and writes; watching aside: every case runs once)."""
    cells = {
        (cap.name, Permission(r.verb, r.kind.group, r.kind.plural))
        for cap in core.CAPABILITIES
        for r in requests_of(cap)
        if r.verb != "watch"
    }
    return sorted((name, p) for name, p in cells if p in SHIPPED)


CELLS = _declared()


def _cell_id(cell: tuple[str, Permission]) -> str:
    return f"{cell[0].replace(' ', '-')}-minus-{cell[1].slug}"


def _outcome(run: Run, world: World, kube: KubeClient) -> Any:
    """The report, or the exception (any: a traceback is a finding, not a crash of the test)."""
    source = LiveSource(kube, as_of=world.as_of)
    try:
        return run(world, source)
    except Exception as err:  # any: the cell judges what came out, tracebacks included
        return err
    finally:
        source.close()


def _reset_writes(world: World) -> None:
    """No plan stored in the write namespace: ``plan store`` creates, then updates."""
    with contextlib.suppress(NotFound):
        world.admin.request("DELETE", CONFIGMAP, world.writes, f"{PCS}-aic-plan")


def _delete_if_there(admin: KubeClient, namespace: str) -> None:
    admin.request("DELETE", POD, namespace, params=[("gracePeriodSeconds", "0")])
    admin.request("DELETE", DEPLOYMENT, namespace)


def _namespace(admin: KubeClient, hint: str) -> str:
    name = f"e2e-rbac-matrix-{hint}-{secrets.token_hex(3)}"
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    admin.request("POST", NAMESPACE, body=body)
    return name


def _grant(admin: KubeClient, user: str, rules: list[dict[str, Any]], check: Permission) -> None:
    """Bind ``rules`` to ``user`` and wait until RBAC grants ``check`` to them."""
    apply(admin, user_grant(user, rules))
    deadline = time.monotonic() + GRANT_SECONDS
    while not allowed(admin, user, check.verb, check.resource, group=check.group):
        assert time.monotonic() < deadline, f"RBAC never granted {check} to {user}"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def world(admin: KubeClient, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Seed the demo, then run every case once with the whole shipped manifest, recording."""
    namespace, writes = _namespace(admin, "read"), _namespace(admin, "write")
    seeded = seed(admin, SCENARIOS["demo"](), namespace=namespace)
    pcs = admin.request("GET", PODCLIQUESET, namespace, PCS)
    pcs["metadata"] = {"name": PCS, "namespace": writes}
    admin.request("POST", PODCLIQUESET, writes, body=pcs)
    world = World(admin, namespace, writes, seeded.as_of, tmp_path_factory.mktemp("rbac"))
    user = "rbac-matrix-full"
    _grant(admin, user, RULES, Permission("list", "grove.io", "podcliquesets"))
    for name, run in CASES.items():
        _reset_writes(world)
        kube = admin.impersonating(user)
        world.uses[name] = record_uses(kube)
        world.full[name] = _outcome(run, world, kube)
    try:
        yield world
    finally:
        for ns in (namespace, writes):
            _delete_if_there(admin, ns)


def _denial_phrases(world: World, case: str, permission: Permission) -> list[str]:
    """How our denial message names this permission where the case used it."""
    phrases = []
    for use in world.uses[case]:
        if use.permission != permission:
            continue
        resource = ".".join(filter(None, (permission.resource, permission.group)))
        if use.namespace:
            scope = f"in namespace '{use.namespace}'"
        else:
            scope = "across all namespaces" if use.namespaced else "(cluster-scoped)"
        phrases.append(f"RBAC denied '{permission.verb}' on {resource} {scope}")
    return sorted(set(phrases))


def _problems(world: World, case: str, permission: Permission, got: Any) -> list[str]:
    """Why this outcome fails the cell (none: it passes)."""
    phrases = _denial_phrases(world, case, permission)
    if isinstance(got, GroveError):
        said = str(got)
        right = not isinstance(got, AccessDenied) or got.verb == permission.verb
        named = any(p in said for p in phrases)
        return [] if named and right else [f"the error does not name {phrases}: {said}"]
    if isinstance(got, Exception):
        return [f"{type(got).__name__} (a traceback) instead of a note or an error: {got}"]
    text = json.dumps(got.model_dump(mode="json"))
    problems = [] if any(p in text for p in phrases) else [f"no note saying {phrases}"]
    full = world.full[case].summary
    if (got.summary.ok and not full.ok) or SEVERITY[got.summary.severity] < SEVERITY[full.severity]:
        problems.append(f"milder than the truth: {got.summary!r}; the full role got {full!r}")
    return problems


def test_every_case_answers_with_the_full_role(world: World) -> None:
    failed = {c: repr(o) for c, o in world.full.items() if isinstance(o, Exception)}
    assert failed == {}


def test_the_cells_are_what_was_measured(world: World) -> None:
    """The matrix is the measurement: every shipped permission a case used is a cell, and no
    cell is a permission it did not use. Every capability of the table has cells."""
    measured = sorted(
        {(case, u.permission) for case, uses in world.uses.items() for u in uses}
        & {(case, p) for case in CASES for p in SHIPPED}
    )
    assert measured == CELLS
    assert set(CASES) == {cap.name for cap in core.CAPABILITIES}
    assert {case for case, _ in CELLS} == set(CASES)


@pytest.mark.parametrize("cell", CELLS, ids=_cell_id)
def test_cell(world: World, cell: tuple[str, Permission]) -> None:
    case, permission = cell
    assert permission in {u.permission for u in world.uses[case]}, "not used: not a cell"
    user = f"rbac-matrix-{_cell_id(cell)}"[:63]
    _reduce(world.admin, user, permission)
    if case == "plan store":
        _reset_writes(world)
    got = _outcome(CASES[case], world, world.admin.impersonating(user))
    assert _problems(world, case, permission, got) == []


def _reduce(admin: KubeClient, user: str, permission: Permission) -> None:
    """Give ``user`` the manifest's rules less ``permission``, in force when this returns."""
    kept = next(p for p in sorted(SHIPPED) if p != permission and p.verb == "list")
    _grant(admin, user, rules_without(RULES, permission), kept)
    assert not allowed(admin, user, permission.verb, permission.resource, group=permission.group)


# A sample of cells through the real CLI, as a ServiceAccount holding the reduced role (the
# kubeconfig loader has no impersonation): errors and degraded answers, a read and the write.
CLI_SAMPLE = [
    ("status", Permission("list", "", "pods")),
    ("health", Permission("list", "scheduler.grove.io", "podgangs")),
    ("topology", Permission("list", "", "nodes")),
    ("plan show", Permission("list", "", "configmaps")),
    ("plan store", Permission("create", "", "configmaps")),
]


def _cli_words(world: World, case: str, tmp_path: Path) -> list[str]:
    if case != "plan store":
        return [*case.split(), PCS, "-n", world.namespace]
    plan = core.run("plan show", LiveSource(world.admin), world.namespace, PCS).plan
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan.to_json_dict()))
    return ["plan", "store", PCS, "-n", world.writes, "-f", str(path)]


@pytest.mark.parametrize("cell", CLI_SAMPLE, ids=lambda c: f"cli-{_cell_id(c)}")
def test_cli_cell(
    world: World, cell: tuple[str, Permission], admin_kubeconfig: str, tmp_path: Path
) -> None:
    """The CLI agrees with the core for the cell: the error's exit code and message on stderr,
    or the report's verdict (exit 1: not ok) with the note on stdout; never a traceback."""
    case, permission = cell
    assert cell in CELLS
    name = f"cli-{_cell_id(cell)}"[:63]
    kubeconfig = tmp_path / "kubeconfig"
    user = service_account_kubeconfig(
        world.admin, Path(admin_kubeconfig), world.namespace, name, kubeconfig
    )
    _reduce(world.admin, user, permission)
    _reset_writes(world)
    words = [*_cli_words(world, case, tmp_path), "--kubeconfig", str(kubeconfig)]
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "1000", "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [str(KUBECTL_GROVE), *words], capture_output=True, text=True, env=env, timeout=120
    )
    _reset_writes(world)
    core_got = _outcome(CASES[case], world, world.admin.impersonating(user))
    phrases = _denial_phrases(world, case, permission)
    assert "Traceback" not in done.stderr
    if isinstance(core_got, GroveError):
        assert done.returncode == core_got.exit_code, done.stderr
        assert any(p in done.stderr for p in phrases), done.stderr
    else:
        assert done.returncode == (0 if core_got.summary.ok else 1), done.stderr
        assert any(p in done.stdout for p in phrases), done.stdout
