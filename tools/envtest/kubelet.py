"""Nodes whose kubelet is ``fake_kubelet.py`` in a network namespace: the API server then
serves ``pods/log`` for their pods from a dict of log texts."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from grove_mcp.grove.kinds import NODE
from grove_mcp.sources.kube import KubeClient

from .netns import ExporterProcess, _ip_binary, network_namespace

PORT = 10250


def set_kubelet(admin: KubeClient, node: str, address: str | None, port: int) -> None:
    """Point ``node``'s status at a kubelet (``address`` None: no address, as before)."""
    body = admin.request("GET", NODE, None, node)
    status = body.setdefault("status", {})
    status["addresses"] = [{"type": "InternalIP", "address": address}] if address else []
    status["daemonEndpoints"] = {"kubeletEndpoint": {"Port": port}}
    admin.request("PUT", NODE, None, node, sub="status", body=body)


@contextmanager
def serving_logs(
    admin: KubeClient, nodes: Iterable[str], logs: dict[str, str], folder: Path
) -> Iterator[None]:
    """``logs`` ({"<ns>/<pod>/<container>": text}) served as those nodes' kubelet until the
    block ends; raises ``NetnsUnavailable`` without network namespaces (root, ``ip``)."""
    nodes = list(nodes)
    (folder / "logs.json").write_text(json.dumps(logs))
    with network_namespace(1) as netns:
        ip = netns.pod_ips[0]
        command = [_ip_binary(), "netns", "exec", netns.name, sys.executable, "-m",
                   "tools.envtest.fake_kubelet", f"--listen={ip}:{PORT}",
                   f"--logs={folder / 'logs.json'}"]  # fmt: skip
        kubelet = ExporterProcess(command)
        try:
            for node in nodes:
                set_kubelet(admin, node, ip, PORT)
            yield
        finally:
            kubelet.close()
            for node in nodes:
                set_kubelet(admin, node, None, 0)
