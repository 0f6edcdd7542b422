"""Secrets planted everywhere a cluster can hold one leave grove-mcp nowhere (issue 15 item 5).

On the real API server: pod env values, args and command, annotations and labels (in Pods,
PodCliques and the PodCliqueSet's template), a ConfigMap, a Secret, Event messages,
condition messages, container logs (served by a fake kubelet), a stored plan and a plan file;
in the environment: the MCP bearer token and the Slack tokens; in kubeconfigs that fail
(an unauthorized token, a missing cluster, an exec plugin that fails). Every output of every
front end (tests/e2e/frontends_live.py: CLI commands × every -o format, MCP tools and
resources, Slack messages, responses and files, the TUI's screen and y/d/l texts, diag
bundles unpacked) and every error path's output is grepped for each secret: zero hits.
Builds on tests/frontends/test_redaction_everywhere.py (the same on the demo bundle) and
tests/e2e/test_redaction_live.py (plan store).
"""

from __future__ import annotations

import base64
import copy
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import yaml
from frontends_live import PCS, Shown, drive_cli, drive_mcp, drive_slack, drive_tui
from mcp import Client
from typer.testing import CliRunner

from grove_mcp import core
from grove_mcp.cli.app import app
from grove_mcp.grove import KubeObject
from grove_mcp.grove.kinds import POD, Kind
from grove_mcp.mcp_server import ServerConfig, build_server
from grove_mcp.planfile import dump_plan
from grove_mcp.render import OutputFormat
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources import Bundle, demo_source
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.seeder import seed
from tools.envtest.apiserver import ApiServer
from tools.envtest.rbac import VIEWER
from tools.mcp_http import Session, free_port, grove_mcp_command, serving

SECRET_KIND = Kind("Secret", "", "v1", "secrets", True, KubeObject)


