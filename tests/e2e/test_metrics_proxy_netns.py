"""Live scrapes through the real API server's pod proxy, to real exporters.

The exporters run in a network namespace (the API server refuses loopback pod IPs), one
address per fake vLLM pod; the Pods are created by the admin with those addresses in
``status.podIP(s)``. Over a 2 s window of two scrapes, the test drives known requests between
the scrapes and checks that every exposition came through the proxy whole and that the window's
deltas are exactly what was driven; load before the window does not count. A Pod whose address
answers nothing is an error naming the pod while the others still count. (An identity without
``get pods/proxy`` is covered by test_scrape_proxy_live.py.)
"""

from __future__ import annotations

import math
from collections.abc import Callable

from grove_mcp.grove.k8s import Pod
from grove_mcp.grove.kinds import POD
from grove_mcp.metrics.catalog import Quantity
from grove_mcp.metrics.discovery import discover
from grove_mcp.metrics.exposition import Scrape, parse_exposition
from grove_mcp.metrics.figures import figures_from_scrapes
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.metrics_collect import MetricsRequest, PodSamples, ScrapeCollector
from grove_mcp.sources.scrape import ProxyFetcher
from tools.envtest.netns import ExporterProcess, Netns, create_pods

LIVE = 3
PORT = 8000
# pod number -> requests (ttft seconds, prompt tokens, output tokens) driven inside the window
DRIVEN = {
    0: [(0.05, 120, 30), (0.3, 800, 200)],
    1: [(0.009, 64, 1)],
    2: [(1.7, 4000, 512), (0.02, 10, 10), (12.0, 3, 7)],
}
GAUGES = {0: (4, 1, 0.25), 1: (0, 0, 0.0), 2: (9, 17, 0.875)}  # running, waiting, kv


def _value(scrape: Scrape, name: str, suffix: str) -> float:
    family = scrape.family(name)
    assert family is not None, f"{name} missing from the exposition"
    return sum(s.value for s in family.samples if s.suffix == suffix)


def test_scrapes_through_the_pod_proxy_count_exactly_the_driven_load(
    admin: KubeClient,
    namespace: str,
    exporters_in_netns: Callable[[int], tuple[Netns, ExporterProcess]],
) -> None:
    ns, child = exporters_in_netns(LIVE)
    names = [f"decode-{i}" for i in range(LIVE)]
    create_pods(
        admin, namespace, [*zip(names, ns.pod_ips, strict=True), ("decode-dead", ns.spare_ip)]
    )
    pods = [Pod.model_validate(p) for p in admin.request("GET", POD, namespace)["items"]]
    targets = discover(pods)
    assert {(t.pod, t.pod_ip, t.endpoint.port if t.endpoint else None) for t in targets} == {
        *((n, ip, PORT) for n, ip in zip(names, ns.pod_ips, strict=True)),
        ("decode-dead", ns.spare_ip, PORT),
    }

    child.observe(0, 99.0, 1000, 1000)  # before the window: must not count
    driven: list[float] = []

    def drive(done: float, line: str) -> None:  # called after each round of scrapes
        if done < 1:
            driven.append(done)
            for pod, requests in DRIVEN.items():
                for ttft, prompt, output in requests:
                    child.observe(pod, ttft, prompt, output)
                for which, value in zip(("running", "waiting", "kv"), GAUGES[pod], strict=True):
                    child.gauge(pod, which, value)

    collector = ScrapeCollector(ProxyFetcher(admin, timeout=10), "the API server's pod proxy")
    try:
        got = collector.collect(
            MetricsRequest(namespace, targets, window=2.0, scrapes=2, on_progress=drive)
        )
    finally:
        collector.close()

    assert driven == [0.5]
    dead = got.answers["decode-dead"]
    assert isinstance(dead, PodSamples) and dead.samples == ()
    assert dead.errors and all("decode-dead" in e for e in dead.errors), dead.errors
    assert f"dial tcp {ns.spare_ip}:{PORT}: connect: connection refused" in dead.errors[0]

    hints = {t.pod: t.hint for t in targets}
    for i, name in enumerate(names):
        answer = got.answers[name]
        assert isinstance(answer, PodSamples)
        assert answer.errors == (), answer.errors
        assert len(answer.samples) == 2
        first, last = (parse_exposition(text, at, name) for at, text in answer.samples)
        assert last.time - first.time > 1.5  # midpoints of requests due 2 s apart

        requests = DRIVEN[i]
        before_window = (1, 1000, 1000, 99.0) if i == 0 else (0, 0, 0, 0.0)
        count, prompt, output, ttft_sum = before_window
        assert _value(first, "vllm:time_to_first_token_seconds", "_count") == count
        assert _value(first, "vllm:generation_tokens_total", "_total") == output
        assert _value(first, "vllm:prompt_tokens_total", "_total") == prompt
        assert math.isclose(_value(first, "vllm:time_to_first_token_seconds", "_sum"), ttft_sum)

        def delta(metric: str, suffix: str, a: Scrape = first, b: Scrape = last) -> float:
            return _value(b, metric, suffix) - _value(a, metric, suffix)

        assert delta("vllm:time_to_first_token_seconds", "_count") == len(requests)
        assert math.isclose(
            delta("vllm:time_to_first_token_seconds", "_sum"), sum(r[0] for r in requests)
        )
        assert delta("vllm:prompt_tokens_total", "_total") == sum(r[1] for r in requests)
        assert delta("vllm:generation_tokens_total", "_total") == sum(r[2] for r in requests)
        running, waiting, kv = GAUGES[i]
        assert _value(last, "vllm:num_requests_running", "") == running
        assert _value(last, "vllm:num_requests_waiting", "") == waiting
        assert _value(last, "vllm:kv_cache_usage_perc", "") == kv

        # and grove_mcp's own window arithmetic reads the same from these proxied texts
        figures = figures_from_scrapes(name, [first, last], hints[name])
        assert figures.error is None, figures.error
        output_fig = figures.get(Quantity.output_tokens)
        assert output_fig is not None and output_fig.counter is not None
        assert output_fig.counter.delta == sum(r[2] for r in requests)
        ttft_fig = figures.get(Quantity.ttft)
        assert ttft_fig is not None and ttft_fig.histogram is not None
        assert ttft_fig.histogram.observations == len(requests)
