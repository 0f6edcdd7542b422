"""grove-slack on the real API server, through real signed HTTP requests and a local Slack
stand-in: each channel reads the cluster as its own identity (impersonation, so the API
server's RBAC decides), forged requests do no work, and alerts fire from a status change
exactly once."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk import WebClient

from grove_mcp.grove.kinds import PODCLIQUE
from grove_mcp.reports.health import HealthList
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.live import LiveSource
from grove_mcp.sources.seeder import seed
from slack_bot.access import Access
from slack_bot.alerts import AlertWatcher
from slack_bot.app import build_app
from slack_bot.config import Alerts, BotConfig, Identity, RateLimit
from slack_bot.executor import TrackingExecutor
from slack_bot.http import serve_in_thread
from slack_bot.signed import SlackSender
from slack_bot.standin import SlackStandIn
from tools.envtest.rbac import KINDS, apply

TOKEN, SECRET = "xoxb-e2e-grove-slack", "e2e-signing-secret"
READERS, NOBODY = "C0READERS1", "C0NOBODY01"
BOTH = "C0BOTHGRP1"  # two groups, one of which reads: proves every group header is sent
UNMAPPED, USER = "C0UNMAPPED", "U0E2EUSER1"
READ_GROUP, EMPTY_GROUP = "grove-slack-e2e-readers", "grove-slack-e2e-nothing"


@dataclass
class Bot:
    slack: SlackStandIn
    sender: SlackSender
    executor: TrackingExecutor
    source: LiveSource
    namespace: str


def _grant_readers(admin: KubeClient, namespace: str) -> None:
    """The readers' group may read in ``namespace`` (cluster-viewer's rules, bound there)."""
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": "grove-slack-e2e-readers", "namespace": namespace},
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": "grove-envtest-cluster-viewer",
        },
        "subjects": [
            {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": READ_GROUP}
        ],
    }
    apply(admin, [binding])
    assert KINDS["RoleBinding"].plural == "rolebindings"


@pytest.fixture
def bot(admin: KubeClient, admin_kubeconfig: str, namespace: str) -> Iterator[Bot]:
    seed(admin, SCENARIOS["demo"](), namespace=namespace)
    _grant_readers(admin, namespace)
    config = BotConfig(
        default_namespace=namespace,
        channels={
            READERS: Identity(user="grove-slack:readers", groups=(READ_GROUP,)),
            NOBODY: Identity(user="grove-slack:nobody", groups=(EMPTY_GROUP,)),
            BOTH: Identity(user="grove-slack:both", groups=(EMPTY_GROUP, READ_GROUP)),
        },
        rate_limit=RateLimit(per_user=100, per_channel=100),
    )
    source = LiveSource.connect(kubeconfig=admin_kubeconfig)  # the bot's own credentials
    executor = TrackingExecutor()
    with SlackStandIn(bot_token=TOKEN) as slack:
        client = WebClient(token=TOKEN, base_url=slack.base_url)
        app = build_app(
            config, source, bot_token=TOKEN, signing_secret=SECRET, client=client, executor=executor
        )
        with serve_in_thread(app) as url:
            sender = SlackSender(url, SECRET, posted=slack.user_message)
            yield Bot(slack, sender, executor, source, namespace)
            sender.close()
            executor.wait_idle()
    source.close()


def _answers(bot: Bot, url: str) -> list[dict[str, Any]]:
    return [body for where, body in bot.slack.responses if url.endswith(str(where))]


def _ask(bot: Bot, text: str, channel: str) -> tuple[float, list[dict[str, Any]]]:
    """Send ``/grove text`` from ``channel``; the ack's latency and what came back."""
    url = bot.slack.response_url(channel)
    started = time.monotonic()
    response = bot.sender.command(text, channel, USER, url)
    acked = time.monotonic() - started
    assert response.status_code == 200, response.text
    bot.executor.wait_idle()
    ack = [response.json()] if response.content else []
    return acked, ack + _answers(bot, url)


def test_a_channel_whose_group_may_read_gets_the_report_within_3s(bot: Bot) -> None:
    before = bot.source.kube.requests_made
    acked, answers = _ask(bot, "health my-inference", READERS)
    assert bot.source.kube.requests_made > before  # impersonated reads count on the bot's client
    assert acked < 3.0, f"the ack took {acked:.2f}s"
    final = answers[-1]
    blob = json.dumps(final)
    assert final.get("response_type") == "in_channel"
    assert "my-inference-1" in blob and "Breached" in blob, blob[:500]


def test_every_group_is_impersonated_not_just_the_first(bot: Bot) -> None:
    _, answers = _ask(bot, "status my-inference", BOTH)
    text = json.dumps(answers[-1])
    assert "RBAC denied 'list' on podcliquesets" not in text  # the second group reads them
    assert "my-inference-0" in text
    # what the readers' namespaced grant leaves out is denied to that identity, and said
    assert 'User \\"grove-slack:both\\" cannot list resource \\"nodes\\"' in text


def test_a_channel_whose_group_may_not_read_gets_the_api_servers_denial(bot: Bot) -> None:
    _, answers = _ask(bot, "health my-inference", NOBODY)
    text = json.dumps(answers[-1])
    assert "The API server denied this channel's identity (grove-slack:nobody" in text
    assert "RBAC denied 'list' on podcliquesets" in text
    assert "my-inference-1" not in text  # nothing of the workload leaks


