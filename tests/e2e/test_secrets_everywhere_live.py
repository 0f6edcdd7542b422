"""Secrets planted in every place of a real API server that can hold one, and in grove-mcp's own
environment, reach no output of any front end: every CLI command in every ``-o`` format (and its
errors with a bad kubeconfig token), every MCP tool and resource (in memory, and over HTTP with
its bearer token), every Slack message and uploaded file, the TUI's y/d/l texts
(``core.objects``) and every file of a diag bundle, unpacked. Each output is grepped for each
secret; the number of outputs grepped is printed (run with ``-s`` to see it).

The unit and bundle-level checks live in tests/frontends/test_redaction_everywhere.py,
tests/frontends/test_slack_redaction.py, tests/unit/test_capture_redaction.py and
tests/e2e/test_redaction_live.py; this is their live, all-places, all-outputs sweep.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from mcp import Client
from slack_sdk import WebClient
from typer.testing import CliRunner

from grove_mcp.cli.app import app
from grove_mcp.core.objects import KINDS, describe_object, object_yaml, read_log, read_object
from grove_mcp.grove.base import KubeObject
from grove_mcp.grove.kinds import CONFIGMAP, EVENT, NAMESPACE, POD, Kind
from grove_mcp.mcp_server import ServerConfig, build_server
from grove_mcp.render import describe_text
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.live import LiveSource
from grove_mcp.sources.seeder import seed
from slack_bot.app import build_app
from slack_bot.commands import COMMANDS
from slack_bot.config import BotConfig, Identity, RateLimit
from slack_bot.executor import TrackingExecutor
from slack_bot.http import serve_in_thread
from slack_bot.secrets import load_tokens
from slack_bot.signed import SlackSender
from slack_bot.standin import SlackStandIn
from tools.envtest.apiserver import ApiServer
from tools.envtest.rbac import apply, namespace_grants

PCS = "my-inference"
SECRET_KIND = Kind("Secret", "", "v1", "secrets", True, KubeObject, has_status=False)
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwbGFudGVkIn0.cGxhbnRlZC1sb2ctc2lnbmF0dXJl"

# One distinct secret per place, so a hit says where it came from. Those in free text have a
# credential's shape (that is all redaction can know); env values and Secret data need none.
PLANTED = {
    "env value": "envplain-Zq7w3-nobody-may-see",
    "args": "hf_PlantedArgTokenAbCdEf0123456789",
    "command": "sk-PlantedCommandKeyAbCdEf0123456789",
    "annotation": "ghp_PlantedAnnotationAbCdEf0123456789xyz",
    "label": "xoxb-0123456789-plantedlabel",
    "configmap": "AKIAPLANTEDCMAP12345",
    "plan configmap": "xoxp-0123456789-plantedplancm",
    "secret data": "secret-object-data-never-read-7f3",
    "event": "EventPassw0rd-planted",
    "condition": "CondT0ken-planted-9d2",
    "log": JWT,
    "plan file": "xoxa-0123456789-plantedplanfile",
    "bad kube token": "badkube-0123456789abcdef-planted",
    "mcp token": "mcp-bearer-0123456789-planted-abcdef",
    "slack bot token": "xoxb-9876543210-plantedbottoken",
    "slack signing secret": "signing-0123456789-planted-abcdef",
    "slack app token": "xapp-1-planted-apptoken-0123456789",
}
ENVIRONMENT = {
    "GROVE_MCP_TOKEN": PLANTED["mcp token"],
    "SLACK_BOT_TOKEN": PLANTED["slack bot token"],
    "SLACK_SIGNING_SECRET": PLANTED["slack signing secret"],
    "SLACK_APP_TOKEN": PLANTED["slack app token"],
}


@dataclass
class Grep:
    """Every output of a front end, checked for every planted secret (and the admin token)."""

    secrets: dict[str, str]
    outputs: int = 0
    leaks: list[str] = field(default_factory=list)

    def __call__(self, where: str, text: str) -> None:
        self.outputs += 1
        self.leaks += [f"{what} in {where}" for what, s in self.secrets.items() if s in text]

    def check(self, front_end: str) -> None:
        print(f"\n{front_end}: {self.outputs} outputs grepped, {len(self.leaks)} hits")
        assert self.leaks == []


@dataclass(frozen=True)
class World:
    namespace: str
    kubeconfig: str
    admin: KubeClient
    secrets: dict[str, str]  # PLANTED and the admin kubeconfig's token

    def grep(self) -> Grep:
        return Grep(self.secrets)


def _plant_pod(obj: dict[str, Any]) -> None:
    meta = obj["metadata"]
    meta.setdefault("annotations", {})["ops.example.com/debug"] = f"gh {PLANTED['annotation']}"
    meta.setdefault("labels", {})["ops.example.com/debug-token"] = PLANTED["label"]
    for container in obj["spec"]["containers"]:
        _plant_container(container)
    for cond in obj.get("status", {}).get("conditions") or []:
        cond["message"] = f"{cond.get('message', '')} token={PLANTED['condition']}".strip()


def _plant_container(container: dict[str, Any]) -> None:
    container.setdefault("env", []).append({"name": "DB_PASSWORD", "value": PLANTED["env value"]})
    container.setdefault("args", []).extend(["--hf-token", PLANTED["args"]])
    container["command"] = ["sh", "-c", f"OPENAI_API_KEY={PLANTED['command']} exec \"$0\" \"$@\""]


def _planted(obj: dict[str, Any]) -> dict[str, Any]:
    obj = json.loads(json.dumps(obj))
    kind = obj["kind"]
    if kind == "Pod":
        _plant_pod(obj)
    elif kind == "PodCliqueSet":
        for clique in obj["spec"]["template"]["cliques"]:
            for container in clique["spec"]["podSpec"]["containers"]:
                _plant_container(container)
    elif kind == "PodClique":
        for cond in obj.get("status", {}).get("conditions") or []:
            cond["message"] = f"{cond.get('message', '')} token={PLANTED['condition']}"
    elif kind == "Event":
        obj["message"] = f"{obj.get('message', '')} password={PLANTED['event']}"
    elif kind == "ConfigMap" and "plan.json" in obj.get("data", {}):
        plan = json.loads(obj["data"]["plan.json"])
        plan["model"] = f"org/{PLANTED['plan configmap']}"
        obj["data"]["plan.json"] = json.dumps(plan)
    return obj


def _extras(namespace: str) -> list[tuple[Kind, dict[str, Any]]]:
    """A Secret (never to be read) and a plain ConfigMap of the workload, both labelled as it."""
    meta = {"namespace": namespace, "labels": {"app.kubernetes.io/part-of": PCS}}
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {**meta, "name": "hf"},
              "stringData": {"t": PLANTED["secret data"]}}  # fmt: skip
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {**meta, "name": "engine-env"},
              "data": {"env": f"AWS_ACCESS_KEY_ID={PLANTED['configmap']}"}}  # fmt: skip
    return [(SECRET_KIND, secret), (CONFIGMAP, config)]


def _logs(admin: KubeClient, namespace: str) -> tuple[list[str], dict[str, str]]:
    pods = admin.request("GET", POD, namespace)["items"]
    logs = {
        f"{namespace}/{p['metadata']['name']}/{c['name']}": (
            f"INFO serving {c['name']}\nDEBUG upstream Authorization: Bearer {PLANTED['log']}\n"
            f"DEBUG jwt={PLANTED['log']}\nINFO last line\n"
        )
        for p in pods
        for c in p["spec"]["containers"]
    }
    nodes = sorted({p["spec"]["nodeName"] for p in pods if p["spec"].get("nodeName")})
    return nodes, logs


@pytest.fixture(scope="module")
def world(envtest: ApiServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The demo seeded with every secret planted, its pods' logs served by a fake kubelet, and
    the front ends' own tokens in the environment."""
    from tools.envtest.kubelet import serving_logs
    from tools.envtest.netns import NetnsUnavailable

    admin = envtest.client()
    namespace = f"e2e-secrets-everywhere-{os.urandom(3).hex()}"
    admin.request("POST", NAMESPACE, body={"apiVersion": "v1", "kind": "Namespace",
                                           "metadata": {"name": namespace}})  # fmt: skip
    apply(admin, namespace_grants(namespace))
    demo = SCENARIOS["demo"]()
    seed(admin, replace(demo, objects=tuple(_planted(o) for o in demo.objects)), namespace=namespace)
    for kind, body in _extras(namespace):
        admin.request("POST", kind, namespace, body=body)
    kubeconfig = str(envtest.kubeconfig())
    token = yaml.safe_load(Path(kubeconfig).read_text())["users"][0]["user"]["token"]
    nodes, logs = _logs(admin, namespace)
    try:
        with (
            serving_logs(admin, nodes, logs, tmp_path_factory.mktemp("kubelet")),
            pytest.MonkeyPatch.context() as env,
        ):
            for name, value in ENVIRONMENT.items():
                env.setenv(name, value)
            yield World(namespace, kubeconfig, admin, {**PLANTED, "admin kube token": token})
    except NetnsUnavailable as err:
        if os.environ.get("GROVE_REQUIRE_E2E") == "1":
            pytest.fail(f"GROVE_REQUIRE_E2E=1, but no network namespace: {err}", pytrace=False)
        pytest.skip(f"no network namespace for the fake kubelet: {err}")
    finally:
        admin.request("DELETE", POD, namespace, params=[("gracePeriodSeconds", "0")])


