"""deploy/mcp-http/ as the real API server sees it: the kustomization renders every manifest and
no Secret; every object (and the token Secret made as docs/deploy.md says) passes a strict
server-side dry run in a fresh namespace; the Deployment's args are accepted by grove-mcp's own
parser and refused without the token; the ServiceAccount, bound as rbac.yaml binds it to
deploy/rbac.yaml's grove-mcp-reader, may make every request the read-only server makes and
write nothing (SubjectAccessReviews); and grove-mcp started with the Deployment's args, as that
ServiceAccount (its own token), answers an MCP client over HTTP on loopback.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import shutil
import ssl
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from grove_mcp.core.access import api_requests
from grove_mcp.errors import InvalidInput, NotFound
from grove_mcp.grove.base import KubeObject
from grove_mcp.grove.kinds import DEPLOYMENT, Kind
from grove_mcp.mcp_server.http import HEALTH_PATH, TOKEN_ENV
from grove_mcp.mcp_server.main import http_settings_from, parser
from grove_mcp.scenarios import SCENARIOS
from grove_mcp.sources.kube import PODS_LOG, PODS_PROXY, KubeClient
from grove_mcp.sources.seeder import seed
from tools.envtest.apiserver import ApiServer
from tools.envtest.objects import contained
from tools.envtest.rbac import KINDS as RBAC_KINDS
from tools.envtest.rbac import allowed, apply
from tools.mcp_http import free_port, rpc_answer, serving

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "mcp-http"
DOC = ROOT / "docs" / "deploy.md"
NAMESPACE = "grove-system"  # what the manifests name; the tests move them to a fresh namespace
DRY_RUN = [("dryRun", "All"), ("fieldValidation", "Strict")]
SECRET_NAME, SECRET_KEY = "grove-mcp-token", "token"
TOKEN = "deploy-test-token-0123456789abcdef"
SERVICE_ACCOUNT = Kind("ServiceAccount", "", "v1", "serviceaccounts", True, KubeObject)
SECRET = Kind("Secret", "", "v1", "secrets", True, KubeObject, has_status=False)
KINDS = {
    "ServiceAccount": SERVICE_ACCOUNT,
    "ClusterRoleBinding": RBAC_KINDS["ClusterRoleBinding"],
    "Deployment": DEPLOYMENT,
    "Service": Kind("Service", "", "v1", "services", True, KubeObject),
    "NetworkPolicy": Kind(
        "NetworkPolicy", "networking.k8s.io", "v1", "networkpolicies", True, KubeObject, False
    ),
}
# Requests of the capability table that the deployed server does not need, and why (rbac.yaml):
NOT_BOUND = {
    PODS_PROXY.plural: "in the cluster the engines are scraped at their pod IPs",
    PODS_LOG.plural: "only grove_diag reads logs, and it exists only with --allow-writes",
    DEPLOYMENT.plural: "the Grove operator's version: the optional grove-mcp-grove-version role",
}


# -- the manifests ----------------------------------------------------------------------------


def _listed() -> list[dict[str, Any]]:
    """The objects of the files kustomization.yaml lists, read directly."""
    files = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())["resources"]
    return [d for f in files for d in yaml.safe_load_all((DEPLOY / f).read_text()) if d]


def _rendered() -> list[dict[str, Any]]:
    """`kubectl kustomize deploy/mcp-http` (what `kubectl apply -k` sends); the listed files
    where there is no kubectl (test_kustomization_renders… compares the two where there is)."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return _listed()
    out = subprocess.run(
        [kubectl, "kustomize", str(DEPLOY)], capture_output=True, text=True, check=True
    ).stdout
    return [d for d in yaml.safe_load_all(out) if d]


