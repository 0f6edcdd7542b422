"""Reading recorded AIConfigurator runs: replicas, workers, GPUs per worker, figures, SLA."""

from __future__ import annotations

import pytest
from aic_helpers import CREATED, load_run

from grove_mcp.aic.interpret import ModePlan, mode_plan, role_config
from grove_mcp.aic.protocol import AicRun


def plan_of(fixture: str, mode: str) -> ModePlan:
    found = mode_plan(load_run(fixture), mode, created_at=CREATED, name="x")
    assert found is not None
    return found


def shape(p: ModePlan) -> dict:
    c = p.plan.config
    return {
        "replicas": c.replicas,
        "total": c.total_gpus,
        **{
            role: (r.workers, r.tp, r.gpus_per_worker, r.batch_size)
            for role, r in c.roles().items()
        },
    }


@pytest.mark.parametrize(
    ("fixture", "mode", "expected"),
    [
        # reference §4: sglang 8 GPUs — agg 1 x tp8 bs28; disagg 1 x (1P tp4 + 1D tp4)
        ("qwen3_32b_sglang_8gpu", "agg", {"replicas": 1, "total": 8, "agg": (1, 8, 8, 28)}),
        (
            "qwen3_32b_sglang_8gpu",
            "disagg",
            {"replicas": 1, "total": 8, "prefill": (1, 4, 4, 1), "decode": (1, 4, 4, 30)},
        ),
        # sglang 32 GPUs — agg 4 x tp8; disagg 2 replicas x (1P tp8 + 1D tp8, d-bs 84)
        ("qwen3_32b_sglang_32gpu", "agg", {"replicas": 4, "total": 32, "agg": (1, 8, 8, 28)}),
        (
            "qwen3_32b_sglang_32gpu",
            "disagg",
            {"replicas": 2, "total": 32, "prefill": (1, 8, 8, 1), "decode": (1, 8, 8, 84)},
        ),
        # trtllm 32 GPUs — disagg 1 replica = 2P tp4 + 3D tp8 (d-bs 44)
        (
            "qwen3_32b_trtllm_32gpu",
            "disagg",
            {"replicas": 1, "total": 32, "prefill": (2, 4, 4, 1), "decode": (3, 8, 8, 44)},
        ),
        # vllm 32 GPUs — disagg 2P tp4 + 2D tp8 uses only 24 of 32 GPUs
        (
            "qwen3_32b_vllm_32gpu",
            "disagg",
            {"replicas": 1, "total": 24, "prefill": (2, 4, 4, 1), "decode": (2, 8, 8, 80)},
        ),
    ],
)
def test_configuration(fixture, mode, expected):
    assert shape(plan_of(fixture, mode)) == expected


def test_expected_figures_per_gpu_and_per_user_stay_and_totals_scale_with_replicas():
    p = plan_of("qwen3_32b_sglang_32gpu", "disagg")
    e = p.plan.expected
    assert (e.tokens_per_second_per_gpu, e.tokens_per_second_per_user) == (485.128, 100.337)
    assert (e.ttft_ms, e.tpot_ms) == (174.242, 9.966)
    assert e.tokens_per_second == pytest.approx(15524.1, abs=0.1)  # 2 x 7762 (reference §4)
    assert e.concurrency == 168  # 84 x 2
    assert p.sla_met and p.rank == 1 and p.candidates == 2


def test_plan_carries_inputs_versions_and_sla():
    p = plan_of("qwen3_32b_vllm_32gpu", "agg").plan
    assert (p.model, p.system, p.backend, p.backend_version) == (
        "Qwen/Qwen3-32B",
        "h200_sxm",
        "vllm",
        "0.24.0",
    )
    assert p.aiconfigurator_version == "0.12.0" and p.created_at == CREATED
    assert (p.inputs.total_gpus, p.inputs.isl, p.inputs.osl) == (32, 4000, 1000)
    assert (p.sla.ttft_ms, p.sla.tpot_ms) == (300, 10)
    assert p.config.gpus_per_node == 8


