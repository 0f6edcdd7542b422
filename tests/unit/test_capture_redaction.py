"""What ``kubectl grove diag`` captures is redacted before it touches the disk: every planted
credential is gone, counted by kind, and the useful, harmless values stay."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from grove_mcp.capture import ENV_ALLOWLIST, env_value_kept, redact_log, redact_object
from grove_mcp.redact import MASK, Redactions, redact_argv, redact_text, redact_text_counted

HF_EQ = "hf_EqualsSignTokenAbCdEf0123456789"
HF_SPLIT = "hf_SplitArgTokenAbCdEf0123456789"
API_KEY_ARG = "plain-api-key-value-0042"  # no shape of its own: only its flag says what it is
ENV_SECRET = "s3cr3t-env-value-0043"
ENV_DYN_KEY = "dyn-key-value-0044"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwbGFudGVkLWp3dCJ9.c2lnbmF0dXJlLW9mLXRoZS1wbGFudGVkLWp3dA"
LAST_APPLIED_ENV = "last-applied-env-value-0045"
BEARER = "BearerPlantedTokenAbCdEf0123456789"
CM_PASSWORD = "cm-hunter2-password-0046"
AWS = "AKIAPLANTEDKEY012345"
SLACK = "xoxb-0123456789-plantedslacktoken"
LOG_PASSWORD = "log-password-0047"
KEY_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7plantedkeybody"

POD_SECRETS = [HF_EQ, HF_SPLIT, API_KEY_ARG, ENV_SECRET, ENV_DYN_KEY, JWT, LAST_APPLIED_ENV]


def _pod() -> dict[str, Any]:
    last_applied = {"spec": {"containers": [{"env": [{"name": "X", "value": LAST_APPLIED_ENV}]}]}}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "sk-hynix-llama-70b-prod-0-decode-abcde",
            "namespace": "vllm-disagg",
            "labels": {"app.kubernetes.io/part-of": "sk-hynix-llama-70b-prod"},
            "annotations": {
                "example.com/auth": f"issued {JWT}",
                "kubectl.kubernetes.io/last-applied-configuration": json.dumps(last_applied),
                "grove.io/note": "harmless",
            },
            "managedFields": [{"manager": "kubectl", "fieldsV1": {"f:spec": {}}}],
        },
        "spec": {
            "initContainers": [
                {
                    "name": "fetch",
                    "image": "busybox:1.36",
                    "env": [{"name": "TOKEN", "value": ENV_SECRET}],
                }
            ],
            "containers": [
                {
                    "name": "main",
                    "image": "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.1",
                    "command": ["python3", "-m", "dynamo.vllm"],
                    "args": [
                        "--model",
                        "Qwen/Qwen3-32B",
                        "--tp-size",
                        "4",
                        f"--hf-token={HF_EQ}",
                        "--hf-token",
                        HF_SPLIT,
                        "--api-key",
                        API_KEY_ARG,
                    ],
                    "env": [
                        {"name": "DYN_SYSTEM_PORT", "value": "9090"},
                        {"name": "DYN_NAMESPACE", "value": "vllm-disagg-my-inference"},
                        {"name": "DYN_COMPONENT", "value": "worker"},
                        {"name": "DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS", "value": '["generate"]'},
                        {"name": "CUDA_VISIBLE_DEVICES", "value": "0,1"},
                        {"name": "DYN_API_KEY", "value": ENV_DYN_KEY},
                        {"name": "MODEL_NAME", "value": "Qwen/Qwen3-32B"},
                        {
                            "name": "HF_TOKEN",
                            "valueFrom": {"secretKeyRef": {"name": "hf-token", "key": "token"}},
                        },
                        {
                            "name": "POD_NAME",
                            "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                        },
                        {"name": "EMPTY", "value": ""},
                    ],
                }
            ],
        },
        "status": {
            "conditions": [{"type": "Ready", "status": "False", "message": "containers not ready"}]
        },
    }


def _event() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": "e1", "namespace": "vllm-disagg"},
        "reason": "Unhealthy",
        "message": f"Readiness probe failed: GET /health with Authorization: Bearer {BEARER}: 503",
    }


def _configmap() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "router-config", "namespace": "vllm-disagg"},
        "data": {"config.yaml": f"router:\n  mode: kv\n  password: {CM_PASSWORD}\n"},
    }


LOG = (
    "INFO loading model Qwen/Qwen3-32B with --tp-size 4\n"
    f"DEBUG s3 client with {AWS}\n"
    f"WARN posting to slack with {SLACK}\n"
    f"ERROR db connect failed password={LOG_PASSWORD}\n"
    "-----BEGIN RSA PRIVATE KEY-----\n"
    f"{KEY_BODY}\n"
    "Zm9vYmFyYmF6cXV4cXV1eA==\n"
    "-----END RSA PRIVATE KEY-----\n"
    "INFO ready on port 9090\n"
)
LOG_SECRETS = [AWS, SLACK, LOG_PASSWORD, KEY_BODY, "Zm9vYmFyYmF6cXV4cXV1eA=="]


def test_no_planted_secret_survives_in_a_pod():
    counts = Redactions()
    dumped = json.dumps(redact_object(_pod(), counts))
    for secret in POD_SECRETS:
        assert secret not in dumped, secret
    assert "last-applied-configuration" not in dumped
    assert "managedFields" not in dumped
    assert counts.as_dict() == {
        "env_value": 3,  # TOKEN, DYN_API_KEY, MODEL_NAME (not allowlisted, though harmless)
        "hf_token": 1,  # --hf-token=hf_… : the shape is found first
        "jwt": 1,
        "last_applied": 1,
        "secret_arg": 2,  # --hf-token <next>, --api-key <next>
    }


def test_the_useful_values_survive():
    pod = _pod()
    out = redact_object(pod, Redactions())
    env = {e["name"]: e for e in out["spec"]["containers"][0]["env"]}
    assert env["DYN_SYSTEM_PORT"]["value"] == "9090"
    assert env["DYN_NAMESPACE"]["value"] == "vllm-disagg-my-inference"
    assert env["DYN_COMPONENT"]["value"] == "worker"
    assert env["DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS"]["value"] == '["generate"]'
    assert env["CUDA_VISIBLE_DEVICES"]["value"] == "0,1"
    assert env["DYN_API_KEY"]["value"] == MASK
    assert env["MODEL_NAME"]["value"] == MASK
    assert env["EMPTY"]["value"] == ""
    original = {e["name"]: e for e in pod["spec"]["containers"][0]["env"]}
    assert env["HF_TOKEN"] == original["HF_TOKEN"]  # valueFrom: a reference, kept
    assert env["POD_NAME"] == original["POD_NAME"]
    args = out["spec"]["containers"][0]["args"]
    assert args == [
        "--model",
        "Qwen/Qwen3-32B",
        "--tp-size",
        "4",
        f"--hf-token={MASK}",
        "--hf-token",
        MASK,
        "--api-key",
        MASK,
    ]
    assert out["spec"]["containers"][0]["command"] == ["python3", "-m", "dynamo.vllm"]
    assert out["spec"]["containers"][0]["image"] == "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.1"
    assert out["metadata"]["name"] == pod["metadata"]["name"]
    assert out["metadata"]["labels"] == pod["metadata"]["labels"]
    assert out["metadata"]["annotations"]["grove.io/note"] == "harmless"
    assert out["metadata"]["annotations"]["example.com/auth"] == f"issued {MASK}"
    assert out["status"] == pod["status"]


def test_the_input_is_not_changed():
    pod = _pod()
    before = copy.deepcopy(pod)
    out = redact_object(pod, Redactions())
    assert pod == before
    out["spec"]["containers"][0]["env"][7]["valueFrom"]["secretKeyRef"]["name"] = "changed"
    assert pod == before  # a deep copy, references included


def test_events_and_configmaps():
    counts = Redactions()
    event = redact_object(_event(), counts)
    cm = redact_object(_configmap(), counts)
    dumped = json.dumps([event, cm])
    assert BEARER not in dumped and CM_PASSWORD not in dumped
    assert (
        event["message"]
        == f"Readiness probe failed: GET /health with Authorization: Bearer {MASK}: 503"
    )
    assert cm["data"]["config.yaml"] == f"router:\n  mode: kv\n  password: {MASK}\n"
    assert counts.as_dict() == {"bearer": 1, "password_pair": 1}


def test_a_log():
    counts = Redactions()
    out = redact_log(LOG, counts)
    for secret in LOG_SECRETS:
        assert secret not in out, secret
    assert counts.as_dict() == {
        "aws_key": 1,
        "password_pair": 1,
        "private_key": 1,
        "slack_token": 1,
    }
    lines = out.splitlines()
    assert lines[0] == "INFO loading model Qwen/Qwen3-32B with --tp-size 4"
    assert lines[-1] == "INFO ready on port 9090"
    assert out.endswith("\n")


def test_an_unterminated_private_key_is_masked_to_the_end():
    counts = Redactions()
    out = redact_log(f"boot\n-----BEGIN PRIVATE KEY-----\n{KEY_BODY}\n", counts)
    assert out == f"boot\n{MASK}\n"
    assert counts.as_dict() == {"private_key": 1}


@pytest.mark.parametrize("kind", ["Secret", "SecretList"])
def test_secrets_are_refused(kind):
    with pytest.raises(ValueError, match="never reads Secrets"):
        redact_object(
            {"kind": kind, "metadata": {"name": "hf-token"}, "data": {"token": "aGY="}},
            Redactions(),
        )


def test_a_secret_inside_a_list_is_refused():
    listing = {
        "kind": "List",
        "items": [_configmap(), {"kind": "Secret", "metadata": {"name": "x"}}],
    }
    with pytest.raises(ValueError):
        redact_object(listing, Redactions())


def test_pods_inside_templates_and_lists():
    pcs = {
        "kind": "PodCliqueSet",
        "metadata": {"name": "sk-hynix-llama-70b-prod"},
        "spec": {
            "template": {"cliques": [{"name": "decode", "spec": {"podSpec": _pod()["spec"]}}]}
        },
    }
    counts = Redactions()
    dumped = json.dumps(redact_object({"kind": "List", "items": [pcs, _pod()]}, counts))
    for secret in POD_SECRETS:
        if secret not in (JWT, LAST_APPLIED_ENV):  # those sit in the pod's metadata only
            assert secret not in dumped, secret
    assert counts["env_value"] == 6 and counts["secret_arg"] == 4
    assert "sk-hynix-llama-70b-prod" in dumped


def test_binary_data_and_ephemeral_containers():
    counts = Redactions()
    out = redact_object(
        {
            "kind": "ConfigMap",
            "binaryData": {"blob": "c2VjcmV0"},
            "spec": {
                "ephemeralContainers": [{"name": "debug", "env": [{"name": "X", "value": "y"}]}]
            },
        },
        counts,
    )
    assert out["binaryData"] == {"blob": MASK}
    assert out["spec"]["ephemeralContainers"][0]["env"][0]["value"] == MASK
    assert counts.as_dict() == {"binary_data": 1, "env_value": 1}


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("DYN_SYSTEM_PORT", True),
        ("DYN_NAMESPACE", True),
        ("DYN_DISCOVERY_BACKEND", True),
        ("DYN_PARENT_DGD_K8S_NAME", True),
        ("POD_NAMESPACE", True),
        ("CUDA_VISIBLE_DEVICES", True),
        ("NCCL_DEBUG", True),
        ("OMP_NUM_THREADS", True),
        ("VLLM_WORKER_MULTIPROC_METHOD", True),
        ("HF_HOME", True),
        ("HF_TOKEN", False),
        ("HUGGING_FACE_HUB_TOKEN", False),
        ("DYN_API_KEY", False),
        ("DYN_AUTH_HEADER", False),
        ("VLLM_API_KEY", False),
        ("NCCL_SECRET", False),
        ("CUDA_PASSWORD", False),
        ("SGLANG_CREDENTIALS", False),
        ("NVIDIA_API_KEY", False),
        ("dyn_system_token", False),
        ("MODEL_NAME", False),
        ("AWS_REGION", False),
    ],
)
def test_the_env_rule(name, kept):
    assert env_value_kept(name) is kept
    assert "DYN_*" in ENV_ALLOWLIST


def test_an_allowlisted_value_still_passes_the_patterns():
    counts = Redactions()
    out = redact_object(
        {
            "spec": {
                "containers": [
                    {"env": [{"name": "NATS_SERVER", "value": "nats://dyn:pw-0048@nats:4222"}]}
                ]
            }
        },
        counts,
    )
    assert out["spec"]["containers"][0]["env"][0]["value"] == f"nats://dyn:{MASK}@nats:4222"
    assert counts.as_dict() == {"url_password": 1}


HARMLESS = [
    "sk-hynix-llama-70b-prod",
    "podcliqueset/sk-hynix-llama-70b-prod-disagg on node sk-hynix-gpu-node-0001",
    "nvcr.io/nvidia/ai-dynamo/sglang-runtime:0.6.1-cuda12",
    "--tp-size 4 --max-num-batched-tokens 8192 --tokenizer Qwen/Qwen3-32B",
    "0/6 nodes are available: 6 Insufficient nvidia.com/gpu. token bucket tokenizer",
    "basic configuration loaded",
    "Authorization header missing",
    "http://prom:9090/api/v1/query",
]


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_text_is_untouched(text):
    counts = Redactions()
    assert redact_text_counted(text, counts) == text
    assert redact_log(text, counts) == text
    assert not counts.as_dict()


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        (
            "curl -H 'Authorization: Basic dXNlcjpwYXNzd29yZA=='",
            "basic_auth",
            f"curl -H 'Authorization: Basic {MASK}'",
        ),
        (
            "python -m x --token abc123 --port 8000",
            "secret_arg",
            f"python -m x --token {MASK} --port 8000",
        ),
        ("run --password=hunter2 -v", "secret_arg", f"run --password={MASK} -v"),
        ("--hf_token hf_AbCdEfGhIjKlMnOpQrStUvWx", "hf_token", f"--hf_token {MASK}"),
        (
            "client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ==",
            "kubeconfig_key",
            f"client-key-data: {MASK}",
        ),
        ("ghp_" + "a" * 36, "github_token", MASK),
        ("key sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123", "api_key", f"key {MASK}"),
    ],
)
def test_each_kind(text, kind, expected):
    counts = Redactions()
    assert redact_text_counted(text, counts) == expected
    assert counts.as_dict() == {kind: 1}
    again = Redactions()
    assert redact_text_counted(expected, again) == expected  # masked once, counted once
    assert not again.as_dict()


def test_redact_text_is_the_uncounted_form():
    text = f"token={SLACK} and Bearer {BEARER}"
    counts = Redactions()
    assert redact_text(text) == redact_text_counted(text, counts)
    assert counts.as_dict() == {"bearer": 1, "slack_token": 1}


def test_argv_value_after_a_flag_is_masked_but_not_a_next_flag():
    counts = Redactions()
    assert redact_argv(["--token", "--port", "8000", "--password", MASK], counts) == [
        "--token",
        "--port",
        "8000",
        "--password",
        MASK,
    ]
    assert not counts.as_dict()
    shell = "serve --token --port 8000"  # a flag without its value: the next flag is not one
    assert redact_text_counted(shell, counts) == shell
    assert not counts.as_dict()


def test_as_dict_is_sorted_and_leaves_out_zeros():
    counts = Redactions({"jwt": 2, "bearer": 1, "aws_key": 0})
    assert list(counts.as_dict()) == ["bearer", "jwt"]
