"""deploy/slack/ as the real API server sees it: every manifest passes a strict server-side dry
run; the bot's ServiceAccount may impersonate the configured identities and do nothing else, as
SubjectAccessReviews and real impersonated requests with its own token show; the example
groups read what rbac.yaml says; the access file in config.yaml loads with the bot's loader and
names only identities the bot may impersonate; the Slack app manifest asks for exactly the
scopes the bot needs.
"""

from __future__ import annotations

import contextlib
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from grove_mcp.errors import Conflict, NotFound
from grove_mcp.grove.base import KubeObject
from grove_mcp.grove.kinds import CONFIGMAP, DEPLOYMENT, NAMESPACE, POD, PODCLIQUESET, Kind
from grove_mcp.sources.kube import KubeClient
from slack_bot.config import BotConfig, load_config
from slack_bot.main import _parser
from tools.envtest.apiserver import ApiServer
from tools.envtest.objects import contained
from tools.envtest.rbac import KINDS as RBAC_KINDS
from tools.envtest.rbac import allowed, apply

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "slack"
NOT_APPLIED = {"kustomization.yaml", "app-manifest.yaml", "secret.example.yaml"}
DRY_RUN = [("dryRun", "All"), ("fieldValidation", "Strict")]
SYSTEM = "grove-system"
ML_TEAM = "ml-team"
BOT = f"system:serviceaccount:{SYSTEM}:grove-slack"
BOT_GROUPS = ["system:serviceaccounts", f"system:serviceaccounts:{SYSTEM}", "system:authenticated"]
SERVICE_ACCOUNT = Kind("ServiceAccount", "", "v1", "serviceaccounts", True, KubeObject)
KINDS = {
    **RBAC_KINDS,
    "ServiceAccount": SERVICE_ACCOUNT,
    "ConfigMap": CONFIGMAP,
    "Secret": Kind("Secret", "", "v1", "secrets", True, KubeObject, has_status=False),
    "Deployment": DEPLOYMENT,
    "Service": Kind("Service", "", "v1", "services", True, KubeObject),
}
# frontends.md: what a read-only reporting bot needs, and nothing more
SCOPES = {
    "commands",
    "chat:write",
    "app_mentions:read",
    "files:write",
    "im:history",
}


def _docs(name: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all((DEPLOY / name).read_text()) if d is not None]


def _applied_files() -> list[str]:
    return list(yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())["resources"])


def _access_file() -> str:
    (configmap,) = _docs("config.yaml")
    return str(configmap["data"]["config.yaml"])


def _config(tmp_path: Path) -> BotConfig:
    path = tmp_path / "config.yaml"
    path.write_text(_access_file())
    return load_config(path)


def _impersonable() -> dict[str, set[str]]:
    """grove-slack-impersonator's resourceNames by resource (users, groups)."""
    role = next(
        d for d in _docs("rbac.yaml") if d["metadata"]["name"] == "grove-slack-impersonator"
    )
    names: dict[str, set[str]] = {}
    for rule in role["rules"]:
        assert rule["verbs"] == ["impersonate"] and rule["apiGroups"] == [""], rule
        assert rule.get("resourceNames"), f"{rule['resources']}: any name may be impersonated"
        for resource in rule["resources"]:
            names.setdefault(resource, set()).update(rule["resourceNames"])
    return names


def _allowed(
    admin: KubeClient,
    user: str,
    groups: list[str],
    verb: str,
    resource: str,
    *,
    group: str = "",
    namespace: str | None = None,
    name: str | None = None,
    subresource: str | None = None,
) -> bool:
    return allowed(
        admin, user, verb, resource, group=group, groups=groups, namespace=namespace, name=name,
        subresource=subresource,
    )  # fmt: skip


def _ensure_namespace(admin: KubeClient, name: str) -> None:
    """The manifests name fixed namespaces. A namespace cannot be deleted here (no namespace
    controller empties it), so it is left behind, as the conftest leaves its own."""
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    with contextlib.suppress(Conflict):
        admin.request("POST", NAMESPACE, body=body)


@pytest.fixture
def namespaces(admin: KubeClient) -> None:
    _ensure_namespace(admin, SYSTEM)
    _ensure_namespace(admin, ML_TEAM)


