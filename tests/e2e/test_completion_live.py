"""Completion of PodCliqueSet names from the real API server: through the bash script that
``kubectl-grove completion bash`` prints, and through kubectl's own plugin completion
(``kubectl __complete grove …`` runs ``kubectl_complete-grove``)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from grove_mcp.cli.completion import BUDGET_SECONDS
from grove_mcp.grove.kinds import PODCLIQUESET
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.seeder import seed
from tools.required import require_tool

REPO = Path(__file__).resolve().parents[2]  # the grove_mcp under test, for child processes


def _run(command: list[str], bin_dir: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "PYTHONPATH": str(REPO),
        "HOME": os.environ.get("HOME", "/root"),
        **extra,
    }
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)


@pytest.fixture
def seeded(admin: KubeClient, namespace: str) -> str:
    """The demo, and a second PodCliqueSet (a copy of the demo's under another name)."""
    seed(admin, SCENARIOS["demo"](), namespace=namespace)
    pcs = admin.request("GET", PODCLIQUESET, namespace, "my-inference")
    meta = pcs["metadata"]
    pcs["metadata"] = {"name": "other-app", "namespace": namespace, "labels": meta.get("labels")}
    pcs.pop("status", None)
    admin.request("POST", PODCLIQUESET, namespace, body=pcs)
    return namespace


def _bash(bin_dir: Path, words: list[str], **extra: str) -> tuple[list[str], float]:
    """COMPREPLY for the last word, and the seconds the TAB took (the script already sourced)."""
    array = " ".join(f"'{w}'" for w in words)
    script = "\n".join(
        [
            "source <(kubectl-grove completion bash) || exit 9",
            'func=$(complete -p kubectl-grove | sed -E "s/.* -F ([^ ]+) .*/\\1/")',
            f"COMP_WORDS=({array}); COMP_CWORD={len(words) - 1}",
            "began=$EPOCHREALTIME",
            '"$func" kubectl-grove',
            "ended=$EPOCHREALTIME",
            'printf "%s\\n" "${COMPREPLY[@]}"; echo "took $began $ended"',
        ]
    )
    done = _run([require_tool("bash"), "--norc", "--noprofile", "-c", script], bin_dir, **extra)
    assert done.returncode == 0 and done.stderr == "", done
    *names, took = done.stdout.splitlines()
    _, began, ended = took.split()
    return [n for n in names if n], float(ended) - float(began)


def test_bash_completes_names_from_the_api_server(
    seeded: str, admin_kubeconfig: str, bin_dir: Path
) -> None:
    line = ["kubectl-grove", "status", "-n", seeded, "--kubeconfig", admin_kubeconfig]
    names, took = _bash(bin_dir, [*line, ""])
    assert names == ["my-inference", "other-app"]
    print(f"bash TAB, names from the API server: {took:.2f}s")
    assert _bash(bin_dir, [*line, "o"])[0] == ["other-app"]
    # the namespace comes from the line: the kubeconfig's own (default) holds none
    assert (
        _bash(bin_dir, ["kubectl-grove", "status", "--kubeconfig", admin_kubeconfig, ""])[0] == []
    )
    # $KUBECONFIG and --context, as a user's shell has them; -n before the command
    context = ["--context", "admin"]
    words = ["kubectl-grove", "-n", seeded, "health", *context, "m"]
    assert _bash(bin_dir, words, KUBECONFIG=admin_kubeconfig)[0] == ["my-inference"]
    wrong_context = ["kubectl-grove", "-n", seeded, "health", "--context", "nope", ""]
    assert _bash(bin_dir, wrong_context, KUBECONFIG=admin_kubeconfig)[0] == []


def test_kubectl_completes_kubectl_grove_with_names_from_the_api_server(
    seeded: str, admin_kubeconfig: str, bin_dir: Path
) -> None:
    kubectl = require_tool("kubectl")
    began = time.monotonic()
    done = _run(
        [kubectl, "__complete", "grove", "topology", "-n", seeded, ""],
        bin_dir,
        KUBECONFIG=admin_kubeconfig,
    )
    took = time.monotonic() - began
    assert done.returncode == 0, done
    *candidates, directive = done.stdout.splitlines()
    assert [c.split("\t")[0] for c in candidates] == ["my-inference", "other-app"]
    assert directive == ":4"
    print(f"kubectl __complete grove topology -n NS '': {took:.2f}s")
    flags = ["--kubeconfig", admin_kubeconfig, "--context", "admin"]
    done = _run([kubectl, "__complete", "grove", "-n", seeded, "status", *flags, "my"], bin_dir)
    assert done.stdout.splitlines()[0].split("\t")[0] == "my-inference"
    assert len(done.stdout.splitlines()) == 2
    for command in ("diag", "tui"):  # commands with their own name arguments complete too
        done = _run([kubectl, "__complete", "grove", command, "-n", seeded, *flags, "o"], bin_dir)
        assert done.stdout.splitlines()[0].split("\t")[0] == "other-app", (command, done)


def test_a_name_lookup_stays_within_the_budget(
    seeded: str, admin_kubeconfig: str, bin_dir: Path
) -> None:
    """The live lookup itself, without the interpreter's start: well inside the budget."""
    from grove_mcp.cli.completion import workloads

    began = time.monotonic()
    found = workloads({"namespace": seeded, "kubeconfig": admin_kubeconfig})
    took = time.monotonic() - began
    assert [w.name for w in found] == ["my-inference", "other-app"]
    print(f"name lookup on the API server: {took:.2f}s")
    assert took < BUDGET_SECONDS
