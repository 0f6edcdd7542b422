"""A live source against loopback endpoints that misbehave: bounded timeouts, named endpoints."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import yaml

from grove_mcp import core
from grove_mcp.errors import ClusterUnreachable
from grove_mcp.sources.live import LiveSource


def _kubeconfig(tmp_path: Path, port: int) -> Path:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "silent",
        "clusters": [
            {
                "name": "silent",
                "cluster": {
                    "server": f"https://127.0.0.1:{port}",
                    "insecure-skip-tls-verify": True,
                },
            }
        ],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [
            {
                "name": "silent",
                "context": {"cluster": "silent", "user": "u", "namespace": "vllm-disagg"},
            }
        ],
    }
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture
def silent_server():
    """Accepts TCP connections and never answers (a hung API server)."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def test_hung_api_server_fails_within_the_timeout(tmp_path, silent_server):
    source = LiveSource.connect(kubeconfig=str(_kubeconfig(tmp_path, silent_server)), timeout=0.5)
    started = time.monotonic()
    with pytest.raises(ClusterUnreachable) as err:
        core.run("status", source, None, "my-inference")
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"took {elapsed:.1f}s despite a 0.5s timeout"
    assert f"127.0.0.1:{silent_server}" in str(err.value)
    assert "--request-timeout" in str(err.value)


def test_refused_connection_names_the_endpoint(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    source = LiveSource.connect(kubeconfig=str(_kubeconfig(tmp_path, port)), timeout=2)
    with pytest.raises(ClusterUnreachable, match=f"127.0.0.1:{port}") as err:
        core.run("health", source, "vllm-disagg", "my-inference")
    assert "connection was refused" in str(err.value)
    assert "no answer within" not in str(err.value)
    assert "--kubeconfig" in str(err.value)  # the check command names the user's kubeconfig


def test_unknown_context_lists_the_known_ones(tmp_path):
    from grove_mcp.errors import ConfigError

    with pytest.raises(ConfigError, match="Contexts there: silent"):
        LiveSource.connect(kubeconfig=str(_kubeconfig(tmp_path, 1)), context="prod")