def _one(docs: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    (found,) = [d for d in docs if d["kind"] == kind]
    return found


def _moved(docs: list[dict[str, Any]], namespace: str, suffix: str = "") -> list[dict[str, Any]]:
    """The manifests moved from grove-system to ``namespace`` (as a kustomize overlay with
    ``namespace:`` would); cluster-scoped names get ``suffix``, so runs do not collide."""
    moved = copy.deepcopy(docs)
    for doc in moved:
        meta = doc["metadata"]
        if "namespace" in meta:
            assert meta["namespace"] == NAMESPACE, meta
            meta["namespace"] = namespace
        elif suffix:
            meta["name"] = f"{meta['name']}-{suffix}"
        for subject in doc.get("subjects", []):
            if subject["kind"] == "ServiceAccount":
                subject["namespace"] = namespace
    return moved


def _container(docs: list[dict[str, Any]]) -> dict[str, Any]:
    (container,) = _one(docs, "Deployment")["spec"]["template"]["spec"]["containers"]
    return container


def _secret_volume(docs: list[dict[str, Any]]) -> tuple[dict[str, Any], str]:
    """The token's Secret volume and the path the container reads it at."""
    pod = _one(docs, "Deployment")["spec"]["template"]["spec"]
    (volume,) = [v for v in pod["volumes"] if "secret" in v]
    (mount,) = [m for m in _container(docs)["volumeMounts"] if m["name"] == volume["name"]]
    (item,) = volume["secret"]["items"]
    return volume, f"{mount['mountPath']}/{item['path']}"


def _server_args(docs: list[dict[str, Any]], token_file: Path, port: int) -> list[str]:
    """The Deployment's args for a run on loopback: the bind address, port and token file are
    the only values changed (the tests never listen beyond loopback)."""
    args = list(_container(docs)["args"])
    _, mounted = _secret_volume(docs)
    for flag, value in (("--host", "127.0.0.1"), ("--port", str(port))):
        args[args.index(flag) + 1] = value
    args[args.index(mounted)] = str(token_file)
    return args


def test_kustomization_renders_every_manifest_and_no_secret() -> None:
    on_disk = {p.name for p in DEPLOY.glob("*.y*ml")} - {"kustomization.yaml"}
    files = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())["resources"]
    assert sorted(files) == sorted(on_disk), "every manifest of the directory is applied"
    rendered = _rendered()
    key = sorted((d["kind"], d["metadata"]["name"]) for d in rendered)
    assert key == sorted((d["kind"], d["metadata"]["name"]) for d in _listed())
    assert {k for k, _ in key} == set(KINDS)  # no Secret, no Namespace, no ClusterRole copy
    text = "\n".join(p.read_text() for p in sorted(DEPLOY.glob("*.y*ml")))
    assert TOKEN_ENV not in text and "stringData" not in text and "kind: Secret" not in text


def test_the_deployment_runs_a_guarded_read_only_server(tmp_path: Path) -> None:
    docs = _rendered()
    deployment, service = _one(docs, "Deployment"), _one(docs, "Service")
    policy, account = _one(docs, "NetworkPolicy"), _one(docs, "ServiceAccount")
    pod = deployment["spec"]["template"]["spec"]
    container = _container(docs)
    assert pod["serviceAccountName"] == account["metadata"]["name"]
    assert pod["automountServiceAccountToken"] is True
    assert container["command"] == ["grove-mcp"]
    # grove-mcp's own parser and settings check read the args
    volume, mounted = _secret_volume(docs)
    assert volume["secret"]["secretName"] == SECRET_NAME
    assert volume["secret"]["items"] == [{"key": SECRET_KEY, "path": "token"}]
    assert volume["secret"].get("optional") is not True, "no token, no server"
    assert volume["secret"]["defaultMode"] == 0o440
    args = parser().parse_args(container["args"])
    assert args.http and args.host == "0.0.0.0" and args.token_file == mounted
    assert not args.allow_writes and not args.demo and args.bundle is None
    assert args.kubeconfig is None, "in-cluster configuration: the ServiceAccount"
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    args.token_file = str(token_file)
    settings = http_settings_from(args)
    settings.check()
    assert settings.token == TOKEN
    args.token_file = None  # without the Secret's file (and no env) the server refuses to start
    with pytest.MonkeyPatch.context() as env:
        env.delenv(TOKEN_ENV, raising=False)
        with pytest.raises(InvalidInput, match="bearer token"):
            http_settings_from(args).check()
    # the Service's DNS names are accepted Host headers; nothing else but port-forward's
    name, ns = service["metadata"]["name"], service["metadata"]["namespace"]
    assert set(settings.allowed_hosts) == {
        f"{name}.{ns}.svc.cluster.local:*",
        f"{name}.{ns}.svc:*",
        f"{name}.{ns}:*",
        "localhost:*",
        "127.0.0.1:*",
    }
    (port,) = container["ports"]
    assert port["containerPort"] == settings.port
    (service_port,) = service["spec"]["ports"]
    assert service_port["targetPort"] == port["name"] and service_port["port"] == settings.port
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": HEALTH_PATH, "port": port["name"]}
    # the security posture
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert security["runAsNonRoot"] is True and security["runAsUser"] > 0
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert set(container["resources"]) == {"requests", "limits"}
    (tmp,) = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
    assert {"emptyDir": {"sizeLimit": "64Mi"}, "name": tmp["name"]} in pod["volumes"]
    assert not container.get("env"), "the token is a file, not an environment variable"
    # selectors: the Service and the NetworkPolicy pick exactly the Deployment's pods
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= labels.items()
    assert service["spec"]["selector"] == selector
    assert policy["spec"]["podSelector"] == {"matchLabels": selector}
    assert sorted(policy["spec"]["policyTypes"]) == ["Egress", "Ingress"]
    (ingress,) = policy["spec"]["ingress"]
    assert ingress["ports"] == [{"port": port["name"], "protocol": "TCP"}]
    assert all(peer.get("namespaceSelector") is not None for peer in ingress["from"])
    assert all("ipBlock" not in peer for peer in ingress["from"]), "labelled clients only"
    egress_ports = {
        (p["protocol"], p["port"])
        for rule in policy["spec"]["egress"]
        for p in rule.get("ports", [])
    }
    assert egress_ports == {("UDP", 53), ("TCP", 53), ("TCP", 443), ("TCP", 6443)}


