"""run_estimate without AIConfigurator: request validation, rows as points, the runner driven by a
fake worker, the real worker's dispatch on ``kind``, and the recorded estimates' replay."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest
from aic_helpers import REPO, demo_objects, load_run
from recorded_aic import ReplayEstimate, alive, fake_worker, recorded_estimate, wait_gone

from grove_mcp.aic import (
    MAX_ESTIMATE_POINTS,
    AicFailed,
    AicProgress,
    AicTimeout,
    AicUnsupported,
    make_estimate_request,
    point_from_row,
    run_estimate,
)
from grove_mcp.errors import InvalidInput

AGG = {"label": "now", "isl": 4000, "osl": 500, "mode": "agg", "tp": 8, "batch_size": 28}
ROLE = {"tp": 4, "batch_size": 1, "workers": 2}
DISAGG = {
    "label": "split",
    "isl": 4000,
    "osl": 500,
    "mode": "disagg",
    "prefill": ROLE,
    "decode": {**ROLE, "tp": 2, "batch_size": 42},
}
TARGET = {"model": "Qwen/Qwen3-32B", "system": "h200_sxm", "backend": "sglang"}
REQUEST = make_estimate_request(**TARGET, points=[AGG, DISAGG])


def test_a_good_request_keeps_its_points_and_defaults():
    point = REQUEST.points[0]
    assert (REQUEST.kind, REQUEST.database_mode) == ("estimate", "SILICON")
    assert (point.tp, point.pp, point.dp, point.batch_size, point.prefix) == (8, 1, 1, 28, 0)
    decode = REQUEST.points[1].decode
    assert decode is not None and (decode.tp, decode.batch_size, decode.workers) == (2, 42, 2)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"points": []}, "points: List should have at least 1 item"),
        (
            {"points": [{**AGG, "label": f"p{i}"} for i in range(MAX_ESTIMATE_POINTS + 1)]},
            f"points: List should have at most {MAX_ESTIMATE_POINTS} items",
        ),
        ({"points": [{**AGG, "tp": None}]}, "points[0]: Value error, an agg point needs tp"),
        (
            {"points": [AGG, {**DISAGG, "decode": None}]},
            "points[1]: Value error, a disagg point needs decode workers",
        ),
        (
            {"points": [{**DISAGG, "prefill": {**ROLE, "tp": 0}}]},
            "points[0].prefill.tp: Input should be greater than or equal to 1",
        ),
        (
            {"points": [{**DISAGG, "decode": {"tp": 2, "batch_size": 8}}]},
            "points[0].decode.workers: Field required",
        ),
        ({"points": [{**AGG, "mode": "afd"}]}, "points[0].mode: Input should be 'agg' or 'disagg'"),
        ({"points": [{**AGG, "prefix": 4000}]}, "prefix (4000) must be less than isl (4000)"),
        ({"points": [{**AGG, "prefill": ROLE}]}, "an agg point takes tp/batch_size"),
        ({"points": [{**DISAGG, "tp": 4}]}, "a disagg point takes prefill/decode"),
        ({"points": [AGG, AGG]}, "point labels must be unique; repeated: now"),
        ({"points": [{**AGG, "tpp": 2}]}, "points[0].tpp: Extra inputs are not permitted"),
        ({"system": "H200 SXM"}, "system 'H200 SXM' is not an AIConfigurator system name"),
        ({"backend": "tensorrt"}, "backend: Input should be 'sglang', 'vllm' or 'trtllm'"),
        ({"model": "./no/such/dir"}, "looks like a local path but"),
    ],
)
def test_bad_requests_are_refused_naming_the_field(change, words):
    with pytest.raises(InvalidInput) as caught:
        make_estimate_request(**{**TARGET, "points": [AGG], **change})
    message = str(caught.value)
    assert message.startswith("Invalid estimate input") or "local path" in message
    assert words.replace("Value error, ", "") in message, message


@pytest.mark.parametrize("fixture", ["qwen3_32b_sglang_8gpu", "qwen3_32b_sglang_32gpu"])
def test_a_sweep_row_becomes_the_point_of_its_configuration(fixture):
    run = load_run(fixture)
    agg_row = run.modes["agg"].rows[0]
    agg = point_from_row("agg", "agg", agg_row, isl=9000)
    assert (agg.isl, agg.osl, agg.tp, agg.batch_size) == (9000, 1000, agg_row["tp"], agg_row["bs"])
    row = run.modes["disagg"].rows[0]
    point = point_from_row("disagg", "disagg", row)
    assert point.prefill is not None and point.decode is not None
    assert (point.isl, point.prefill.tp, point.prefill.workers) == (
        4000,
        row["(p)tp"],
        row["(p)workers"],
    )
    assert (point.decode.tp, point.decode.batch_size) == (row["(d)tp"], row["(d)bs"])


def test_a_row_that_is_no_sweep_row_is_refused():
    with pytest.raises(ValueError, match=r"the disagg row has no column '\(p\)tp'"):
        point_from_row("x", "disagg", {"isl": 10, "osl": 10, "tp": 1, "bs": 1})


def test_the_fake_worker_answers_every_point_and_point_errors_do_not_fail_the_run():
    events: list[AicProgress] = []
    run = run_estimate(REQUEST, on_progress=events.append, command=fake_worker("estimate"))
    assert [p.label for p in run.points] == ["now", "split"]
    assert [p.error for p in run.points] == [
        "fake: agg point not modelled",
        "fake: disagg point not modelled",
    ]
    assert run.request == REQUEST and run.wall_s is not None and run.wall_s > 0
    assert "estimating" in [e.phase for e in events]
    assert run.point("split").ttft_ms is None
    with pytest.raises(KeyError):
        run.point("nowhere")


def test_the_request_reaches_the_child_saying_it_is_an_estimate():
    with pytest.raises(AicFailed) as caught:
        run_estimate(REQUEST, command=fake_worker("echo"))
    sent = json.loads(str(caught.value))
    assert sent["kind"] == "estimate" and sent["points"][1]["decode"]["batch_size"] == 42


def test_unsupported_is_mapped_as_for_a_search():
    with pytest.raises(AicUnsupported) as caught:
        run_estimate(REQUEST, command=fake_worker("error:unsupported"))
    assert caught.value.supported == ["b200_sxm", "h200_sxm"]


def test_timeout_kills_the_childs_process_group(tmp_path, monkeypatch):
    pid_file = tmp_path / "pid"
    monkeypatch.setenv("FAKE_PID_FILE", str(pid_file))
    with pytest.raises(AicTimeout, match=r"did not finish within 1 s.*An estimate takes"):
        run_estimate(REQUEST, timeout_s=1.0, command=fake_worker("hang"))
    assert wait_gone(int(pid_file.read_text()), 5)


def test_cancel_stops_the_child_and_says_so(tmp_path, monkeypatch):
    pid_file = tmp_path / "pid"
    monkeypatch.setenv("FAKE_PID_FILE", str(pid_file))
    cancel = threading.Event()
    with pytest.raises(AicFailed, match="The estimate was cancelled"):
        run_estimate(
            REQUEST,
            on_progress=lambda e: cancel.set(),
            cancel=cancel,
            command=fake_worker("hang"),
        )
    pid = int(pid_file.read_text())
    assert wait_gone(pid, 5) and not alive(pid)


def _real_worker(stdin: str) -> dict:
    """The real worker's first protocol message for ``stdin`` (refused before AIConfigurator)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "grove_mcp.aic.worker"],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=60,
    )
    return json.loads(done.stdout.splitlines()[0])