@pytest.fixture
def slack_rbac(admin: KubeClient, namespaces: None) -> Iterator[list[dict[str, Any]]]:
    """deploy/rbac.yaml (left in place, as test_rbac_manifest leaves it) and deploy/slack/rbac.yaml
    applied for real; the latter is deleted after."""
    apply(admin, yaml.safe_load_all((ROOT / "deploy" / "rbac.yaml").read_text()))
    objects = _docs("rbac.yaml")
    for obj in objects:
        admin.request("POST", KINDS[obj["kind"]], obj["metadata"].get("namespace"), body=obj)
    yield objects
    for obj in reversed(objects):
        meta = obj["metadata"]
        with contextlib.suppress(NotFound):
            admin.request("DELETE", KINDS[obj["kind"]], meta.get("namespace"), meta["name"])


# -- the files --------------------------------------------------------------------------------


def test_kustomization_applies_every_manifest_but_the_examples() -> None:
    """`kubectl apply -k deploy/slack/` applies every Kubernetes manifest of the directory and
    neither Slack's app manifest nor the placeholder Secret."""
    on_disk = {p.name for p in DEPLOY.glob("*.yaml")} | {p.name for p in DEPLOY.glob("*.yml")}
    assert on_disk >= NOT_APPLIED
    assert sorted(_applied_files()) == sorted(on_disk - NOT_APPLIED)
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return  # the list above is the check; kubectl's rendering is a bonus where it exists
    rendered = subprocess.run(
        [kubectl, "kustomize", str(DEPLOY)], capture_output=True, text=True, check=True
    ).stdout
    kinds = sorted((d["kind"], d["metadata"]["name"]) for d in yaml.safe_load_all(rendered))
    expected = sorted(
        (d["kind"], d["metadata"]["name"]) for f in _applied_files() for d in _docs(f)
    )
    assert kinds == expected
    assert "Secret" not in {kind for kind, _ in kinds}


def test_the_secret_example_parses_and_matches_the_deployment() -> None:
    (secret,) = _docs("secret.example.yaml")
    assert secret["kind"] == "Secret"
    assert set(secret["stringData"]) == {"bot-token", "signing-secret", "app-token"}
    assert (
        "kubectl -n grove-system create secret generic grove-slack-tokens"
        in (DEPLOY / "secret.example.yaml").read_text()
    )
    (deployment,) = _docs("deployment.yaml")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    refs = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in container["env"]}
    assert {n: r["key"] for n, r in refs.items()} == {
        "SLACK_BOT_TOKEN": "bot-token",
        "SLACK_SIGNING_SECRET": "signing-secret",
        "SLACK_APP_TOKEN": "app-token",
    }
    assert {r["name"] for r in refs.values()} == {secret["metadata"]["name"]}
    assert [n for n, r in refs.items() if r.get("optional")] == ["SLACK_APP_TOKEN"]