# -- the API server ---------------------------------------------------------------------------


def _token_secret(namespace: str) -> dict[str, Any]:
    """The Secret as docs/deploy.md says to make it (`kubectl create secret generic …`)."""
    command = f"create secret generic {SECRET_NAME} \\\n  --from-literal={SECRET_KEY}="
    assert command in DOC.read_text(), "docs/deploy.md shows how to create the token Secret"
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": SECRET_NAME, "namespace": namespace},
            "data": {SECRET_KEY: "ZGVwbG95LXRlc3QtdG9rZW4tMDEyMzQ1Njc4OWFiY2RlZg=="},
        }
    out = subprocess.run(
        [
            *(kubectl, "-n", namespace, "create", "secret", "generic", SECRET_NAME),
            *(f"--from-literal={SECRET_KEY}={TOKEN}", "--dry-run=client", "-o", "json"),
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "KUBECONFIG": os.devnull},  # client-side: no server is asked
    ).stdout
    return dict(json.loads(out))


def test_every_manifest_passes_a_strict_server_side_dry_run(
    admin: KubeClient, namespace: str
) -> None:
    sent = _moved(_rendered(), namespace)
    secret = _token_secret(namespace)
    for manifest in [*sent, secret]:
        kind = SECRET if manifest["kind"] == "Secret" else KINDS[manifest["kind"]]
        where = manifest["metadata"].get("namespace")
        assert (where is not None) == kind.namespaced, manifest["metadata"]["name"]
        stored = admin.request("POST", kind, where, body=manifest, params=DRY_RUN)
        body = {k: v for k, v in manifest.items() if k not in ("apiVersion", "kind")}
        body["metadata"] = {k: v for k, v in body["metadata"].items() if v is not None}
        assert contained(body, stored) == [], (manifest["kind"], manifest["metadata"]["name"])
    # the Secret has the key the Deployment mounts
    volume, _ = _secret_volume(sent)
    assert [i["key"] for i in volume["secret"]["items"]] == list(secret["data"])
    # a dry run persists nothing
    assert admin.request("GET", DEPLOYMENT, namespace)["items"] == []
    assert admin.request("GET", SERVICE_ACCOUNT, namespace)["items"] == []
    binding = _one(sent, "ClusterRoleBinding")["metadata"]["name"]
    with pytest.raises(NotFound):
        admin.request("GET", KINDS["ClusterRoleBinding"], None, binding)


@pytest.fixture
def bound(admin: KubeClient, namespace: str) -> Iterator[list[dict[str, Any]]]:
    """deploy/rbac.yaml's roles (left in place, as test_rbac_manifest leaves them), and this
    directory's ServiceAccount and ClusterRoleBinding created for real in the test's namespace;
    the binding is deleted after (the namespace and its account are left, as the conftest
    leaves namespaces)."""
    apply(admin, yaml.safe_load_all((ROOT / "deploy" / "rbac.yaml").read_text()))
    moved = _moved(_rendered(), namespace, suffix=namespace)
    made = [d for d in moved if d["kind"] in ("ServiceAccount", "ClusterRoleBinding")]
    for obj in made:
        admin.request("POST", KINDS[obj["kind"]], obj["metadata"].get("namespace"), body=obj)
    yield moved
    binding = _one(made, "ClusterRoleBinding")["metadata"]["name"]
    with contextlib.suppress(NotFound):
        admin.request("DELETE", KINDS["ClusterRoleBinding"], None, binding)