def test_the_real_worker_reads_an_estimate_by_its_kind():
    bad = {**json.loads(REQUEST.model_dump_json()), "points": []}
    error = _real_worker(json.dumps(bad))["error"]
    assert error["kind"] == "invalid_input"
    assert "EstimateRequest" in error["message"] and "points" in error["message"]


def test_the_real_worker_still_reads_a_plain_plan_request():
    error = _real_worker(json.dumps({**TARGET, "total_gpus": 0, "ttft_ms": 300}))["error"]
    assert error["kind"] == "invalid_input" and "PlanRequest" in error["message"]


def _demo_pcs_roles() -> dict[str, tuple[int, str]]:
    pcs = demo_objects("PodCliqueSet")[0]
    return {
        c["spec"]["roleName"]: (
            c["spec"]["replicas"],
            " ".join(c["spec"]["podSpec"]["containers"][0].get("args") or []),
        )
        for c in pcs["spec"]["template"]["cliques"]
    }


def test_the_demo_estimate_is_of_the_demos_deployed_shape_and_plan():
    run = recorded_estimate("estimate_demo_my_inference")
    plan = json.loads(
        next(d for d in demo_objects("ConfigMap") if d["metadata"]["name"].endswith("-aic-plan"))[
            "data"
        ]["plan.json"]
    )
    roles = _demo_pcs_roles()
    asked = run.request
    assert (asked.model, asked.system, asked.backend) == (
        plan["model"],
        plan["system"],
        plan["backend"],
    )
    assert [(p.isl, p.osl) for p in asked.points] == [
        (plan["inputs"]["isl"], plan["inputs"]["osl"]),
        (plan["inputs"]["isl"] * 5 // 2, plan["inputs"]["osl"]),
    ]
    for point in asked.points:
        for role in ("prefill", "decode"):
            workers, args = roles[role]
            shape = getattr(point, role)
            assert shape.workers == workers and f"--tp {shape.tp}" in args
    assert all(p.error is None and p.ttft_ms and p.tpot_ms for p in run.points)
    # more input, same shape: AIConfigurator predicts a slower first token
    assert run.point("isl-x2.5").ttft_ms > run.point("plan-isl").ttft_ms


def test_replay_answers_only_the_request_it_recorded():
    replay = ReplayEstimate("estimate_demo_my_inference")
    asked = replay.run.request
    assert replay(asked) is replay.run and replay.calls == 1
    other = asked.model_copy(update={"points": asked.points[:1]})
    with pytest.raises(AssertionError, match="answers another request"):
        replay(other)


def test_recorded_sweep_row_estimates_agree_with_the_recorded_sweeps():
    """The recorded estimates stay in step with the recorded sweeps they re-estimate."""
    run = recorded_estimate("estimate_qwen3_32b_sglang_sweep_rows")
    for name in ("qwen3_32b_sglang_8gpu", "qwen3_32b_sglang_32gpu"):
        sweep = load_run(name)
        for mode, result in sweep.modes.items():
            assert result.selected is not None
            row = result.rows[result.selected]
            point = run.point(f"{name}-{mode}")
            assert point.ttft_ms == pytest.approx(row["ttft"], abs=1e-3)
            assert point.tpot_ms == pytest.approx(row["tpot"], abs=1e-3)