def test_the_secrets_are_planted_where_the_api_server_keeps_them(world: World) -> None:
    """The planting took: each secret is on the server (else the sweep proves nothing)."""
    ns, admin = world.namespace, world.admin
    stored = json.dumps(
        [admin.request("GET", k, ns)["items"] for k in (POD, CONFIGMAP, EVENT, KINDS["PodClique"])]
    )
    stored += json.dumps(admin.request("GET", SECRET_KIND, ns, "hf"))  # base64 in .data
    server_side = ("env value", "args", "command", "annotation", "label", "configmap",
                   "plan configmap", "event", "condition")  # fmt: skip
    assert [w for w in server_side if PLANTED[w] not in stored] == []
    assert os.environ["SLACK_BOT_TOKEN"] == PLANTED["slack bot token"]


# --- CLI -------------------------------------------------------------------------------------

FORMATS = ("text", "json", "yaml", "markdown", "slack")
QUICK_METRICS = ["--window", "1", "--scrape-timeout", "0.5"]


def _cli(words: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, words, env={"NO_COLOR": "1", "COLUMNS": "160"})
    return result.exit_code, result.stdout + result.stderr


def _plan_file(world: World, folder: Path) -> Path:
    """The stored plan as a file, with the planted secret in its model and notes."""
    _, shown = _cli(["plan", "show", PCS, "-n", world.namespace, "--kubeconfig",
                     world.kubeconfig, "-o", "json"])  # fmt: skip
    cm = world.admin.request("GET", CONFIGMAP, world.namespace, f"{PCS}-aic-plan")
    plan = json.loads(cm["data"]["plan.json"])
    plan["model"] = f"org/{PLANTED['plan file']}"
    path = folder / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    return path


