"""generate() against the real AIConfigurator 0.12: one small plan end to end, and its refusals."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from recorded_aic import pcs_of

from grove_mcp.aic import (
    AicUnsupported,
    RenderOptions,
    SlaUnmeetable,
    generate,
    make_request,
    run_aiconfigurator,
)
from grove_mcp.cli.generate import write_files
from grove_mcp.planfile import read_plan

pytestmark = pytest.mark.usefixtures("aiconfigurator")

SMALL = {
    "model": "Qwen/Qwen3-0.6B",
    "system": "h200_sxm",
    "total_gpus": 2,
    "backend": "sglang",
    "isl": 4000,
    "osl": 1000,
    "ttft_ms": 300,
    "tpot_ms": 10,
    "top_n": 2,
}


def _aic_modules() -> list[str]:
    return sorted(m for m in sys.modules if m.split(".")[0].startswith("aiconfigurator"))


def test_a_small_plan_end_to_end(tmp_path: Path):
    assert _aic_modules() == []
    phases: list[str] = []
    report = generate(
        make_request(**SMALL),
        RenderOptions(namespace="llm", pack_domain="host", topology_name="gpu-fabric"),
        save_dir=tmp_path,
        on_progress=lambda p: phases.append(p.phase),
        timeout_s=600,
    )
    write_files(report)  # as the CLI does
    assert _aic_modules() == [], "the parent imported AIConfigurator"
    assert report.aiconfigurator_version == "0.12.0"
    assert report.plans, report.notes
    assert {"searching_agg", "searching_disagg", "done"} <= set(phases)
    for item in report.plans:
        assert item.engine_args_source == "aiconfigurator"
        assert item.file and item.plan_file
        manifest = pcs_of(Path(item.file).read_text())
        assert manifest["metadata"]["namespace"] == "llm"
        plan = read_plan(item.plan_file)
        assert plan == read_plan(item.file) == item.plan
        assert plan.config.total_gpus <= 2
        requested = sum(
            int(
                c["spec"]["podSpec"]["containers"][0]
                .get("resources", {})
                .get("requests", {})
                .get("nvidia.com/gpu", 0)
            )
            * c["spec"]["replicas"]
            for c in manifest["spec"]["template"]["cliques"]
        )
        assert manifest["spec"]["replicas"] == 1  # the plan's replicas are in the cliques
        assert requested == plan.config.total_gpus
    t = report.timings
    assert (
        t.child_peak_rss_mb and t.child_peak_rss_mb > 100
    )  # AIConfigurator's memory, in the child
    assert t.aiconfigurator_s > t.overhead_s


@pytest.mark.parametrize(
    ("change", "what", "listed"),
    [
        ({"system": "h999_sxm"}, "system", "h200_sxm"),
        ({"system": "b60"}, "backend", "vllm"),
    ],
)
def test_unsupported_system_or_backend_lists_what_is_supported(change, what, listed):
    with pytest.raises(AicUnsupported) as caught:
        run_aiconfigurator(make_request(**{**SMALL, **change}), timeout_s=120)
    assert caught.value.what == what and listed in caught.value.supported
    assert listed in str(caught.value)


def test_unsupported_architecture_lists_supported_ones(tmp_path: Path):
    (tmp_path / "config.json").write_text(
        '{"architectures": ["BertModel"], "hidden_size": 768, "num_hidden_layers": 12, '
        '"num_attention_heads": 12, "intermediate_size": 3072, "vocab_size": 30522}'
    )
    with pytest.raises(AicUnsupported) as caught:
        run_aiconfigurator(make_request(**{**SMALL, "model": str(tmp_path)}), timeout_s=120)
    assert caught.value.what == "model architecture"
    assert "Qwen3ForCausalLM" in caught.value.supported


def test_an_unknown_model_id_lists_the_bundled_ones():
    request = make_request(**{**SMALL, "model": "no-such-org/no-such-model-xyz"})
    with pytest.raises(AicUnsupported) as caught:
        run_aiconfigurator(request, timeout_s=120)
    assert caught.value.what == "model"
    assert "Qwen/Qwen3-32B" in caught.value.supported


def test_an_unmeetable_ttft_is_said_plainly():
    with pytest.raises(SlaUnmeetable, match="meets TTFT <= 1 ms"):
        run_aiconfigurator(make_request(**{**SMALL, "ttft_ms": 1}), timeout_s=600)
