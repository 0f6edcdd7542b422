"""Inputs refused before any run, and names within Grove's combined limit."""

from __future__ import annotations

import pytest

from grove_mcp.aic import make_request
from grove_mcp.aic.naming import default_name, fit_name, longest_child, model_slug
from grove_mcp.errors import InvalidInput

GOOD = {
    "model": "Qwen/Qwen3-32B",
    "system": "h200_sxm",
    "total_gpus": 8,
    "backend": "sglang",
    "ttft_ms": 300,
    "tpot_ms": 10,
}


def test_a_good_request_has_aiconfigurators_defaults():
    request = make_request(**GOOD)
    assert (request.isl, request.osl, request.top_n, request.database_mode) == (
        4000,
        1000,
        5,
        "SILICON",
    )
    assert not request.is_local_model


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"backend": "tensorrt"}, "backend: Input should be 'sglang', 'vllm' or 'trtllm'"),
        ({"total_gpus": 0}, "total-gpus: Input should be greater than or equal to 1"),
        ({"system": "H200 SXM"}, "system 'H200 SXM' is not an AIConfigurator system name"),
        ({"tpot_ms": None}, "give a TPOT target (--tpot) or a request latency target"),
        ({"request_latency_ms": 12000}, "not both"),
        ({"ttft_ms": -1}, "ttft-ms: Input should be greater than 0"),
        ({"model": "./no/such/dir"}, "./no/such/dir/config.json does not exist"),
    ],
)
def test_bad_inputs_name_the_flag(change, words):
    with pytest.raises(InvalidInput) as caught:
        make_request(**{**GOOD, **change})
    assert words in str(caught.value)


def test_request_latency_may_replace_tpot_and_local_dirs_need_config_json(tmp_path):
    assert make_request(**{**GOOD, "tpot_ms": None, "request_latency_ms": 9000}).tpot_ms is None
    (tmp_path / "config.json").write_text("{}")
    assert make_request(**{**GOOD, "model": str(tmp_path)}).is_local_model


def test_default_names_follow_the_requirements_file_names():
    assert default_name("Qwen/Qwen3-32B", "sglang", "disagg") == "qwen3-32b-sglang-disagg"
    assert model_slug("/models/Meta-Llama-3.1_8B/") == "meta-llama-3-1-8b"
    assert model_slug("///") == "model"


def test_fit_name_keeps_short_names_and_cuts_long_ones_with_a_hash():
    assert fit_name("my-inference", 18) == "my-inference"
    cut = fit_name("x" * 40, longest_child([(None, "frontend"), ("prefill", "prefill-ldr")]))
    assert len(cut) == 45 - 18 and cut[-5] == "-"
    assert fit_name("x" * 40, 18) == cut and fit_name("x" * 41, 18) != cut
    with pytest.raises(ValueError, match="no room"):
        fit_name("abc", 40)
