"""The engine catalog: detection from served names, fallback chains, hints (inference-metrics.md A)."""

from __future__ import annotations

import pytest

from grove_mcp.metrics.catalog import (
    DYNAMO_FRONTEND,
    PROFILES,
    SGLANG,
    TRTLLM,
    VLLM,
    Basis,
    Engine,
    EngineHint,
    MetricType,
    Quantity,
    Read,
    canonical,
    detect_engine,
    hint_from_container,
    profile,
    resolve,
    worker_profile,
)

# Names as the engines serve them (families as prometheus_client's parser yields them, plus
# some sample names), from the reference's tables A.1-A.4.
VLLM_NAMES = {
    "vllm:num_requests_running",
    "vllm:num_requests_waiting",
    "vllm:kv_cache_usage_perc",
    "vllm:prompt_tokens_total",
    "vllm:generation_tokens_total",
    "vllm:time_to_first_token_seconds_bucket",
    "vllm:time_to_first_token_seconds_count",
    "vllm:time_to_first_token_seconds_sum",
    "vllm:inter_token_latency_seconds",
    "vllm:request_time_per_output_token_seconds",
    "vllm:request_success_total",
    "vllm:prompt_tokens_created",
    "python_gc_objects_collected_total",
    "process_start_time_seconds",
}
SGLANG_NAMES = {
    "sglang:num_running_reqs",
    "sglang:num_queue_reqs",
    "sglang:token_usage",
    "sglang:gen_throughput",
    "sglang:prompt_tokens_total",
    "sglang:generation_tokens_total",
    "sglang:time_to_first_token_seconds",
    "sglang:inter_token_latency_seconds",
    "sglang:num_requests_total",
}
TRTLLM_NAMES = {
    "trtllm_time_to_first_token_seconds",
    "trtllm_time_per_output_token_seconds",
    "trtllm_e2e_request_latency_seconds",
    "trtllm_request_success_total",
    "trtllm_kv_cache_utilization",
    "trtllm_kv_cache_hit_rate",
    "trtllm_prompt_tokens_total",
    "trtllm_generation_tokens_total",
    "trtllm_num_requests_running",
    "trtllm_num_requests_waiting",
}
TRTLLM_FIRST_NAMES = {
    "request_success_total",
    "e2e_request_latency_seconds",
    "time_to_first_token_seconds",
    "time_per_output_token_seconds",
    "request_queue_time_seconds",
}
FRONTEND_NAMES = {
    "dynamo_frontend_requests_total",
    "dynamo_frontend_inflight_requests",
    "dynamo_frontend_queued_requests",
    "dynamo_frontend_time_to_first_token_seconds",
    "dynamo_frontend_inter_token_latency_seconds",
    "dynamo_frontend_input_sequence_tokens_sum",
    "dynamo_frontend_output_tokens_total",
    "dynamo_component_router_requests_total",  # newer frontends also run the router (A.4)
}
WORKER_COMPONENT = {
    "dynamo_component_requests_total",
    "dynamo_component_inflight_requests",
    "dynamo_component_request_duration_seconds",
    "dynamo_component_uptime_seconds",
}


def underscored(names: set[str]) -> set[str]:
    """The same names after the OpenMetrics escaping bug (§0.1): ``vllm:x`` → ``vllm_x``."""
    return {n.replace(":", "_") for n in names}


@pytest.mark.parametrize("form", [lambda n: n, underscored], ids=["colon", "underscore"])
@pytest.mark.parametrize(
    ("names", "engine"),
    [(VLLM_NAMES, Engine.vllm), (SGLANG_NAMES, Engine.sglang), (TRTLLM_NAMES, Engine.trtllm)],
)
def test_each_engine_is_detected_from_its_names_in_both_prefix_forms(names, engine, form):
    detection = detect_engine(form(names))
    assert (detection.engine, detection.basis) == (engine, Basis.names)
    assert detection.evidence and all(e in form(names) for e in detection.evidence)


def test_trtllm_colon_prefix_of_old_dynamo_docs_is_the_same_engine():
    assert detect_engine({n.replace("trtllm_", "trtllm:", 1) for n in TRTLLM_NAMES}).engine is (
        Engine.trtllm
    )


def test_trtllm_first_version_unprefixed_names():
    detection = detect_engine(TRTLLM_FIRST_NAMES)
    assert detection.engine is Engine.trtllm
    assert "unprefixed" in detection.why
    ttft = resolve(TRTLLM.chains[Quantity.ttft], TRTLLM_FIRST_NAMES)
    assert ttft and ttft.served_name == "time_to_first_token_seconds" and ttft.fallback


