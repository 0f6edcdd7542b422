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
from grove_mcp.grove.kinds import CONFIGMAP, DEPLOYMENT, EVENT, NAMESPACE, POD, Kind
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
from tools.envtest.rbac import CLUSTER_VIEWER, apply, namespace_grants

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
    container["command"] = ["sh", "-c", f'OPENAI_API_KEY={PLANTED["command"]} exec "$0" "$@"']


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
    seed(
        admin, replace(demo, objects=tuple(_planted(o) for o in demo.objects)), namespace=namespace
    )
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
    finally:  # what other tests see cluster-wide: pods (GPUs) and the operator's Deployment
        admin.request("DELETE", POD, namespace, params=[("gracePeriodSeconds", "0")])
        admin.request("DELETE", DEPLOYMENT, namespace)


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
    """The stored plan as a file, with the planted secret in its model."""
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
    grep, where = world.grep(), ["-n", world.namespace, "--kubeconfig", str(bad)]
    for words in (["list"], ["status", PCS], ["diagnose", PCS, "--no-metrics"]):
        for fmt in FORMATS:
            code, out = _cli([*words, *where, "-o", fmt])
            assert code == 4 and "401 Unauthorized" in out, out
            grep(f"{words[0]} with a bad token -o {fmt}", out)
    out_file = tmp_path / "x.tar.gz"  # diag writes what it could, saying what it could not
    code, out = _cli(["diag", PCS, *where, "-o", str(out_file)])
    assert code == 1 and "401 Unauthorized" in out, out
    grep("diag with a bad token", out)
    for name, text in _unpacked(out_file).items():
        grep(f"diag with a bad token: {name}", text)
    grep.check("CLI with a bad kubeconfig token")


# --- TUI (y / d / l through core.objects) and diag bundles -----------------------------------


def test_every_tui_text(world: World) -> None:
    grep, ns = world.grep(), world.namespace
    source = LiveSource.connect(kubeconfig=world.kubeconfig)
    try:
        for kind, spec in KINDS.items():
            where = ns if spec.namespaced else None
            for item in world.admin.request("GET", spec, where)["items"]:
                name = item["metadata"]["name"]
                grep(f"y {kind}/{name}", object_yaml(read_object(source, kind, ns, name)))
                grep(f"d {kind}/{name}", describe_text(describe_object(source, kind, ns, name)))
                if kind == "Pod" and item["spec"].get("nodeName"):
                    log = read_log(source, ns, name, None, tail=10)
                    assert "last line" in log.text, log  # the kubelet answered
                    grep(f"l {name}", f"{log.text}\n{log.note}")
    finally:
        source.close()
    assert grep.outputs > 50
    grep.check("TUI y/d/l")


def _unpacked(path: Path) -> dict[str, str]:
    with tarfile.open(path) as tar:
        return {
            m.name: tar.extractfile(m).read().decode("utf-8", "replace")  # type: ignore[union-attr]
            for m in tar.getmembers()
            if m.isfile()
        }


def test_every_file_of_a_diag_bundle(world: World, tmp_path: Path) -> None:
    grep = world.grep()
    out = tmp_path / "capture.tar.gz"
    code, said = _cli(["diag", PCS, "-n", world.namespace, "--kubeconfig", world.kubeconfig,
                       "-o", str(out), "--logs", "10"])  # fmt: skip
    assert code in (0, 1) and out.is_file(), said
    grep("diag's own output", said)
    files = _unpacked(out)
    assert any("/logs/" in name for name in files), sorted(files)
    for name, text in files.items():
        grep(name, text)
    grep.check("diag bundle")


# --- MCP -------------------------------------------------------------------------------------


def _mcp_args(
    world: World, tool: str, props: dict[str, Any], plan: str, pcs: str
) -> dict[str, Any]:
    given = {"name": PCS, "namespace": world.namespace, "plan": plan, "manifest": pcs,
             "window": 1, "no_metrics": False}  # fmt: skip
    if tool == "grove_plan_store":
        given["plan"] = json.loads(plan)
    return {k: v for k, v in given.items() if k in props}