def test_unused_gpus_are_noted():
    notes = plan_of("qwen3_32b_vllm_32gpu", "disagg").notes
    assert "The plan uses 24 of the 32 GPUs given; the rest stay free." in notes


def test_engine_flags_come_from_aiconfigurator():
    engine = plan_of("qwen3_32b_sglang_8gpu", "disagg").engine
    assert engine.source == "aiconfigurator"
    assert set(engine.flags) == {"prefill", "decode"}
    assert '--tensor-parallel-size "4"' in engine.flags["prefill"]
    assert engine.image == "nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.3.0"


def test_a_row_missing_the_sla_is_skipped_for_a_lower_ranked_one_that_meets_it():
    run = load_run("qwen3_32b_sglang_32gpu")
    tighter = run.model_copy(update={"request": run.request.model_copy(update={"tpot_ms": 9.0})})
    modes = dict(tighter.modes)
    modes["disagg"] = modes["disagg"].model_copy(update={"selected": None})
    p = mode_plan(tighter.model_copy(update={"modes": modes}), "disagg", created_at=CREATED)
    assert p is not None and p.rank == 2 and p.sla_met  # row 1 has TPOT 9.966 > 9
    assert p.plan.config.decode is not None and p.plan.config.decode.workers == 3


def test_no_rows_no_plan():
    run = load_run("qwen3_32b_sglang_8gpu")
    empty = run.modes["disagg"].model_copy(update={"rows": [], "selected": None})
    assert mode_plan(_with(run, disagg=empty), "disagg", created_at=CREATED) is None


def _with(run: AicRun, **modes) -> AicRun:
    return run.model_copy(update={"modes": {**run.modes, **modes}})


def test_gpus_per_worker_multiply_all_parallel_dimensions_and_nan_counts_as_one():
    row = {"(d)workers": 1, "(d)tp": 1, "(d)pp": 1, "(d)dp": 16, "(d)moe_ep": 16, "(d)bs": 8}
    row["(d)cp"] = float("nan")
    decode = role_config(row, "decode")
    assert decode.gpus_per_worker == 16 and decode.dp == 16 and decode.moe_ep == 16


def test_disagreeing_gpu_counts_are_noted_not_hidden():
    run = load_run("qwen3_32b_sglang_8gpu")
    rows = [dict(run.modes["agg"].rows[0], num_total_gpus=4)]
    agg = run.modes["agg"].model_copy(update={"rows": rows, "selected": 0})
    p = mode_plan(_with(run, agg=agg), "agg", created_at=CREATED)
    assert p is not None
    assert any("reports 4 GPUs per replica" in n for n in p.notes)
    assert p.plan.config.agg is not None and p.plan.config.agg.gpus_per_worker == 8


def test_moe_gpu_counts_come_from_the_search_not_the_inflated_manifest():
    """DeepSeek-V3 disagg top-1 (reference §9/§11): prefill tp2 dp4 ep8 = 8 GPUs, decode
    dp16 ep16 = 16 GPUs; AIConfigurator's own k8s_deploy.yaml says 32 and 256."""
    p = plan_of("deepseek_v3_sglang_32gpu", "disagg")
    prefill, decode = p.plan.config.prefill, p.plan.config.decode
    assert prefill is not None and decode is not None
    assert (prefill.workers, prefill.tp, prefill.dp, prefill.moe_ep, prefill.gpus_per_worker) == (
        2,
        2,
        4,
        8,
        8,
    )
    assert (decode.workers, decode.tp, decode.dp, decode.moe_ep, decode.gpus_per_worker) == (
        1,
        1,
        16,
        16,
        16,
    )
    assert p.plan.config.replicas == 1 and p.plan.config.total_gpus == 32
    assert p.sla_met  # TTFT 634.9 <= 1000, TPOT 49.6 <= 50
