"""grove-slack on a seeded cluster: how fast Slack gets its acknowledgement and its answer.

    python -m tools.bench_slack                  # 96 nodes (the default)
    python -m tools.bench_slack --nodes 96,960 --runs 7

Starts a real kube-apiserver + etcd, seeds the cluster of ``tools.bench``, runs the bot in HTTP
mode on loopback against the local Slack stand-in, and sends signed slash commands. Per report
it prints the median time to the HTTP acknowledgement (Slack allows 3 s), the median time until
the answer is posted (read as the channel's impersonated identity), and, interleaved in the
same run, the median time of the same report from ``core.run`` with the bot's own credentials:
the ratio is what the bot adds (impersonation, Block Kit, posting, the heatmap upload).
"""

from __future__ import annotations

import argparse
import statistics
import time

from slack_sdk import WebClient

from grove_mcp import core
from grove_mcp.sources.live import LiveSource
from grove_mcp.sources.seeder import seed
from slack_bot.app import build_app
from slack_bot.config import BotConfig, Identity, RateLimit
from slack_bot.executor import TrackingExecutor
from slack_bot.http import serve_in_thread
from slack_bot.signed import SlackSender
from slack_bot.standin import SlackStandIn

from .bench import NAMESPACE, TARGET, world
from .envtest.apiserver import ApiServer, crds_dir, find_binaries
from .envtest.rbac import CLUSTER_VIEWER, LIMITED_USERS, apply, cluster_grants

CHANNEL, USER, TOKEN, SECRET = "C0BENCH001", "U0BENCH001", "xoxb-bench", "bench-secret"
REPORTS = ("status", "topology", "health")


def bench_size(nodes: int, workloads: int, runs: int) -> None:
    bundle = world(nodes, workloads)
    with ApiServer(find_binaries(build=False), LIMITED_USERS, crds_dir()) as server:
        apply(server.client(), cluster_grants())
        seed(server.client(), bundle)
        pods = sum(1 for o in bundle.objects if o["kind"] == "Pod")
        print(f"\n== {nodes} nodes, {pods} pods ({runs} runs per median)")
        # the channel acts as cluster-viewer (a user with a ClusterRole to read everything)
        config = BotConfig(
            default_namespace=NAMESPACE,
            channels={CHANNEL: Identity(user=CLUSTER_VIEWER)},
            rate_limit=RateLimit(per_user=10_000, per_channel=10_000),
        )
        source = LiveSource.connect(kubeconfig=str(server.kubeconfig()))
        executor = TrackingExecutor()
        with SlackStandIn(bot_token=TOKEN) as slack:
            client = WebClient(token=TOKEN, base_url=slack.base_url)
            app = build_app(
                config, source, bot_token=TOKEN, signing_secret=SECRET, client=client,
                executor=executor,
            )  # fmt: skip
            with serve_in_thread(app) as url:
                sender = SlackSender(url, SECRET)
                print(f"{'report':10}{'ack ms':>9}{'answer ms':>11}{'core.run ms':>13}{'ratio':>7}")
                for name in REPORTS:
                    acks, answers, direct = [], [], []
                    for _ in range(runs):
                        started = time.perf_counter()
                        response = sender.command(
                            f"{name} {TARGET}", CHANNEL, USER, slack.response_url(CHANNEL)
                        )
                        acks.append(time.perf_counter() - started)
                        executor.wait_idle()
                        answers.append(time.perf_counter() - started)
                        assert response.status_code == 200
                        started = time.perf_counter()
                        core.run(name, source, NAMESPACE, TARGET)
                        direct.append(time.perf_counter() - started)
                    ack, answer, run = (
                        statistics.median(x) * 1000 for x in (acks, answers, direct)
                    )
                    print(f"{name:10}{ack:>9.1f}{answer:>11.1f}{run:>13.1f}{answer / run:>7.2f}")
                sender.close()
        source.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", default="96", help="comma-separated cluster sizes")
    parser.add_argument("--workloads", type=int, default=40, help="other PodCliqueSets")
    parser.add_argument("--runs", type=int, default=7, help="runs per median")
    args = parser.parse_args()
    for nodes in (int(n) for n in args.nodes.split(",")):
        bench_size(nodes, args.workloads, args.runs)


if __name__ == "__main__":
    main()