def test_the_deployment_runs_the_bot_as_configured() -> None:
    (deployment,) = _docs("deployment.yaml")
    (service,) = _docs("service.yaml")
    (configmap,) = _docs("config.yaml")
    (account,) = _docs("serviceaccount.yaml")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert deployment["spec"]["replicas"] == 1
    assert pod["serviceAccountName"] == account["metadata"]["name"] == "grove-slack"
    assert container["command"] == ["grove-slack"]
    args = _parser().parse_args(container["args"])  # grove-slack's own parser reads them
    assert args.http and not args.socket and not args.demo
    assert args.host == "0.0.0.0", "listen on the pod's address, not loopback"
    assert args.port == 3000 and args.config == "/etc/grove-slack/config.yaml"
    (volume,) = [v for v in pod["volumes"] if "configMap" in v]
    assert volume["configMap"]["name"] == configmap["metadata"]["name"]
    assert [i["key"] for i in volume["configMap"]["items"]] == ["config.yaml"]
    (mount,) = [m for m in container["volumeMounts"] if m["name"] == volume["name"]]
    assert mount["mountPath"] == "/etc/grove-slack" and mount["readOnly"] is True
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert security["allowPrivilegeEscalation"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert set(container["resources"]) == {"requests", "limits"}
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    for probe in ("livenessProbe", "readinessProbe"):
        get = container[probe]["httpGet"]
        assert get["path"] == "/healthz" and ports[get["port"]] == 3000
    (port,) = service["spec"]["ports"]
    assert port["port"] == 80 and ports[port["targetPort"]] == 3000
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_the_access_file_loads_and_names_only_impersonable_identities(tmp_path: Path) -> None:
    config = _config(tmp_path)
    assert set(config.channels) == {"C0ONCALL01", "C0MLTEAM01"}
    assert config.channels["C0ONCALL01"].groups == ("grove-slack-viewers",)
    assert config.channels["C0MLTEAM01"].groups == ("grove-slack-ml-team",)
    assert config.alerts is not None and config.alerts.channel in config.channels
    assert config.alerts.countdown_seconds == 30 * 60
    identities = [*config.channels.values(), *config.users.values()]
    allowed = _impersonable()
    assert {i.user for i in identities} == allowed["users"]
    assert {g for i in identities for g in i.groups} == allowed["groups"]


def test_the_app_manifest_asks_for_exactly_what_the_bot_needs() -> None:
    manifest = yaml.safe_load((DEPLOY / "app-manifest.yaml").read_text())
    assert set(manifest) == {"display_information", "features", "oauth_config", "settings"}
    assert 0 < len(manifest["display_information"]["name"]) <= 35  # Slack's limit
    assert len(manifest["display_information"]["description"]) <= 140
    scopes = manifest["oauth_config"]["scopes"]
    assert set(scopes) == {"bot"}  # no user token
    assert sorted(scopes["bot"]) == sorted(SCOPES) and len(scopes["bot"]) == len(SCOPES)
    features = manifest["features"]
    assert features["bot_user"]["display_name"]
    (command,) = features["slash_commands"]
    assert command["command"] == "/grove" and command["usage_hint"]
    settings = manifest["settings"]
    assert sorted(settings["event_subscriptions"]["bot_events"]) == ["app_mention", "message.im"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is False
    urls = {
        command["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    }
    assert urls == {"https://grove-slack.example.com/slack/events"}
    assert features["app_home"]["messages_tab_enabled"] is True  # DMs reach the bot


# -- the API server ---------------------------------------------------------------------------


@pytest.mark.usefixtures("namespaces")
def test_every_manifest_passes_a_strict_server_side_dry_run(admin: KubeClient) -> None:
    sent = [d for f in [*_applied_files(), "secret.example.yaml"] for d in _docs(f)]
    assert {d["kind"] for d in sent} == set(KINDS) - {"Role"}
    for manifest in sent:
        kind = KINDS[manifest["kind"]]
        namespace = manifest["metadata"].get("namespace")
        assert (namespace is not None) == kind.namespaced, manifest["metadata"]["name"]
        stored = admin.request("POST", kind, namespace, body=manifest, params=DRY_RUN)
        # stringData is write-only: the server stores it as data
        skip = ("apiVersion", "kind", "stringData")
        body = {k: v for k, v in manifest.items() if k not in skip}
        assert contained(body, stored) == [], (manifest["kind"], manifest["metadata"]["name"])
    # a dry run persists nothing
    assert admin.request("GET", DEPLOYMENT, SYSTEM)["items"] == []
    ours = [("labelSelector", "app.kubernetes.io/name=grove-slack")]
    assert admin.request("GET", KINDS["ClusterRole"], params=ours)["items"] == []


def test_the_bot_may_impersonate_the_configured_identities_and_nothing_else(
    admin: KubeClient, slack_rbac: list[dict[str, Any]], tmp_path: Path
) -> None:
    def impersonate(resource: str, name: str | None) -> bool:
        return _allowed(admin, BOT, BOT_GROUPS, "impersonate", resource, name=name)

    config = _config(tmp_path)
    for identity in config.channels.values():
        assert impersonate("users", identity.user), identity.user
        assert all(impersonate("groups", g) for g in identity.groups), identity.groups
    assert impersonate("groups", "grove-slack-viewers")
    assert impersonate("users", "grove-slack:oncall")
    for group in ("system:masters", "system:authenticated", "grove-slack-unlisted", None):
        assert not impersonate("groups", group), group
    for user in ("admin", "grove-slack:unlisted", "system:admin", None):
        assert not impersonate("users", user), user
    assert not impersonate("serviceaccounts", "default")
    assert not impersonate("uids", None)
    assert not _allowed(admin, BOT, BOT_GROUPS, "impersonate", "userextras", subresource="scopes")
    # as itself it reads nothing
    for namespace in (SYSTEM, ML_TEAM, None):
        assert not _allowed(admin, BOT, BOT_GROUPS, "list", "pods", namespace=namespace)
        assert not _allowed(
            admin, BOT, BOT_GROUPS, "list", "podcliquesets", group="grove.io", namespace=namespace
        )
    assert not _allowed(admin, BOT, BOT_GROUPS, "get", "secrets", namespace=SYSTEM)
    assert not _allowed(
        admin, BOT, BOT_GROUPS, "get", "pods", namespace=SYSTEM, subresource="proxy"
    )
    # the only binding that names the bot is the impersonator's
    (role,) = [o for o in slack_rbac if o["kind"] == "ClusterRole"]
    assert {v for r in role["rules"] for v in r["verbs"]} == {"impersonate"}


def _reads_podcliquesets(
    admin: KubeClient, user: str, groups: list[str], where: str | None
) -> bool:
    return _allowed(admin, user, groups, "list", "podcliquesets", group="grove.io", namespace=where)


def _proxies_pods(admin: KubeClient, user: str, groups: list[str], where: str | None) -> bool:
    return _allowed(admin, user, groups, "get", "pods", namespace=where, subresource="proxy")


@pytest.mark.usefixtures("slack_rbac")
def test_the_viewers_group_reads_every_namespace(admin: KubeClient, namespace: str) -> None:
    oncall, viewers = "grove-slack:oncall", ["grove-slack-viewers"]
    for where in (ML_TEAM, namespace, "vllm-disagg", None):
        assert _reads_podcliquesets(admin, oncall, viewers, where), where
        assert _allowed(admin, oncall, viewers, "list", "pods", namespace=where), where
    assert _allowed(admin, oncall, viewers, "list", "nodes")
    # the user alone, without the group, reads nothing; the group never writes or reads secrets
    assert not _reads_podcliquesets(admin, oncall, [], namespace)
    assert not _allowed(admin, oncall, viewers, "get", "secrets", namespace=namespace)
    assert not _allowed(admin, oncall, viewers, "delete", "pods", namespace=namespace)


@pytest.mark.usefixtures("slack_rbac")
def test_the_ml_team_group_reads_its_namespace_only(admin: KubeClient, namespace: str) -> None:
    user, groups = "grove-slack:ml-team", ["grove-slack-ml-team"]
    assert _reads_podcliquesets(admin, user, groups, ML_TEAM)
    assert _proxies_pods(admin, user, groups, ML_TEAM)
    for where in (namespace, SYSTEM, None):
        assert not _reads_podcliquesets(admin, user, groups, where), where
        assert not _proxies_pods(admin, user, groups, where), where
    assert not _allowed(admin, user, groups, "list", "nodes")


def _bot_token(admin: KubeClient) -> str:
    """A token of the bot's ServiceAccount (created for real and left, like the namespace)."""
    (account,) = _docs("serviceaccount.yaml")
    with contextlib.suppress(Conflict):
        admin.request("POST", SERVICE_ACCOUNT, SYSTEM, body=account)
    request = {
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "TokenRequest",
        "spec": {"expirationSeconds": 600},
    }
    answer = admin.request(
        "POST", SERVICE_ACCOUNT, SYSTEM, "grove-slack", sub="token", body=request
    )
    return str(answer["status"]["token"])


def test_real_requests_with_the_bots_token_go_as_far_as_impersonation_allows(
    admin: KubeClient, envtest: ApiServer, slack_rbac: list[dict[str, Any]]
) -> None:
    """What the bot itself sends: its own token plus Impersonate-User / Impersonate-Group."""
    kubeconfig = yaml.safe_load(envtest.kubeconfig().read_text())
    ca = kubeconfig["clusters"][0]["cluster"]["certificate-authority"]
    auth = {"Authorization": f"Bearer {_bot_token(admin)}"}
    with httpx.Client(
        base_url=envtest.url, verify=ssl.create_default_context(cafile=ca), trust_env=False
    ) as http:

        def status(path: str, user: str | None = None, *groups: str) -> int:
            headers = list(auth.items())
            if user:
                headers.append(("Impersonate-User", user))
            headers += [("Impersonate-Group", g) for g in groups]
            return http.get(path, headers=headers).status_code

        pcs_ml, pcs_all = PODCLIQUESET.path(ML_TEAM), PODCLIQUESET.path(None)
        assert status(pcs_all, "grove-slack:oncall", "grove-slack-viewers") == 200
        assert status(pcs_ml, "grove-slack:ml-team", "grove-slack-ml-team") == 200
        assert status(pcs_all, "grove-slack:ml-team", "grove-slack-ml-team") == 403
        assert status(POD.path(SYSTEM)) == 403  # as itself
        assert status(pcs_all, "grove-slack:oncall", "system:masters") == 403
        assert status(pcs_all, "admin") == 403
        assert status(pcs_all, "grove-slack:oncall", "grove-slack-unlisted") == 403
