"""deploy/k9s/plugins.yaml: k9s's plugin format, and each plugin run as k9s runs it — its
``$NAME``-style words replaced the way k9s replaces them, then ``command args…`` executed —
against the real API server, through the real kubectl and its plugin lookup."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from grove_mcp.grove.kinds import POD
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.seeder import seed
from tools.required import require_tool

REPO = Path(__file__).resolve().parents[2]
PLUGINS = REPO / "deploy" / "k9s" / "plugins.yaml"
REPORTS = ("status", "topology", "health")
# What k9s puts in a plugin's environment (internal/view/helpers.go k8sEnv, defaultEnv);
# every other $word is left to the shell (k9s >= 0.25.19).
K9S_KEYS = {"NAME", "NAMESPACE", "CONTEXT", "CLUSTER", "USER", "GROUPS", "KUBECONFIG"}
SHELL_OWN = {"PCS"}  # the pod plugins' shell variable: no k9s key may shadow it
# Keys k9s binds itself in table, PodCliqueSet (generic) and Pod views: a plugin on one of them
# is refused ("duplicate plugin key") unless it overrides.
K9S_TAKEN = {
    *(f"Shift-{k}" for k in "ANSOCFLPRUVJK"),
    *(f"Ctrl-{k}" for k in "ADEGKLPQRSUWZ"),
}
# k9s's pattern for $XXX, $!XXX, ${XXX} and ${!XXX} (internal/view/env.go)
K9S_VAR = re.compile(r"(\$(!?)([\w\-]+))|(\$\{(!?)([\w\-%/: ]+)})")
GO_BOOLS = {"1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"}


def k9s_substitute(arg: str, env: dict[str, str]) -> str:
    """``arg`` as k9s hands it to the command: longest matches first, unknown keys kept,
    a value Go reads as a boolean (and not as a number) written true/false."""
    matches = sorted(K9S_VAR.finditer(arg), key=lambda m: len(m.group(0)), reverse=True)
    for m in matches:
        key, inverse = (m.group(3), m.group(2)) if m.group(1) else (m.group(6), m.group(5))
        value = env.get(key.upper())
        if value is None:
            continue
        if value in GO_BOOLS and not value.isdigit():
            value = str((value.lower() in {"t", "true"}) != (inverse == "!")).lower()
        arg = arg.replace(m.group(0), value)
    return arg


def _plugins() -> dict[str, Any]:
    return yaml.safe_load(PLUGINS.read_text())["plugins"]


def test_the_file_is_in_k9s_plugin_format() -> None:
    plugins = _plugins()
    by_scope: dict[str, set[str]] = {}
    for name, plugin in plugins.items():
        assert {"shortCut", "description", "scopes", "command"} <= set(plugin), name
        assert set(plugin) <= {
            *("shortCut", "description", "scopes", "command", "args", "background", "confirm"),
        }, name
        assert re.fullmatch(r"(Shift|Ctrl)-[A-Z]", plugin["shortCut"]), name
        assert plugin["shortCut"] not in K9S_TAKEN, name
        assert plugin["background"] is False and plugin["confirm"] is False, name
        assert plugin["command"] == "bash" and plugin["args"][0] == "-c", name
        assert len(plugin["args"]) == 2 and all(isinstance(a, str) for a in plugin["args"])
        for scope in plugin["scopes"]:
            taken = by_scope.setdefault(scope, set())
            assert plugin["shortCut"] not in taken, (name, scope)
            taken.add(plugin["shortCut"])
        words = {m.group(3).upper() for m in K9S_VAR.finditer(plugin["args"][1]) if m.group(1)}
        assert words <= K9S_KEYS | SHELL_OWN, (name, words)
    assert set(by_scope) == {"podcliquesets", "pods"}
    assert all(len(keys) == len(REPORTS) for keys in by_scope.values())


def test_substitution_is_k9s_own() -> None:
    env = {"NAME": "my-inference", "NAMESPACE": "ns", "FLAG": "true"}
    assert k9s_substitute('x "$NAME" -n $NAMESPACE $pcs $? $(( 1 ))', env) == (
        'x "my-inference" -n ns $pcs $? $(( 1 ))'
    )
    assert k9s_substitute("${NAME}/$!FLAG/$NAMESPACE_X", env) == "my-inference/false/$NAMESPACE_X"


# --- live -----------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def k9s_tools() -> None:
    """What a k9s plugin's command runs: kubectl (it finds kubectl-grove on PATH), bash, less."""
    for tool in ("kubectl", "bash", "less"):
        require_tool(tool, "kubernetes-client" if tool == "kubectl" else None)


def _env(bin_dir: Path, **extra: str) -> dict[str, str]:
    """k9s's own environment, handed down: no KUBECONFIG (k9s was given --kubeconfig)."""
    return {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "PYTHONPATH": str(REPO),
        "HOME": os.environ.get("HOME", "/root"),
        "NO_COLOR": "1",
        **extra,
    }


