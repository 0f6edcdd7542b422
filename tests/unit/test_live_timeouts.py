"""A live source against loopback endpoints that misbehave: bounded timeouts, named endpoints."""

from __future__ import annotations

import socket
import time

import pytest

from grove_mcp import core
from grove_mcp.errors import ClusterUnreachable
from grove_mcp.sources.live import LiveSource


def test_hung_api_server_fails_within_the_timeout(silent_server, loopback_kubeconfig):
    source = LiveSource.connect(kubeconfig=str(loopback_kubeconfig(silent_server)), timeout=0.5)
    started = time.monotonic()
    with pytest.raises(ClusterUnreachable) as err:
        core.run("status", source, None, "my-inference")
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"took {elapsed:.1f}s despite a 0.5s timeout"
    assert f"127.0.0.1:{silent_server}" in str(err.value)
    assert "--request-timeout" in str(err.value)


def test_refused_connection_names_the_endpoint(loopback_kubeconfig):
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    source = LiveSource.connect(kubeconfig=str(loopback_kubeconfig(port)), timeout=2)
    with pytest.raises(ClusterUnreachable, match=f"127.0.0.1:{port}") as err:
        core.run("health", source, "vllm-disagg", "my-inference")
    assert "connection was refused" in str(err.value)
    assert "no answer within" not in str(err.value)
    assert "--kubeconfig" in str(err.value)  # the check command names the user's kubeconfig


def test_unknown_context_lists_the_known_ones(loopback_kubeconfig):
    from grove_mcp.errors import ConfigError

    with pytest.raises(ConfigError, match="Contexts there: silent"):
        LiveSource.connect(kubeconfig=str(loopback_kubeconfig(1)), context="prod")
