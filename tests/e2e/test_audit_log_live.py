"""The audit option of the test API server: events name the program that sent each request,
a dry run is told from a write by its request URI, and the log survives a restart."""

from __future__ import annotations

from grove_mcp.grove.kinds import NAMESPACE
from grove_mcp.sources.kube import CLI_AGENT, KubeClient
from tools.envtest.apiserver import ApiServer, Binaries
from tools.envtest.audit import classify, read_log


def test_the_log_names_each_program_and_appends_across_a_restart(binaries: Binaries) -> None:
    with ApiServer(binaries, audit=True) as server:
        assert server.audit_dir is not None
        cli = KubeClient.connect(str(server.kubeconfig()), agent=CLI_AGENT)
        cli.request("GET", NAMESPACE, name="default")
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dry"}}
        cli.request("POST", NAMESPACE, body=body, params=[("dryRun", "All")])
        before = read_log(server.audit_dir)
        with server.down():
            pass
        cli.request("POST", NAMESPACE, body={**body, "metadata": {"name": "written"}})
        after = read_log(server.audit_dir)
    assert after[: len(before)] == before  # appended to, not started again
    ours = [(e.verb, e.name, classify(e)) for e in after if e.program == "kubectl-grove"]
    assert ours == [
        ("get", "default", "read"),
        ("create", "dry", "dry-run"),
        ("create", "written", "violation"),  # the CLI wrote, and nobody consented
    ]
