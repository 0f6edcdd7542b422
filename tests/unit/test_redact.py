"""The central redaction step masks credentials wherever they appear in a report."""

from __future__ import annotations

import pytest
from unit_helpers import scenario_snapshot

from grove_mcp.capabilities.health import build_health
from grove_mcp.redact import MASK, redact, redact_text


@pytest.mark.parametrize(
    "secret",
    [
        "Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345",
        "HF_TOKEN=hf_abcdefghijklmnopqrstuvwxyz1234",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "AKIAIOSFODNN7EXAMPLE",
        "password: hunter2hunter2",
        "api_key=sk-abcdefghijklmnopqrstuvwx",
        "key sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123",
    ],
)
def test_masks_credentials(secret):
    cleaned = redact_text(f"container said: {secret} and stopped")
    assert MASK in cleaned
    assert cleaned.startswith("container said: ") and cleaned.endswith(" and stopped")


def test_leaves_ordinary_text_alone():
    text = "0/6 nodes are available: 6 Insufficient nvidia.com/gpu. token bucket tokenizer"
    assert redact_text(text) == text
    names = "podcliqueset/sk-hynix-llama-70b-prod-disagg on node sk-hynix-gpu-node-0001"
    assert redact_text(names) == names  # Kubernetes names are lowercase; OpenAI keys are not


def test_redacts_inside_a_report():
    report = build_health(scenario_snapshot("demo", events=True), "my-inference")
    gang = report.gangs[1]
    leaky = gang.issues[0].model_copy(update={"message": "HF_TOKEN=hf_abcdefghijklmnopqrstuv12"})
    dirty = report.model_copy(
        update={"gangs": [report.gangs[0], gang.model_copy(update={"issues": [leaky]})]}
    )
    cleaned = redact(dirty)
    assert "hf_abc" not in cleaned.model_dump_json()
    assert redact(report) is report  # nothing to mask: the same object


def test_a_password_in_a_url_is_masked_and_the_rest_kept():
    text = "Prometheus at https://grafana:s3cr3t-Pa55@prom.example:9090/api failed"
    assert redact_text(text) == f"Prometheus at https://grafana:{MASK}@prom.example:9090/api failed"
    assert redact_text("http://prom:9090/api/v1/query") == "http://prom:9090/api/v1/query"
