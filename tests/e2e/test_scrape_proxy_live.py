"""Scraping through the real API server's pod proxy: an identity without ``get pods/proxy``
gets a result naming the verb, the subresource and the namespace (not an exception), and the
request carries the pod's port. (Proxying to a live exporter needs pod IPs in a network
namespace the test creates: the later slice of issue 10 that adds the metrics capability.)"""

from __future__ import annotations

from grove_mcp.grove.kinds import POD
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.kube import KubeClient
from grove_mcp.sources.scrape import Address, ProxyFetcher
from grove_mcp.sources.seeder import seed


def test_an_identity_without_pods_proxy_is_told_what_rbac_denied(
    admin: KubeClient, viewer_kubeconfig: str, namespace: str
) -> None:
    seed(admin, SCENARIOS["healthy"](), namespace=namespace)
    pod = next(
        p
        for p in admin.request("GET", POD, namespace)["items"]
        if p["metadata"]["name"].startswith("my-inference-0-router")
    )
    viewer = KubeClient.connect(viewer_kubeconfig)
    fetcher = ProxyFetcher(viewer, timeout=5)

    (got,) = fetcher.fetch(
        [Address(namespace, pod["metadata"]["name"], pod["status"]["podIP"], 8000)]
    )
    fetcher.close()

    assert got.text is None
    assert f"RBAC denied 'get' on pods/proxy in namespace '{namespace}'" in (got.error or "")
    assert f'pods "{pod["metadata"]["name"]}:8000" is forbidden' in (got.error or "")