def test_every_cli_command_in_every_format(world: World, tmp_path: Path) -> None:
    grep, ns = world.grep(), world.namespace
    plan = str(_plan_file(world, tmp_path))
    manifest = tmp_path / "pcs.yaml"
    manifest.write_text(object_yaml(world.admin.request("GET", KINDS["PodCliqueSet"], ns, PCS)))
    commands = [
        ["list"], ["status", PCS], ["status", "--all"], ["topology", PCS], ["health", PCS],
        ["health", "--all"], ["diagnose", PCS, "--no-metrics"],
        ["diagnose", PCS, "--plan", plan, *QUICK_METRICS], ["metrics", PCS, *QUICK_METRICS],
        ["compare", PCS, "--plan", plan, *QUICK_METRICS], ["plan", "show", PCS],
        ["plan", "history", PCS], ["plan", "diff", PCS], ["status", f"nope-{PLANTED['label']}"],
    ]  # fmt: skip
    codes = []
    for words in commands:
        for fmt in FORMATS:
            code, out = _cli([*words, "-n", ns, "--kubeconfig", world.kubeconfig, "-o", fmt])
            codes.append(code)
            grep(f"{' '.join(words[:2])} -o {fmt}", out)
    for fmt in FORMATS:  # no cluster behind these
        code, out = _cli(["validate", "-f", str(manifest), "-o", fmt])
        grep(f"validate -o {fmt}", out)
    store = ["plan", "store", PCS, "-f", plan, "-n", ns, "--kubeconfig", world.kubeconfig]
    code, out = _cli(store)
    assert code == 0, out
    grep("plan store", out)
    for words in (["config", "view"], ["version"], ["completion", "bash"]):
        grep(" ".join(words), _cli(words)[1])
    assert set(codes) <= {0, 1, 3}, codes  # answers and not-found; no crash, no bad input
    grep.check("CLI")


def test_a_bad_kubeconfig_token_is_not_echoed(world: World, tmp_path: Path) -> None:
    config = yaml.safe_load(Path(world.kubeconfig).read_text())
    config["users"][0]["user"]["token"] = PLANTED["bad kube token"]
    bad = tmp_path / "kubeconfig"
    bad.write_text(yaml.safe_dump(config))
    grep = world.grep()
    for words in (["list"], ["status", PCS], ["diagnose", PCS, "--no-metrics"], ["diag", PCS]):
        for fmt in FORMATS if words[0] != "diag" else ("text",):
            extra = ["-o", fmt] if words[0] != "diag" else ["-o", str(tmp_path / "x.tar.gz")]
            code, out = _cli([*words, "-n", world.namespace, "--kubeconfig", str(bad), *extra])
            assert code == 4 and "Unauthorized" in out, out
            grep(f"{words[0]} with a bad token -o {extra[1]}", out)
    grep.check("CLI with a bad kubeconfig token")
