"""One exporter in 64 hangs (accepts, never answers) behind the API server's pod proxy: the
metrics come back for the other 63, with the hung pod named, within the scrape bound."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from grove_mcp.grove.k8s import Pod
from grove_mcp.grove.kinds import POD
from grove_mcp.metrics.discovery import discover
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.metrics_collect import MetricsRequest, PodSamples, ScrapeCollector
from grove_mcp.sources.scrape import ProxyFetcher
from tools.envtest.netns import ExporterProcess, Netns, create_pods

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

EXPORTERS = 64
HUNG = 17  # the pod whose exporter accepts and never answers
SCRAPE_TIMEOUT = 2.0


def test_one_hung_exporter_in_64_leaves_the_rest_and_is_named_within_the_scrape_bound(
    admin: KubeClient,
    namespace: str,
    exporters_in_netns: Callable[[int], tuple[Netns, ExporterProcess]],
) -> None:
    ns, child = exporters_in_netns(EXPORTERS)
    names = [f"decode-{i}" for i in range(EXPORTERS)]
    create_pods(admin, namespace, list(zip(names, ns.pod_ips, strict=True)))
    targets = discover(
        [Pod.model_validate(p) for p in admin.request("GET", POD, namespace)["items"]]
    )
    child.hang(HUNG)
    collector = ScrapeCollector(
        ProxyFetcher(admin, timeout=SCRAPE_TIMEOUT), "the API server's pod proxy"
    )
    began = time.monotonic()
    try:
        got = collector.collect(MetricsRequest(namespace, targets, window=1.0, scrapes=2))
    finally:
        collector.close()
    took = time.monotonic() - began
    print(f"64 exporters, one hung: window of 1 s collected in {took:.1f} s")
    hung = got.answers[names[HUNG]]
    assert isinstance(hung, PodSamples) and hung.samples == (), hung
    assert hung.errors and all(names[HUNG] in e for e in hung.errors), hung.errors
    assert not any("Cannot reach the Kubernetes API server" in e for e in hung.errors)
    for name in names[:HUNG] + names[HUNG + 1 :]:
        answer = got.answers[name]
        assert isinstance(answer, PodSamples) and answer.errors == (), (name, answer)
        assert len(answer.samples) == 2
    assert took < 1.0 + 2 * (SCRAPE_TIMEOUT + 5.0)  # the window, plus each round's bound
