"""The audit-log classifier on hand-made kube-apiserver audit lines: grove-mcp's reads pass,
its consented plan store and dry runs are counted apart, any other write by it is flagged."""

from __future__ import annotations

import json

import pytest

from grove_mcp.sources.kube import PLAN_STORE, user_agent
from tools.envtest.audit import classify, events, parse_line, tally


def line(
    verb: str,
    resource: str,
    agent: str,
    uri: str = "",
    user: str = "admin",
    stage: str = "ResponseComplete",
    audit_id: str = "",
    subresource: str = "",
) -> str:
    ref = {"resource": resource, "namespace": "ns", "name": "x"}
    if subresource:
        ref["subresource"] = subresource
    return json.dumps(
        {
            "kind": "Event",
            "apiVersion": "audit.k8s.io/v1",
            "level": "Metadata",
            "auditID": audit_id or f"{verb}-{resource}-{agent}-{uri}",
            "stage": stage,
            "requestURI": uri or f"/api/v1/namespaces/ns/{resource}",
            "verb": verb,
            "user": {"username": user},
            "userAgent": agent,
            "objectRef": ref,
            "responseStatus": {"code": 200},
        }
    )


CLI, MCP, SLACK = (user_agent(p) for p in ("kubectl-grove", "grove-mcp", "grove-slack"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (line("list", "pods", CLI), "read"),
        (line("watch", "podcliques", user_agent("kubectl-grove-tui")), "read"),
        (line("get", "pods", SLACK, subresource="log"), "read"),
        (line("create", "selfsubjectaccessreviews", MCP), "review"),
        (line("create", "selfsubjectrulesreviews", SLACK), "review"),
        (line("create", "podcliquesets", CLI, "/apis/grove.io/v1alpha1/x?dryRun=All"), "dry-run"),
        (line("create", "configmaps", user_agent("grove-mcp", PLAN_STORE)), "plan-store"),
        (line("update", "configmaps", user_agent("kubectl-grove", PLAN_STORE)), "plan-store"),
        (line("patch", "pods", user_agent("grove-envtest"), subresource="status"), "harness"),
        (line("create", "namespaces", user_agent("grove-seed")), "harness"),
        (
            line("update", "flowschemas", "kube-apiserver/v1.34.4", user="system:apiserver"),
            "harness",
        ),
        # the mutation check: writes by grove-mcp that nobody consented to
        (line("create", "podcliquesets", CLI), "violation"),
        (
            line("create", "podcliquesets", CLI, "/apis/grove.io/v1alpha1/x?dryRun=None"),
            "violation",
        ),
        (line("delete", "pods", MCP), "violation"),
        (line("patch", "podcliques", SLACK), "violation"),
        (line("deletecollection", "pods", user_agent("grove-mcp-core")), "violation"),
        (line("delete", "configmaps", user_agent("grove-mcp", PLAN_STORE)), "violation"),
        (line("create", "secrets", user_agent("grove-mcp", PLAN_STORE)), "violation"),
        (line("update", "configmaps", MCP), "violation"),  # a ConfigMap write not so marked
        (line("create", "pods", "kubectl/v1.34.4"), "violation"),  # an unknown writer
    ],
)
def test_classify(raw: str, expected: str) -> None:
    parsed = parse_line(raw)
    assert parsed is not None
    assert classify(parsed[2]) == expected


def test_a_watch_counts_once_and_noise_is_skipped() -> None:
    watch = [
        line("watch", "pods", CLI, audit_id="w1", stage="ResponseStarted"),
        line("watch", "pods", CLI, audit_id="w1", stage="ResponseComplete"),
    ]
    log = events([*watch, "not json", '{"kind": "Status"}', line("delete", "pods", MCP)])
    assert [(e.verb, e.program) for e in log] == [
        ("watch", "kubectl-grove"),
        ("delete", "grove-mcp"),
    ]
    counted = tally(log)
    assert counted.by_program_verb[("kubectl-grove", "watch")] == 1
    assert [e.verb for e in counted.violations] == ["delete"]
    assert counted.product_events() == 2
    assert any("violation" in text for text in counted.lines())


def test_the_user_agent_names_the_write() -> None:
    assert user_agent("grove-slack").startswith("grove-slack/")
    parsed = parse_line(line("create", "configmaps", user_agent("grove-mcp", PLAN_STORE)))
    assert parsed is not None
    assert (parsed[2].program, parsed[2].purpose) == ("grove-mcp", PLAN_STORE)