def _hex(n: int) -> str:
    return secrets.token_hex(n // 2)


# one distinct value per place, so a hit says where it came from; shapes the patterns know,
# or a name that says "secret" (an env var's, a flag's, a key=value pair's)
PLANTED = {
    "env HF_TOKEN": "hf_" + _hex(32),
    "env DB_PASSWORD (no shape)": "plainenv" + _hex(24),
    "arg --api-key NEXT": "sk-Proj" + _hex(32),
    "arg --hf-token=": "hf_" + _hex(34),
    "command bearer": _hex(40),
    "annotation token=": "annot" + _hex(24),
    "annotation github": "ghp_" + _hex(36),
    "label slack-shaped": f"xoxb-{secrets.randbelow(10**10):010d}-{_hex(24)}",
    "condition password=": "cond" + _hex(24),
    "event jwt": f"eyJ{_hex(20)}.eyJ{_hex(20)}.{_hex(24)}",
    "configmap api_key": "cmkey" + _hex(24),
    "configmap client-key-data": base64.b64encode(secrets.token_bytes(24)).decode(),
    "secret object (never read)": "secretobj" + _hex(24),
    "log password=": "logpw" + _hex(24),
    "log aws": "AKIA" + _hex(16).upper(),
    "plan stored": f"xoxp-{_hex(20)}",
    "plan file": f"xoxa-{_hex(20)}",
    "kubeconfig token": "kubecfg" + _hex(32),
    "kubeconfig exec arg": "execarg" + _hex(24),
    "env GROVE_MCP_TOKEN": "mcptoken" + _hex(24),
    "env SLACK_BOT_TOKEN": f"xoxb-{_hex(24)}",
    "env SLACK_SIGNING_SECRET": "signing" + _hex(24),
    "env SLACK_APP_TOKEN": f"xapp-1-{_hex(24)}",
}
S = PLANTED
ENVIRONMENT = {
    "GROVE_MCP_TOKEN": S["env GROVE_MCP_TOKEN"],
    "SLACK_BOT_TOKEN": S["env SLACK_BOT_TOKEN"],
    "SLACK_SIGNING_SECRET": S["env SLACK_SIGNING_SECRET"],
    "SLACK_APP_TOKEN": S["env SLACK_APP_TOKEN"],
}


def _plant_containers(value: Any) -> None:
    """Every container list anywhere in ``value`` (a Pod's, a template's) gets credentials."""
    if isinstance(value, list):
        for item in value:
            _plant_containers(item)
        return
    if not isinstance(value, dict):
        return
    for container in value.get("containers") or []:
        container.setdefault("env", []).extend(
            [
                {"name": "HF_TOKEN", "value": S["env HF_TOKEN"]},
                {"name": "DB_PASSWORD", "value": S["env DB_PASSWORD (no shape)"]},
            ]
        )
        container.setdefault("args", []).extend(
            ["--api-key", S["arg --api-key NEXT"], f"--hf-token={S['arg --hf-token=']}"]
        )
        container["command"] = [
            "sh",
            "-c",
            f"curl -H 'Authorization: Bearer {S['command bearer']}' http://router:8000/ready",
        ]
    for item in value.values():
        _plant_containers(item)


def _plant(obj: dict[str, Any]) -> dict[str, Any]:
    obj = copy.deepcopy(obj)
    kind, meta = obj["kind"], obj["metadata"]
    if kind in ("Pod", "PodClique", "PodCliqueSet"):
        meta.setdefault("annotations", {}).update(
            {
                "example.com/config": f"token={S['annotation token=']}",
                "example.com/github": S["annotation github"],
            }
        )
        meta.setdefault("labels", {})["example.com/notify"] = S["label slack-shaped"]
        _plant_containers(obj.get("spec"))
    for cond in (obj.get("status") or {}).get("conditions") or []:
        cond["message"] = f"{cond.get('message', '')} (password={S['condition password=']})"
    if kind == "Event":
        obj["message"] = f"{obj.get('message', '')} id {S['event jwt']}"
    if kind == "ConfigMap" and "plan.json" in obj.get("data", {}):
        plan = json.loads(obj["data"]["plan.json"])
        plan["model"] = f"org/{S['plan stored']}"
        obj["data"]["plan.json"] = json.dumps(plan)
    return obj


def planted_bundle() -> Bundle:
    bundle = SCENARIOS["demo"]()
    config = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": f"{PCS}-app-config",
            "namespace": bundle.objects[0]["metadata"].get("namespace") or "vllm-disagg",
            "labels": {"app.kubernetes.io/part-of": PCS},
        },
        "data": {
            "config.yaml": f"api_key: {S['configmap api_key']}\n"
            f"client-key-data: {S['configmap client-key-data']}\n"
        },
    }
    objects = tuple(_plant(o) for o in bundle.objects)
    namespaced = next(o for o in objects if o["metadata"].get("namespace"))
    config["metadata"]["namespace"] = namespaced["metadata"]["namespace"]
    return replace(bundle, objects=(*objects, config))


def _secret(admin: KubeClient, namespace: str) -> None:
    body = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": f"{PCS}-credentials", "labels": {"app.kubernetes.io/part-of": PCS}},
        "stringData": {"token": S["secret object (never read)"]},
    }
    admin.request("POST", SECRET_KIND, namespace, body=body)


def _log_text() -> str:
    return (
        "INFO starting\n"
        f"DEBUG connecting with password={S['log password=']}\n"
        f"WARN aws key {S['log aws']} found in env\n"
        "INFO ready\n"
    )


