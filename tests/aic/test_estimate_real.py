"""run_estimate against the real AIConfigurator 0.12: it reproduces the sweep's own predictions,
and a configuration that cannot fit is an error on its point, not a failed run."""

from __future__ import annotations

import pytest
from capture_fixtures import sweep_rows_request
from recorded_aic import recorded

from grove_mcp.aic import AicUnsupported, make_estimate_request, run_estimate

pytestmark = pytest.mark.usefixtures("aiconfigurator")

# The recorded sweep rows are rounded to 3 decimals (294.449 for 294.44919…); measured, estimate
# and sweep agree to that rounding (largest difference 0.0004 ms), so 1e-3 is the tolerance.
ROUNDING = 1e-3


def test_estimate_reproduces_the_sweeps_prediction_for_the_configurations_it_chose():
    """The agg and disagg rows the recorded sglang sweeps selected (8 and 32 GPUs), estimated
    at the sweeps' ISL/OSL: TTFT, TPOT and tokens/s/gpu are the sweep's own."""
    request = sweep_rows_request()
    run = run_estimate(request, timeout_s=600)
    assert run.aiconfigurator_version == "0.12.0" and run.backend_version == "0.5.14"
    assert [p.label for p in run.points] == [p.label for p in request.points]
    for name in ("qwen3_32b_sglang_8gpu", "qwen3_32b_sglang_32gpu"):
        sweep = recorded(name)
        for mode, result in sweep.modes.items():
            assert result.selected is not None
            row = result.rows[result.selected]
            point = run.point(f"{name}-{mode}")
            assert point.error is None, point.error
            assert point.ttft_ms == pytest.approx(row["ttft"], abs=ROUNDING)
            assert point.tpot_ms == pytest.approx(row["tpot"], abs=ROUNDING)
            assert point.tokens_per_second_per_gpu == pytest.approx(
                row["tokens/s/gpu"], abs=ROUNDING
            )
    for asked in request.points:  # GPUs of the configuration: workers x tp x pp x dp
        if asked.mode == "agg":
            gpus = asked.tp * asked.pp * asked.dp
        else:
            gpus = sum(r.workers * r.tp * r.pp * r.dp for r in (asked.prefill, asked.decode) if r)
        assert run.point(asked.label).gpus == gpus
    t = run.timings
    assert t is not None and t.import_s > 0 and all(p.seconds for p in run.points)


def test_a_configuration_that_cannot_fit_is_an_error_on_its_point():
    """Qwen3-32B (~61 GiB of weights) on one 48 GB L40S does not fit; on four it does."""
    shape = {"isl": 4000, "osl": 500, "mode": "agg", "batch_size": 8}
    request = make_estimate_request(
        model="Qwen/Qwen3-32B",
        system="l40s",
        backend="sglang",
        points=[{"label": "tp1", "tp": 1, **shape}, {"label": "tp4", "tp": 4, **shape}],
    )
    run = run_estimate(request, timeout_s=600)
    tp1, tp4 = run.point("tp1"), run.point("tp4")
    assert tp1.error and "does not fit in GPU memory" in tp1.error
    assert tp1.ttft_ms is None and tp1.tokens_per_second_per_gpu is None
    assert tp4.error is None and tp4.ttft_ms and tp4.tpot_ms and tp4.requests_per_second


def test_an_unsupported_system_fails_the_run_listing_what_is_supported():
    request = make_estimate_request(
        model="Qwen/Qwen3-32B",
        system="h999_sxm",
        backend="sglang",
        points=[{"label": "x", "isl": 100, "osl": 10, "mode": "agg", "tp": 1, "batch_size": 1}],
    )
    with pytest.raises(AicUnsupported) as caught:
        run_estimate(request, timeout_s=120)
    assert caught.value.what == "system" and "h200_sxm" in caught.value.supported