def test_dynamo_frontend_wins_over_router_component_metrics():
    detection = detect_engine(FRONTEND_NAMES)
    assert detection.engine is Engine.dynamo_frontend and detection.backend is None


@pytest.mark.parametrize(
    ("passthrough", "backend"),
    [
        ({"vllm:num_requests_running", "vllm:kv_cache_usage_perc"}, Engine.vllm),
        ({"sglang:token_usage", "sglang:num_queue_reqs"}, Engine.sglang),
        ({"trtllm_kv_cache_utilization", "trtllm_num_requests_waiting"}, Engine.trtllm),
    ],
)
def test_dynamo_worker_with_its_backend_from_passthrough_names(passthrough, backend):
    detection = detect_engine(WORKER_COMPONENT | passthrough)
    assert (detection.engine, detection.backend) == (Engine.dynamo_worker, backend)
    kv = resolve(profile(Engine.dynamo_worker, backend).chains[Quantity.kv_usage], passthrough)
    assert kv is not None and not kv.fallback


def test_dynamo_worker_without_passthrough_takes_its_backend_from_the_hint():
    hint = hint_from_container("nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.9.0")
    detection = detect_engine(WORKER_COMPONENT, hint)
    assert (detection.engine, detection.backend) == (Engine.dynamo_worker, Engine.vllm)
    assert "hint" in detection.why


def test_ambiguous_names_are_settled_by_the_hint():
    names = {"vllm:num_requests_running", "sglang:num_running_reqs"}
    hint = hint_from_container(
        "lmsysorg/sglang:v0.5.5", args=["python3", "-m", "sglang.launch_server"]
    )
    detection = detect_engine(names, hint)
    assert (detection.engine, detection.basis) == (Engine.sglang, Basis.names_and_hint)


def test_ambiguous_names_without_a_fitting_hint_are_unknown_with_why():
    names = {"vllm:num_requests_running", "sglang:num_running_reqs"}
    plain = detect_engine(names)
    assert plain.engine is Engine.unknown and "several engines (vllm, sglang)" in plain.why
    other = detect_engine(names, EngineHint(Engine.trtllm, "image trtllm"))
    assert other.engine is Engine.unknown and "names none of them" in other.why


def test_no_known_names_falls_back_to_the_hint():
    hint = hint_from_container("vllm/vllm-openai:v0.11.0")
    detection = detect_engine({"python_info", "process_cpu_seconds_total"}, hint)
    assert (detection.engine, detection.basis) == (Engine.vllm, Basis.hint)
    assert "no known engine metric among 2 names" in detection.why


def test_unknown_says_why():
    assert detect_engine(set()).why == "no metric names to look at, and no image or args hint"
    some = detect_engine({"go_goroutines", "up"})
    assert some.engine is Engine.unknown
    assert some.why.startswith("none of the 2 metric names is a known engine's")
    router = hint_from_container(
        "lmsysorg/sglang:v0.5.5", args=["python3", "-m", "sglang_router.launch_router"]
    )
    assert router is not None and router.engine is Engine.unknown
    assert "SGLang router" in detect_engine(set(), router).why


@pytest.mark.parametrize(
    ("image", "command", "engine", "backend"),
    [
        ("vllm/vllm-openai:v0.11.0", [], Engine.vllm, None),
        ("registry.local/my-image:1", ["vllm", "serve", "Qwen/Qwen3-32B"], Engine.vllm, None),
        ("lmsysorg/sglang:v0.5.5", [], Engine.sglang, None),
        ("nvcr.io/nvidia/tensorrt-llm/release:1.1.0", [], Engine.trtllm, None),
        ("x:1", ["trtllm-serve", "Qwen/Qwen3-32B"], Engine.trtllm, None),
        (
            "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.9.0",
            ["python3", "-m", "dynamo.frontend"],
            Engine.dynamo_frontend,
            None,
        ),
        (
            "nvcr.io/nvidia/ai-dynamo/sglang-runtime:0.9.0",
            ["python3", "-m", "dynamo.sglang", "--model-path", "m"],
            Engine.dynamo_worker,
            Engine.sglang,
        ),
        (
            "nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:0.9.0",
            [],
            Engine.dynamo_worker,
            Engine.trtllm,
        ),
    ],
)
def test_hint_from_container(image, command, engine, backend):
    hint = hint_from_container(image, command)
    assert hint is not None and (hint.engine, hint.backend) == (engine, backend)