def test_an_unmapped_channel_is_refused_with_how_to_grant_it_and_no_kubernetes_call(
    bot: Bot,
) -> None:
    before = bot.source.kube.requests_made
    _, answers = _ask(bot, "health my-inference", UNMAPPED)
    assert len(answers) == 1 and answers[0]["response_type"] == "ephemeral"
    assert "not mapped to a Kubernetes identity" in answers[0]["text"]
    assert "docs/slack.md" in answers[0]["text"]
    assert bot.source.kube.requests_made == before


@pytest.mark.parametrize(
    "tamper",
    [
        {"X-Slack-Signature": "v0=" + "0" * 64},  # forged
        {"X-Slack-Signature": ""},  # unsigned
        {"X-Slack-Request-Timestamp": str(int(time.time()) - 6 * 60)},  # stale: signed for now
    ],
    ids=["forged", "unsigned", "stale"],
)
def test_forged_unsigned_and_stale_requests_get_401_and_no_work(
    bot: Bot, tamper: dict[str, str]
) -> None:
    before = bot.source.kube.requests_made
    url = bot.slack.response_url(READERS)
    response = bot.sender.command("health my-inference", READERS, USER, url, **tamper)
    bot.executor.wait_idle()
    assert response.status_code == 401
    assert _answers(bot, url) == []
    assert bot.source.kube.requests_made == before


# --- alerts ---------------------------------------------------------------------------------


def _set_breach(admin: KubeClient, namespace: str, breached: bool) -> None:
    """Write what Grove's PodClique controller writes when the prefill clique loses (or
    regains) its minAvailable: the counts, and MinAvailableBreached flipping now."""
    name = "my-inference-1-prefill"
    clique = admin.request("GET", PODCLIQUE, namespace, name)
    ready = 1 if breached else 2
    clique["status"].update(readyReplicas=ready, scheduledReplicas=ready)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for cond in clique["status"]["conditions"]:
        if cond["type"] == "MinAvailableBreached":
            cond.update(
                status="True" if breached else "False",
                reason="InsufficientReadyPods" if breached else "SufficientReadyPods",
                lastTransitionTime=now,
            )
        else:
            cond.update(
                status="False" if breached else "True",
                reason="InsufficientScheduledPods" if breached else "SufficientScheduledPods",
                lastTransitionTime=now,
            )
    admin.request("PUT", PODCLIQUE, namespace, name, sub="status", body=clique)


class _CountingWatcher(AlertWatcher):
    """Counts the reports it has judged, so a test waits on that instead of sleeping."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.seen: list[HealthList] = []
        self.changed = threading.Condition()

    def observe(self, report: HealthList) -> None:
        super().observe(report)
        with self.changed:
            self.seen.append(report)
            self.changed.notify_all()

    def wait_for(self, predicate: Any, timeout: float = 30) -> HealthList:
        with self.changed:
            assert self.changed.wait_for(lambda: any(predicate(r) for r in self.seen), timeout)
            return next(r for r in reversed(self.seen) if predicate(r))


def _gang_state(report: HealthList, gang: str) -> str | None:
    for item in report.items:
        for g in item.gangs:
            if g.name == gang:
                return g.state.value
    return None


def test_alerts_fire_once_from_a_status_change_and_recover_in_the_thread(
    admin: KubeClient, admin_kubeconfig: str, namespace: str
) -> None:
    seed(admin, SCENARIOS["demo"](), namespace=namespace)
    _grant_readers(admin, namespace)
    _set_breach(admin, namespace, breached=False)  # start healthy
    config = BotConfig(
        channels={READERS: Identity(user="grove-slack:readers", groups=(READ_GROUP,))},
        alerts=Alerts(channel=READERS, namespaces=(namespace,), countdown_below="30m"),
    )
    source = LiveSource.connect(kubeconfig=admin_kubeconfig)
    with SlackStandIn(bot_token=TOKEN) as slack:
        client = WebClient(token=TOKEN, base_url=slack.base_url)
        watcher = _CountingWatcher(config.alerts, Access(config, source), client)
        watcher.start()
        try:
            watcher.wait_for(lambda r: _gang_state(r, "my-inference-1") == "Healthy")
            assert slack.calls_to("chat.postMessage") == []

            _set_breach(admin, namespace, breached=True)
            watcher.wait_for(lambda r: _gang_state(r, "my-inference-1") == "Breached")
            slack.wait_for(lambda s: len(s.calls_to("chat.postMessage")) >= 1)
            first = slack.calls_to("chat.postMessage")
            assert len(first) == 1
            assert "my-inference-1" in first[0].body["text"]
            assert "Breached" in first[0].body["text"]

            # Another write that changes nothing about the breach: no second message.
            seen = len(watcher.seen)
            clique = admin.request("GET", PODCLIQUE, namespace, "my-inference-0-decode")
            clique["metadata"].setdefault("annotations", {})["grove-mcp.io/nudge"] = "1"
            admin.request("PUT", PODCLIQUE, namespace, "my-inference-0-decode", body=clique)
            with watcher.changed:
                assert watcher.changed.wait_for(lambda: len(watcher.seen) > seen, 30)
            assert len(slack.calls_to("chat.postMessage")) == 1

            _set_breach(admin, namespace, breached=False)
            slack.wait_for(lambda s: len(s.calls_to("chat.postMessage")) >= 2)
            posts = slack.calls_to("chat.postMessage")
            assert len(posts) == 2 and "no longer Breached" in posts[1].body["text"]
            thread = posts[1].body.get("thread_ts")
            assert thread and thread == _ts_of_first(slack)
        finally:
            watcher.stop()
    source.close()


def _ts_of_first(slack: SlackStandIn) -> str:
    return str(next(iter(slack.messages.values()))["ts"])