def test_every_mcp_tool_and_resource(world: World, tmp_path: Path) -> None:
    grep = world.grep()
    plan = _plan_file(world, tmp_path).read_text()
    pcs = object_yaml(world.admin.request("GET", KINDS["PodCliqueSet"], world.namespace, PCS))
    config = ServerConfig(kubeconfig=world.kubeconfig, namespace=world.namespace,
                          allow_writes=True, diag_dir=str(tmp_path / "diag"))  # fmt: skip

    async def sweep() -> list[str]:
        called = []
        async with Client(build_server(config)) as client:
            for tool in (await client.list_tools()).tools:
                if tool.name == "grove_generate":  # AIConfigurator, no cluster data: elsewhere
                    continue
                props = tool.input_schema.get("properties", {})
                result = await client.call_tool(
                    tool.name, _mcp_args(world, tool.name, props, plan, pcs)
                )
                grep(tool.name, repr(result.content) + json.dumps(result.structured_content))
                called.append(f"{tool.name}{'!' if result.is_error else ''}")
            missing = await client.call_tool("grove_status", {"name": f"x-{PLANTED['label']}"})
            grep("grove_status not found", repr(missing.content))
            for template in (await client.list_resource_templates()).resource_templates:
                uri = template.uri_template.format(namespace=world.namespace, name=PCS)
                grep(uri, repr(await client.read_resource(uri)))
        return called

    called = asyncio.run(sweep())
    assert "grove_diag" in called and "grove_plan_store" in called, called
    for bundle in (tmp_path / "diag").iterdir():
        for name, text in _unpacked(bundle).items():
            grep(f"grove_diag: {name}", text)
    print(f"\nMCP tools called (! = error answer): {called}")
    grep.check("MCP in memory")


def test_mcp_over_http_with_its_bearer_token(world: World) -> None:
    """The token guards the server and is never said back: not to a client without it, one
    with a wrong one, nor in any answer."""
    from tests.mcp.mcp_helpers import http_server
    from tools.mcp_http import Session

    grep = world.grep()
    token = PLANTED["mcp token"]
    args = ("--kubeconfig", world.kubeconfig, "-n", world.namespace)

    async def talk(base: str) -> None:
        async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=60) as http:
            for auth in ({}, {"Authorization": f"Bearer {token[:-1]}x"}):
                refused = await http.post("/mcp", json={}, headers=auth)
                assert refused.status_code == 401, refused.text
                grep("refused", f"{refused.headers}\n{refused.text}")
            http.headers["Authorization"] = f"Bearer {token}"
            session = Session(http)
            grep("initialize", json.dumps(await session.open()))
            for tool in ("grove_health", "grove_status", "grove_plan_show"):
                grep(tool, json.dumps(await session.call(tool, {"name": PCS})))
            await session.close()

    with http_server(*args, token=token) as base:
        asyncio.run(talk(base))
    grep.check("MCP over HTTP")


# --- Slack -----------------------------------------------------------------------------------


def test_every_slack_message_file_and_log_line(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """The bot's tokens come from the environment, as in production, with its log filter."""
    from slack_bot.secrets import LogRedaction

    tokens = load_tokens()
    channel, user = "C0SECRETS2", "U0SECRETS2"
    config = BotConfig(
        default_namespace=world.namespace,
        channels={channel: Identity(user=CLUSTER_VIEWER)},
        rate_limit=RateLimit(per_user=100, per_channel=100),
    )
    grep, executor = world.grep(), TrackingExecutor()
    caplog.handler.addFilter(LogRedaction())
    caplog.set_level("DEBUG")
    source = LiveSource.connect(kubeconfig=world.kubeconfig)
    with SlackStandIn(bot_token=tokens.bot) as slack:
        client = WebClient(token=tokens.bot, base_url=slack.base_url)
        bot = build_app(config, source, bot_token=tokens.bot,
                        signing_secret=tokens.signing_secret, client=client,
                        executor=executor)  # fmt: skip
        with serve_in_thread(bot) as url:
            sender = SlackSender(url, tokens.signing_secret, posted=slack.user_message)
            for name in COMMANDS:
                target = "" if name == "list" else f" {PCS}"
                extra = " --no-metrics" if name == "diagnose" else ""
                extra += " --window 5" if name in ("metrics", "compare") else ""
                reply = sender.command(f"{name}{target}{extra}", channel, user,
                                       slack.response_url(channel))  # fmt: skip
                grep(f"/grove {name} ack", reply.text)
                executor.wait_idle()
            sender.mention(f"why is {PCS} slow?", channel, user)
            executor.wait_idle()
            sender.close()
        calls = [(c.method, c.body) for c in slack.calls]  # headers carry the token, to Slack
        files = [f.content.decode("utf-8", "replace") for f in slack.files]
        responses = slack.responses
    source.close()
    for method, body in calls:
        grep(f"Slack API {method}", json.dumps(body, default=str))
    for where, body in responses:
        grep(f"response_url {where}", json.dumps(body))
    for text in files:
        grep("uploaded file", text)
    grep("the bot's log", "\n".join(r.getMessage() for r in caplog.records))
    assert len(responses) >= len(COMMANDS), "every command was answered"
    grep.check("Slack")