def test_no_hint_from_an_unrelated_container():
    assert hint_from_container("nvcr.io/nvidia/pytorch:25.08-py3", ["python", "train.py"]) is None


def test_renamed_metrics_resolve_through_their_chains():
    old_vllm = {"vllm:gpu_cache_usage_perc", "vllm:time_per_output_token_seconds"}
    kv = resolve(VLLM.chains[Quantity.kv_usage], old_vllm)
    itl = resolve(VLLM.chains[Quantity.itl], old_vllm)
    assert kv and (kv.served_name, kv.fallback) == ("vllm:gpu_cache_usage_perc", True)
    assert itl and itl.served_name == "vllm:time_per_output_token_seconds"
    old_sglang = {"sglang_time_per_output_token_seconds_bucket"}
    sg = resolve(SGLANG.chains[Quantity.itl], old_sglang)
    assert sg and sg.served_name == "sglang_time_per_output_token_seconds"


def test_first_match_wins_when_both_names_are_served():
    both = {"vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc"}
    kv = resolve(VLLM.chains[Quantity.kv_usage], both)
    assert kv and (kv.served_name, kv.fallback) == ("vllm:kv_cache_usage_perc", False)
    running = resolve(
        DYNAMO_FRONTEND.chains[Quantity.running],
        {"dynamo_frontend_inflight_requests", "dynamo_frontend_active_requests"},
    )
    assert running and running.served_name == "dynamo_frontend_active_requests"


def test_sglang_output_tokens_prefer_realtime_then_finished_counter_then_the_rate_gauge():
    chain = SGLANG.chains[Quantity.output_tokens]
    newest = resolve(chain, SGLANG_NAMES | {"sglang:realtime_tokens_total"})
    assert newest and newest.candidate.where == (("mode", ("decode",)),)
    counter = resolve(chain, SGLANG_NAMES)
    assert counter and counter.served_name == "sglang:generation_tokens_total"
    gauge = resolve(chain, {"sglang:gen_throughput"})
    assert gauge and gauge.candidate.read is Read.rate


def test_dynamo_frontend_input_tokens_come_from_the_isl_histogram_sum():
    hit = resolve(DYNAMO_FRONTEND.chains[Quantity.input_tokens], FRONTEND_NAMES)
    assert hit and hit.served_name == "dynamo_frontend_input_sequence_tokens"
    assert (hit.candidate.type, hit.candidate.read) == (MetricType.histogram, Read.sum_delta)
    queue = resolve(DYNAMO_FRONTEND.chains[Quantity.queue], FRONTEND_NAMES)
    assert queue and queue.served_name == "dynamo_frontend_queued_requests" and queue.fallback


def test_worker_kv_usage_falls_back_to_legacy_kvstats():
    legacy = WORKER_COMPONENT | {"dynamo_component_kvstats_gpu_cache_usage_percent"}
    kv = resolve(worker_profile(Engine.vllm).chains[Quantity.kv_usage], legacy)
    assert kv and kv.served_name == "dynamo_component_kvstats_gpu_cache_usage_percent"
    assert kv.fallback


def test_missing_quantities_are_empty_chains_with_a_note():
    assert SGLANG.chains[Quantity.tpot].candidates == ()
    assert "ITL" in SGLANG.chains[Quantity.tpot].note
    assert TRTLLM.chains[Quantity.itl].candidates == ()
    assert resolve(TRTLLM.chains[Quantity.itl], TRTLLM_NAMES) is None


def test_every_profile_answers_every_quantity_with_typed_cited_candidates():
    for prof in (*PROFILES.values(), worker_profile(None)):
        assert set(prof.chains) == set(Quantity)
        for chain in prof.chains.values():
            assert chain.candidates or chain.note
            for c in chain.candidates:
                assert c.ref.startswith("A.")
                assert (c.type is MetricType.counter) == (c.read is Read.delta)
                assert (c.read in (Read.buckets, Read.sum_delta)) == (
                    c.type is MetricType.histogram
                )


def test_canonical_names():
    assert canonical("vllm_num_requests_running") == "vllm:num_requests_running"
    assert canonical("sglang:prompt_tokens_total") == canonical("sglang_prompt_tokens")
    assert canonical("dynamo_frontend_requests_total") == "dynamo_frontend_requests"
    assert canonical("vllmx_thing") == "vllmx_thing"


def test_profiles_are_immutable():
    with pytest.raises(TypeError):
        VLLM.chains[Quantity.ttft] = VLLM.chains[Quantity.itl]  # type: ignore[index]
