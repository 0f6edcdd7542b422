"""The real-API-server tier: one etcd + kube-apiserver with Grove's CRDs for the whole run.

Without the binaries (or Grove's CRDs) these tests are skipped, saying why; with
``GROVE_REQUIRE_E2E=1`` (CI) that is an error instead. Each test gets a fresh namespace in which
the ``viewer`` and ``no-grove`` identities hold their Roles; ``cluster-viewer`` reads
everything. Nothing reconciles here: tests write status themselves.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Callable, Iterator
from typing import NoReturn

import pytest

from grove_mcp.grove.kinds import DEPLOYMENT, NAMESPACE, POD
from grove_mcp.sources.kube import KubeClient
from tools.envtest.apiserver import ApiServer, Binaries, BinariesMissing, crds_dir, find_binaries
from tools.envtest.netns import ExporterProcess, Netns, NetnsUnavailable, netns_exporters
from tools.envtest.rbac import (
    CLUSTER_VIEWER,
    LIMITED_USERS,
    NO_GROVE,
    NO_QUOTA,
    VIEWER,
    apply,
    cluster_grants,
    namespace_grants,
)


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("GROVE_REQUIRE_E2E") == "1":
        pytest.fail(f"GROVE_REQUIRE_E2E=1, but the e2e tier cannot run: {reason}", pytrace=False)
    pytest.skip(f"e2e tier skipped: {reason}")


@pytest.fixture(scope="session")
def binaries() -> Binaries:
    try:
        return find_binaries(build=False)
    except BinariesMissing as err:
        reason = str(err)
    _unavailable(reason)  # outside the except block: no chained traceback


@pytest.fixture(scope="session")
def envtest(binaries: Binaries) -> Iterator[ApiServer]:
    """The shared API server, with Grove's CRDs, the cluster-viewer grant and an audit log
    (read by the tier's last test, tests/e2e/test_zz_audit_live.py)."""
    crds = crds_dir()
    if not any(crds.glob("*.yaml")):
        _unavailable(f"no Grove CRDs in {crds}; set GROVE_CRDS_DIR")
    with ApiServer(binaries, LIMITED_USERS, crds, audit=True) as server:
        apply(server.client(), cluster_grants())
        yield server


@pytest.fixture(scope="session")
def admin(envtest: ApiServer) -> KubeClient:
    return envtest.client()


@pytest.fixture(scope="session")
def admin_kubeconfig(envtest: ApiServer) -> str:
    return str(envtest.kubeconfig())


@pytest.fixture(scope="session")
def viewer_kubeconfig(envtest: ApiServer) -> str:
    return str(envtest.kubeconfig(VIEWER))


@pytest.fixture(scope="session")
def no_grove_kubeconfig(envtest: ApiServer) -> str:
    return str(envtest.kubeconfig(NO_GROVE))


@pytest.fixture(scope="session")
def cluster_viewer_kubeconfig(envtest: ApiServer) -> str:
    return str(envtest.kubeconfig(CLUSTER_VIEWER))


@pytest.fixture(scope="session")
def no_quota_kubeconfig(envtest: ApiServer) -> str:
    return str(envtest.kubeconfig(NO_QUOTA))


@pytest.fixture
def make_namespace(admin: KubeClient) -> Iterator[Callable[[str], str]]:
    """Create fresh namespaces (with the per-namespace Roles); force-delete their pods and
    Deployments after.

    Pods and Deployments are what other tests can see: cluster-wide pod lists count GPUs on
    the shared nodes, and the Grove operator's version is read from Deployments found by label
    in every namespace. There is no namespace controller to empty a deleted namespace, so the pods are
    deleted directly and the namespace itself is left behind.
    """
    made: list[str] = []

    def make(hint: str) -> str:
        name = (
            f"e2e-{re.sub(r'[^a-z0-9]+', '-', hint.lower())[:40].strip('-')}-{secrets.token_hex(3)}"
        )
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
        admin.request("POST", NAMESPACE, body=body)
        apply(admin, namespace_grants(name))
        made.append(name)
        return name

    yield make
    for name in made:
        admin.request("DELETE", POD, name, params=[("gracePeriodSeconds", "0")])
        admin.request("DELETE", DEPLOYMENT, name)


@pytest.fixture
def namespace(make_namespace: Callable[[str], str], request: pytest.FixtureRequest) -> str:
    """A fresh namespace named after the test."""
    return make_namespace(request.node.name)


@pytest.fixture
def exporters_in_netns() -> Iterator[Callable[..., tuple[Netns, ExporterProcess]]]:
    """Make ``n`` fake vLLM pods in a fresh network namespace (addresses the API server will
    proxy to; loopback ones it refuses): the namespace and the exporter child they run in.
    Everything is removed after the test, failed or not. Skipped (an error under
    ``GROVE_REQUIRE_E2E=1``) where namespaces cannot be made."""
    with contextlib.ExitStack() as stack:

        def make(pods: int, port: int = 8000) -> tuple[Netns, ExporterProcess]:
            try:
                return stack.enter_context(netns_exporters(pods, port))
            except NetnsUnavailable as err:
                reason = str(err)
            _unavailable(f"no network namespace for pod-proxy exporters: {reason}")

        yield make


AUDIT_LAST = "audit_last"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{AUDIT_LAST}: runs after every other test of the run (the audit log's check)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``audit_last`` run at the end, in their own order: the audit log they
    read must hold what every other test did (a stable sort keeps everyone else's order)."""
    items.sort(key=lambda item: item.get_closest_marker(AUDIT_LAST) is not None)