def _account(namespace: str) -> tuple[str, list[str]]:
    name = _one(_rendered(), "ServiceAccount")["metadata"]["name"]
    groups = ["system:serviceaccounts", f"system:serviceaccounts:{namespace}"]
    return f"system:serviceaccount:{namespace}:{name}", [*groups, "system:authenticated"]


def _allowed(
    admin: KubeClient,
    who: tuple[str, list[str]],
    verb: str,
    group: str,
    resource: str,
    namespace: str | None,
) -> bool:
    user, groups = who
    return allowed(admin, user, verb, resource, group=group, groups=groups, namespace=namespace)


@pytest.mark.usefixtures("bound")
def test_the_service_account_reads_what_the_tools_need_and_writes_nothing(
    admin: KubeClient, namespace: str
) -> None:
    who = _account(namespace)
    reads = [r for r in api_requests() if not r.writes]
    needed = [r for r in reads if r.kind.plural not in NOT_BOUND]
    assert {r.kind.plural for r in reads} >= set(NOT_BOUND), "the exclusions are real requests"
    denied = [
        r.describe()
        for r in needed
        if not _allowed(admin, who, r.verb, r.kind.group, r.kind.plural, r.namespace)
    ]
    assert denied == []
    # the reads it was not given, it does not have (least privilege)
    for r in reads:
        if r.kind.plural in NOT_BOUND:
            allowed = _allowed(admin, who, r.verb, r.kind.group, r.kind.plural, r.namespace)
            assert not allowed, f"{r.describe()}: {NOT_BOUND[r.kind.plural]}"
    # in the test's namespace and cluster-wide alike
    for where in (namespace, None):
        assert _allowed(admin, who, "list", "grove.io", "podcliquesets", where)
        assert _allowed(admin, who, "watch", "", "pods", where)
    # it writes nothing, reads no secrets, proxies nothing, impersonates no one
    writes = ("create", "update", "patch", "delete", "deletecollection")
    for verb in writes:
        for group, resource in (
            ("", "pods"),
            ("grove.io", "podcliquesets"),
            ("grove.io", "podcliques"),
            ("scheduler.grove.io", "podgangs"),
            ("", "configmaps"),
            ("apps", "deployments"),
            ("", "pods/eviction"),
        ):
            for where in (namespace, "vllm-disagg", None):
                assert not _allowed(admin, who, verb, group, resource, where), (verb, resource)
    for verb in ("get", "list", "watch"):
        assert not _allowed(admin, who, verb, "", "secrets", namespace)
        assert not _allowed(admin, who, verb, "", "secrets", None)
    assert not _allowed(admin, who, "create", "", "pods/exec", namespace)
    assert not _allowed(admin, who, "impersonate", "", "users", None)
    assert not _allowed(admin, who, "create", "", "serviceaccounts/token", namespace)
    assert not _allowed(admin, who, "bind", "rbac.authorization.k8s.io", "clusterroles", None)


# -- grove-mcp itself, with the Deployment's args, as the ServiceAccount -----------------------


def _account_kubeconfig(admin: KubeClient, envtest: ApiServer, namespace: str, path: Path) -> str:
    """A kubeconfig holding a token of the ServiceAccount (what in-cluster configuration reads
    from the mounted token): the server is the envtest's, on loopback. Returns the token."""
    name = _one(_rendered(), "ServiceAccount")["metadata"]["name"]
    request = {
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "TokenRequest",
        "spec": {"expirationSeconds": 600},
    }
    answer = admin.request("POST", SERVICE_ACCOUNT, namespace, name, sub="token", body=request)
    token = str(answer["status"]["token"])
    admin_config = yaml.safe_load(envtest.kubeconfig().read_text())
    cluster = admin_config["clusters"][0]["cluster"]
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "envtest", "cluster": cluster}],
        "users": [{"name": name, "user": {"token": token}}],
        "contexts": [
            {
                "name": "sa",
                "context": {"cluster": "envtest", "user": name, "namespace": namespace},
            }
        ],
        "current-context": "sa",
    }
    path.write_text(yaml.safe_dump(config))
    return token