@contextmanager
def _logs_served(admin: KubeClient, namespace: str, folder: Path) -> Iterator[str]:
    """Every container of every scheduled pod logs the planted lines (a fake kubelet); yields
    a note when no network namespace can be made (a failure under GROVE_REQUIRE_E2E=1)."""
    from tools.envtest.kubelet import serving_logs
    from tools.envtest.netns import NetnsUnavailable

    pods = admin.request("GET", POD, namespace)["items"]
    scheduled = [p for p in pods if (p.get("spec") or {}).get("nodeName")]
    logs = {
        f"{namespace}/{p['metadata']['name']}/{c['name']}": _log_text()
        for p in scheduled
        for c in p["spec"]["containers"]
    }
    nodes = sorted({p["spec"]["nodeName"] for p in scheduled})
    try:
        with serving_logs(admin, nodes, logs, folder):
            yield ""
    except NetnsUnavailable as err:
        if os.environ.get("GROVE_REQUIRE_E2E") == "1":
            pytest.fail(f"GROVE_REQUIRE_E2E=1, but no network namespace: {err}", pytrace=False)
        yield f"logs not planted: no network namespace for the fake kubelet ({err})"


def _failing_kubeconfigs(envtest: ApiServer, folder: Path) -> dict[str, Path]:
    """Kubeconfigs that fail, each carrying the planted token: unauthorized, a context whose
    cluster is missing, an exec plugin that fails with the secret in its arguments."""
    base = yaml.safe_load(envtest.kubeconfig().read_text())
    variants: dict[str, dict[str, Any]] = {}
    bad = copy.deepcopy(base)
    bad["users"][0]["user"] = {"token": S["kubeconfig token"]}
    variants["unauthorized"] = bad
    missing = copy.deepcopy(bad)
    missing["contexts"][0]["context"]["cluster"] = "nowhere"
    variants["missing-cluster"] = missing
    failing = copy.deepcopy(base)
    failing["users"][0]["user"] = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": "false",
            "args": ["--token", S["kubeconfig exec arg"]],
            "env": [{"name": "TOKEN", "value": S["kubeconfig token"]}],
            "interactiveMode": "Never",
        }
    }
    variants["exec-fails"] = failing
    paths = {}
    for name, config in variants.items():
        path = folder / f"kubeconfig-{name}"
        path.write_text(yaml.safe_dump(config))
        paths[name] = path
    return paths


async def _mcp_errors(kubeconfigs: dict[str, Path], namespace: str) -> Shown:
    shown = Shown()
    for name, path in kubeconfigs.items():
        server = build_server(ServerConfig(kubeconfig=str(path), namespace=namespace))
        try:
            async with Client(server) as client:
                for tool, args in (("grove_list", {}), ("grove_status", {"name": PCS})):
                    result = await client.call_tool(tool, args)
                    text = "\n".join(getattr(b, "text", "") for b in result.content)
                    shown.add(f"mcp {tool} with {name} kubeconfig", text)
        except Exception as err:  # a server that cannot start says why: that text is output too
            shown.add(f"mcp start with {name} kubeconfig", repr(err))
    return shown


def _cli_errors(kubeconfigs: dict[str, Path], namespace: str) -> Shown:
    shown = Shown()
    for name, path in kubeconfigs.items():
        for argv in (["list"], ["status", PCS], ["diag", PCS, "-o", str(path) + ".tgz"]):
            result = CliRunner().invoke(app, [*argv, "-n", namespace, "--kubeconfig", str(path)])
            shown.add(f"cli {argv[0]} with {name} kubeconfig", result.stdout + result.stderr)
            assert "Traceback" not in result.stdout + result.stderr, (name, argv)
    return shown