def run_plugin(
    plugin: dict[str, Any], k9s_env: dict[str, str], bin_dir: Path, **extra: str
) -> subprocess.CompletedProcess[str]:
    args = [k9s_substitute(a, k9s_env) for a in plugin["args"]]
    return subprocess.run(
        [plugin["command"], *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(bin_dir, **extra),
        stdin=subprocess.DEVNULL,
    )


def _cli(bin_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["kubectl-grove", *args], capture_output=True, text=True, timeout=120, env=_env(bin_dir)
    )


def _same(text: str) -> str:
    """Report text without what moves between two runs (ages: digits, and their padding) and
    without styles (the plugin asks for them, FORCE_COLOR; NO_COLOR leaves bold and dim)."""
    return " ".join(re.sub(r"\d+", "#", re.sub(r"\x1b\[[0-9;]*m", "", text)).split())


@pytest.fixture
def k9s_env(admin: KubeClient, admin_kubeconfig: str, namespace: str) -> dict[str, str]:
    seed(admin, SCENARIOS["demo"](), namespace=namespace)
    config = yaml.safe_load(Path(admin_kubeconfig).read_text())
    (context,) = config["contexts"]
    return {
        "NAMESPACE": namespace,
        "CONTEXT": context["name"],
        "CLUSTER": context["context"]["cluster"],
        "USER": context["context"]["user"],
        "GROUPS": "",
        "KUBECONFIG": admin_kubeconfig,
    }


def test_podcliqueset_plugins_show_the_reports(
    k9s_env: dict[str, str], bin_dir: Path, admin_kubeconfig: str
) -> None:
    plugins = _plugins()
    namespace = k9s_env["NAMESPACE"]
    for report in REPORTS:
        done = run_plugin(plugins[f"grove-{report}"], {**k9s_env, "NAME": "my-inference"}, bin_dir)
        direct = _cli(
            bin_dir, report, "my-inference", "-n", namespace, "--kubeconfig", admin_kubeconfig
        )
        assert direct.returncode == 1, direct  # the demo's problems: findings
        assert done.returncode == 0, done  # shown; k9s would call exit 1 a failed plugin
        assert "my-inference" in done.stdout and done.stderr == "", done
        assert _same(done.stdout) == _same(direct.stdout), report
    missing = run_plugin(plugins["grove-status"], {**k9s_env, "NAME": "missing"}, bin_dir)
    assert missing.returncode == 3, missing  # kubectl grove's "not found", its message shown
    assert "missing" in missing.stdout and "my-inference" in missing.stdout


def test_pod_plugins_show_the_reports_of_the_pods_podcliqueset(
    admin: KubeClient, k9s_env: dict[str, str], bin_dir: Path, admin_kubeconfig: str
) -> None:
    plugins = _plugins()
    namespace = k9s_env["NAMESPACE"]
    pods = admin.request("GET", POD, namespace)["items"]
    pod = next(
        p["metadata"]["name"]
        for p in pods
        if (p["metadata"].get("labels") or {}).get("app.kubernetes.io/part-of") == "my-inference"
    )
    for report in REPORTS:
        done = run_plugin(plugins[f"grove-pod-{report}"], {**k9s_env, "NAME": pod}, bin_dir)
        direct = _cli(
            bin_dir, report, "my-inference", "-n", namespace, "--kubeconfig", admin_kubeconfig
        )
        assert done.returncode == 0 and done.stderr == "", done
        assert _same(done.stdout) == _same(direct.stdout), report
    lonely = {"name": "lonely", "labels": {"app": "mine"}}
    admin.request(
        "POST",
        POD,
        namespace,
        body={
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": lonely,
            "spec": {"containers": [{"name": "c", "image": "busybox"}]},
        },
    )
    done = run_plugin(plugins["grove-pod-status"], {**k9s_env, "NAME": "lonely"}, bin_dir)
    assert done.returncode == 3, done
    assert "Pod lonely belongs to no PodCliqueSet" in done.stdout
    gone = run_plugin(plugins["grove-pod-health"], {**k9s_env, "NAME": "gone"}, bin_dir)
    assert gone.returncode == 4 and 'pods "gone" not found' in gone.stdout, gone


def test_the_report_keeps_its_colours_through_the_pager(
    k9s_env: dict[str, str], bin_dir: Path
) -> None:
    env = _env(bin_dir)
    env.pop("NO_COLOR")
    plugin = _plugins()["grove-health"]
    args = [k9s_substitute(a, {**k9s_env, "NAME": "my-inference"}) for a in plugin["args"]]
    done = subprocess.run(
        [plugin["command"], *args], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0 and "\x1b[" in done.stdout, done
