"""Test tiers: every test under tests/e2e is marked ``e2e`` (it needs the real API server).

``pytest -m "not e2e"`` runs the rest. Whether e2e tests skip or fail without the binaries
is decided by the ``envtest`` fixture in tests/e2e/conftest.py (``GROVE_REQUIRE_E2E=1``).
"""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

E2E_DIR = Path(__file__).parent / "e2e"


@pytest.hookimpl(tryfirst=True)  # before -m selects on markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def no_user_config(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads the developer's own ~/.config/kubectl-grove/config.yaml: an empty
    XDG_CONFIG_HOME (tests of the config file name their own with KUBECTL_GROVE_CONFIG)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.getbasetemp() / "xdg-empty"))
    monkeypatch.delenv("KUBECTL_GROVE_CONFIG", raising=False)


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A loopback port that accepts TCP connections and never answers (a hung API server)."""
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


@pytest.fixture
def refusing_port() -> int:
    """A loopback port nobody listens on (bound, then closed): connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def loopback_kubeconfig(tmp_path: Path) -> Callable[[int], Path]:
    """Write a kubeconfig whose cluster is https://127.0.0.1:<port> (context namespace
    vllm-disagg) and return its path."""

    def write(port: int) -> Path:
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

    return write


@pytest.fixture(scope="session")
def bin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``kubectl-grove`` and ``kubectl_complete-grove`` as installed console scripts would be,
    running this checkout's code with this interpreter (put it first on a child's PATH)."""
    where = tmp_path_factory.mktemp("bin")
    scripts = {
        "kubectl-grove": "from grove_mcp.cli.main import main\nmain()\n",
        "kubectl_complete-grove": "from grove_mcp.cli.completion import kubectl_complete\n"
        "kubectl_complete()\n",
    }
    for name, body in scripts.items():
        path = where / name
        path.write_text(f"#!{sys.executable}\n{body}")
        path.chmod(0o755)
    return where