async def _mcp_http(kubeconfig: str, namespace: str) -> Shown:
    """``grove-mcp --http`` guarded by the planted bearer token: what a wrong token, a token
    sent without "Bearer" and a tool call with the right one get back."""
    shown = Shown()
    port = free_port()
    env = {**os.environ, "GROVE_MCP_TOKEN": S["env GROVE_MCP_TOKEN"]}
    command = [*grove_mcp_command(), "--http", "--port", str(port), "--kubeconfig", kubeconfig]
    with serving([*command, "--namespace", namespace], port, env) as base:
        token = S["env GROVE_MCP_TOKEN"]
        async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=30) as raw:
            for name, auth in (("wrong", f"Bearer {token[:-1]}x"), ("bare", token)):
                refused = await raw.post("/mcp", json={}, headers={"Authorization": auth})
                assert refused.status_code == 401, refused.text
                shown.add(f"mcp-http {name} token", f"{refused.status_code} {refused.text}")
        auth = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=base, headers=auth, trust_env=False) as http:
            session = Session(http)
            shown.add("mcp-http initialize", json.dumps(await session.open()))
            for tool, args in (("grove_status", {"name": PCS}), ("grove_health", {"name": PCS})):
                result = await session.call(tool, args)
                assert not result.get("isError"), result
                shown.add(f"mcp-http {tool}", json.dumps(result))
            await session.close()
    return shown


def _plan_file(folder: Path) -> Path:
    plan = core.run("plan show", demo_source(), None, PCS).plan  # type: ignore[attr-defined]
    plan = plan.model_copy(update={"model": f"org/{S['plan file']}"})
    path = folder / "planted-plan.json"
    path.write_text(dump_plan(plan), encoding="utf-8")
    return path


def test_no_planted_secret_leaves_any_front_end(
    envtest: ApiServer,
    admin: KubeClient,
    admin_kubeconfig: str,
    make_namespace: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    bundle = planted_bundle()
    namespace = make_namespace("secrets")
    seed(admin, bundle, namespace=namespace)
    _secret(admin, namespace)
    plan_file = _plan_file(tmp_path)
    outputs: list[tuple[str, str]] = []
    with ExitStack() as stack:
        note = stack.enter_context(_logs_served(admin, namespace, tmp_path))
        formats = tuple(OutputFormat)
        cli = drive_cli(admin_kubeconfig, namespace, tmp_path / "cli", formats)
        target = ["-n", namespace, "--kubeconfig", admin_kubeconfig]
        argv = ["compare", PCS, *target, "--window", "1", "--plan", str(plan_file)]
        compare = CliRunner().invoke(app, argv)
        outputs.append(("cli compare --plan", compare.stdout + compare.stderr))
        mcp = anyio.run(drive_mcp, admin_kubeconfig, namespace, tmp_path / "mcp-diag")
        slack = drive_slack(admin_kubeconfig, namespace, VIEWER)
        tui = anyio.run(drive_tui, admin_kubeconfig, namespace)
    kubeconfigs = _failing_kubeconfigs(envtest, tmp_path)
    errors = _cli_errors(kubeconfigs, namespace)
    mcp_errors = anyio.run(_mcp_errors, kubeconfigs, namespace)
    http = anyio.run(_mcp_http, admin_kubeconfig, namespace)
    for shown in (cli, mcp, slack, tui, errors, mcp_errors, http):
        outputs += shown.texts
    wanted = {
        **{k: v for k, v in PLANTED.items()},
        "secret object, base64": base64.b64encode(
            S["secret object (never read)"].encode()
        ).decode(),
    }
    hits = [
        f"{what} in {where}"
        for where, text in outputs
        for what, value in wanted.items()
        if value in text
    ]
    print(
        f"{len(outputs)} outputs grepped for {len(wanted)} planted secrets; {note or 'logs planted'}"
    )
    by_front_end: dict[str, int] = {}
    for where, _ in outputs:
        by_front_end[where.split()[0]] = by_front_end.get(where.split()[0], 0) + 1
    print(f"outputs by front end: {dict(sorted(by_front_end.items()))}")
    assert not hits, "planted secrets in the output:\n" + "\n".join(sorted(set(hits))[:40])
    # the planting reached the outputs: a masked value stands where a secret was
    assert any("[REDACTED]" in text for where, text in outputs if where.startswith("cli diag"))
    assert sum("[REDACTED]" in text for _, text in outputs) > len(outputs) // 10
    bad = {key: code for key, code in cli.exits.items() if code not in (0, 1)}
    assert not bad, f"CLI commands that failed: {bad}"