@contextlib.contextmanager
def _grove_mcp(args: list[str], deadline: float = 30.0) -> Iterator[str]:
    """``grove-mcp`` (this interpreter's) with ``args``; yields the base URL once /healthz
    answers, and stops it after."""
    port = args[args.index("--port") + 1]
    command = [sys.executable, "-m", "grove_mcp.mcp_server.main", *args]
    env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}  # the token file only
    with serving(command, port, env, deadline=deadline) as base:
        yield base


def _session(http: httpx.Client) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    """Initialize an MCP session; returns a function sending one request in it."""
    init = http.post(
        "/mcp",
        json={
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "deploy-test", "version": "1"},
            },
        },
    )
    assert rpc_answer(init)["result"]["serverInfo"]["name"]
    headers = {
        "mcp-session-id": init.headers["mcp-session-id"],
        "mcp-protocol-version": "2025-06-18",
    }
    done = http.post(
        "/mcp", json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers
    )
    assert done.status_code == 202
    ids = iter(range(2, 1000))

    def send(method: str, params: dict[str, Any]) -> dict[str, Any]:
        message = {"jsonrpc": "2.0", "id": next(ids), "method": method, "params": params}
        return rpc_answer(http.post("/mcp", json=message, headers=headers))

    return send


def test_grove_mcp_serves_with_the_deployments_args_as_its_service_account(
    admin: KubeClient,
    envtest: ApiServer,
    namespace: str,
    make_namespace: Callable[[str], str],
    bound: list[dict[str, Any]],
    tmp_path: Path,
) -> None:
    workloads = make_namespace("mcp-http-workloads")
    seed(admin, SCENARIOS["demo"](), namespace=workloads)
    kubeconfig = tmp_path / "kubeconfig"
    account_token = _account_kubeconfig(admin, envtest, namespace, kubeconfig)
    # the ServiceAccount's own token, on the API server: reads everywhere, writes nothing
    cluster = yaml.safe_load(kubeconfig.read_text())["clusters"][0]["cluster"]
    tls = ssl.create_default_context(cafile=cluster["certificate-authority"])
    with httpx.Client(
        base_url=envtest.url,
        verify=tls,
        trust_env=False,
        headers={"Authorization": f"Bearer {account_token}"},
    ) as api:
        assert api.get("/apis/grove.io/v1alpha1/podcliquesets").status_code == 200
        assert api.get(f"/api/v1/namespaces/{workloads}/secrets").status_code == 403
        configmap = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}
        created = api.post(
            f"/api/v1/namespaces/{workloads}/configmaps", json=configmap, params=DRY_RUN
        )
        assert created.status_code == 403

    token_file = tmp_path / "token"
    token_file.write_text(TOKEN)
    args = _server_args(bound, token_file, free_port())
    args += ["--kubeconfig", str(kubeconfig)]  # in the pod: the mounted token, same identity
    with _grove_mcp(args) as base:
        accept = {"Accept": "application/json, text/event-stream"}
        refused = httpx.post(f"{base}/mcp", json={"jsonrpc": "2.0", "id": 1}, headers=accept)
        assert refused.status_code == 401
        auth = {**accept, "Authorization": f"Bearer {TOKEN}"}
        with httpx.Client(base_url=base, headers=auth, timeout=60, trust_env=False) as http:
            send = _session(http)
            tools = {t["name"] for t in send("tools/list", {})["result"]["tools"]}
            assert {"grove_list", "grove_status", "grove_health"} <= tools
            assert not {"grove_plan_store", "grove_diag"} & tools, "read-only"
            for tool in ("grove_status", "grove_health", "grove_topology"):
                arguments = {"name": "my-inference", "namespace": workloads}
                result = send("tools/call", {"name": tool, "arguments": arguments})["result"]
                text = result["content"][0]["text"]
                assert not result.get("isError"), (tool, text)
                assert result["structuredContent"]["summary"], tool
            listing = send(
                "tools/call", {"name": "grove_list", "arguments": {"namespace": workloads}}
            )
            names = [i["name"] for i in listing["result"]["structuredContent"]["items"]]
            assert names == ["my-inference"]
