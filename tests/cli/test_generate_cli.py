"""``kubectl grove generate`` on recorded real AIConfigurator runs: the report, the files, the
exit codes, progress on stderr, and Ctrl-C stopping the child process."""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import textwrap
from pathlib import Path

import jsonschema
import pytest
import typer
import yaml
from child_process import interruptible, read_until
from recorded_aic import (
    FAKE_WORKER,
    Replay,
    alive,
    documents,
    fake_worker,
    flags,
    pcs_of,
    runner_with,
)
from typer.testing import CliRunner

from grove_mcp.cli.app import app as main_app
from grove_mcp.cli.generate import generate_command
from grove_mcp.planfile import plan_from_dict, read_plan
from grove_mcp.reports.generate import GenerateReport

QWEN_8 = "qwen3_32b_sglang_8gpu"


def cli(run) -> typer.Typer:
    """``kubectl-grove`` with only ``generate``, its runner replaced."""
    app = typer.Typer()
    app.callback()(lambda: None)
    app.command("generate")(generate_command(run))
    return app


def argv(fixture: str, *extra: str) -> list[str]:
    """CLI flags equal to the recorded run's request."""
    f = flags(fixture)
    names = {"ttft_ms": "--ttft", "tpot_ms": "--tpot", "request_latency_ms": "--request-latency"}
    out = ["generate"]
    for key, value in f.items():
        out += [names.get(key, "--" + key.replace("_", "-")), str(value)]
    return out + list(extra)


def invoke(run, *args: str):
    return CliRunner().invoke(cli(run), list(args), env={"NO_COLOR": "1", "COLUMNS": "160"})


def test_text_report_prints_plans_files_and_next_commands(tmp_path: Path):
    result = invoke(Replay(QWEN_8), *argv(QWEN_8, "--save-dir", str(tmp_path)))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("✓ AIConfigurator completed successfully\n")
    assert (
        textwrap.dedent(f"""\
        Plan 1: Prefill-Decode Disaggregated Mode
          File: {tmp_path}/qwen3-32b-sglang-disagg.yaml
          Configuration:
            - Prefill Workers: 1 (tp4, 4 GPUs)
            - Decode Workers: 1 (tp4, 4 GPUs)
            - Total GPU Usage: 8
          Expected Performance:
            - Throughput: 348 tok/s/gpu
            - TTFT: 258ms
            - TPOT: 9.94ms
        """)
        in out
    )
    assert "Plan 2: Aggregated Mode\n" in out and "- Workers: 1 (tp8, 8 GPUs)" in out
    assert f"To deploy:\n  kubectl apply -f {tmp_path}/qwen3-32b-sglang-agg.yaml\n" in out
    assert (
        "To store plan for later comparison:\n  kubectl grove plan store qwen3-32b-sglang-agg "
        f"-f {tmp_path}/qwen3-32b-sglang-agg.yaml\n" in out
    )
    for mode in ("disagg", "agg"):
        manifest = pcs_of((tmp_path / f"qwen3-32b-sglang-{mode}.yaml").read_text())
        assert manifest["spec"]["replicas"] == 1
        assert read_plan(tmp_path / f"qwen3-32b-sglang-{mode}.plan.json").serving_mode == mode


def test_progress_goes_to_stderr_and_only_the_report_to_stdout(tmp_path: Path):
    result = invoke(Replay(QWEN_8), *argv(QWEN_8, "--save-dir", str(tmp_path), "-o", "json"))
    assert "rendering PodCliqueSets" in result.stderr
    assert f"Wrote 4 file(s) to {tmp_path}" in result.stderr
    report = json.loads(result.stdout)  # nothing else on stdout
    jsonschema.validate(report, GenerateReport.model_json_schema())


def test_json_carries_what_the_files_hold_and_yaml_equals_json(tmp_path: Path):
    args = argv(QWEN_8, "--save-dir", str(tmp_path))
    as_json = json.loads(invoke(Replay(QWEN_8), *args, "-o", "json").stdout)
    for plan in as_json["plans"]:
        assert Path(plan["file"]).read_text() == plan["manifest"]
        assert read_plan(plan["plan_file"]) == plan_from_dict(plan["plan"], "report")
    as_yaml = yaml.safe_load(invoke(Replay(QWEN_8), *args, "-o", "yaml").stdout)
    assert _without_clock(as_yaml) == _without_clock(as_json)


def _without_clock(report: dict) -> str:
    """The report's JSON without what depends on when it ran (timings, createdAt)."""
    report = {k: v for k, v in report.items() if k != "timings"}
    return re.sub(r'(createdAt\\?"\s*:\s*\\?")[^"\\]+', r"\1", json.dumps(report))


def test_render_options_reach_the_manifest(tmp_path: Path):
    result = invoke(
        Replay(QWEN_8),
        *argv(QWEN_8, "--save-dir", str(tmp_path), "-o", "json"),
        *("--name", "my-inference", "-n", "vllm-disagg", "--pack-domain", "rack"),
        *("--topology-name", "gpu-fabric"),
        *("--topology-name", "gpu-fabric", "--kai-queue", "team-a", "--image", "example/img:1"),
        *("--model-path", "/models/qwen3-32b", "--env", "NATS_SERVER=nats://nats:4222"),
        *("--hf-token-secret", ""),
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [p["name"] for p in report["plans"]] == ["my-inference", "my-inference"]
    assert report["plans"][0]["file"] == str(tmp_path / "my-inference-disagg.yaml")
    assert report["plans"][1]["next_commands"][1] == (
        f"kubectl grove plan store my-inference -n vllm-disagg -f {tmp_path}/my-inference-agg.yaml"
    )
    pcs = pcs_of(report["plans"][0]["manifest"])
    template = pcs["spec"]["template"]
    assert pcs["metadata"]["namespace"] == "vllm-disagg"
    assert template["topologyConstraint"] == {
        "topologyName": "gpu-fabric",
        "pack": {"required": "rack"},
    }
    container = template["cliques"][1]["spec"]["podSpec"]["containers"][0]
    assert container["image"] == "example/img:1" and "envFrom" not in container
    assert {"name": "NATS_SERVER", "value": "nats://nats:4222"} in container["env"]
    assert "--model-path /models/qwen3-32b" in container["args"][0]
    assert template["cliques"][1]["labels"]["kai.scheduler/queue"] == "team-a"


def test_the_file_holds_what_the_pods_need_before_the_podcliqueset(tmp_path: Path):
    result = invoke(
        Replay(QWEN_8),
        *argv(QWEN_8, "--save-dir", str(tmp_path), "-n", "llm", "--termination-delay", "1h"),
    )
    assert result.exit_code == 0, result.output
    docs = documents((tmp_path / "qwen3-32b-sglang-disagg.yaml").read_text())
    assert list(docs) == ["ServiceAccount", "Role", "RoleBinding", "Service", "PodCliqueSet"]
    assert docs["Service"]["metadata"] == {
        "name": "qwen3-32b-sglang-disagg-frontend",
        "namespace": "llm",
        "labels": docs["Service"]["metadata"]["labels"],
    }
    assert docs["PodCliqueSet"]["spec"]["template"]["terminationDelay"] == "1h"


def _bundle(tmp_path: Path, *objects: dict) -> Path:
    """A bundle directory holding ``objects`` (the cluster generate renders for)."""
    root = tmp_path / "cluster"
    (root / "objects").mkdir(parents=True)
    (root / "manifest.json").write_text(
        json.dumps(
            {
                "format": "grove-mcp-bundle",
                "formatVersion": 1,
                "namespace": "llm",
                "capturedAt": "2026-11-20T14:30:00Z",
            }
        )
    )
    (root / "objects" / "cluster.yaml").write_text(yaml.safe_dump_all(objects))
    return root


def _binding(name: str, *domains: str) -> dict:
    return {
        "apiVersion": "grove.io/v1alpha1",
        "kind": "ClusterTopologyBinding",
        "metadata": {"name": name},
        "spec": {"levels": [{"domain": d, "key": f"example.com/{d}"} for d in domains]},
    }


def test_given_a_cluster_the_binding_and_kai_come_from_it(tmp_path: Path):
    queue = {"apiVersion": "scheduling.run.ai/v2", "kind": "Queue", "metadata": {"name": "dynamo"}}
    bundle = _bundle(tmp_path, _binding("fabric", "zone", "rack"), queue)
    out = tmp_path / "out"
    result = invoke(
        Replay(QWEN_8),
        *argv(QWEN_8, "--save-dir", str(out), "-o", "json", "--pack-domain", "rack"),
        *("--bundle", str(bundle)),
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    pcs = pcs_of(report["plans"][0]["manifest"])
    assert pcs["spec"]["template"]["topologyConstraint"] == {
        "topologyName": "fabric",
        "pack": {"required": "rack"},
    }
    assert pcs["spec"]["template"]["cliques"][1]["spec"]["podSpec"]["schedulerName"] == (
        "kai-scheduler"
    )
    assert any("KAI Scheduler: the cluster has KAI queues (dynamo)" in n for n in report["notes"])


@pytest.mark.parametrize(
    ("objects", "extra", "message"),
    [
        (
            [_binding("fabric", "zone", "rack"), _binding("nvl", "block")],
            [],
            "has several ClusterTopologyBindings (fabric, nvl); choose one with --topology-name.",
        ),
        ([_binding("fabric", "zone", "rack")], ["--pack-domain", "host"], "Its levels, broadest "),
        ([], [], "has no ClusterTopologyBinding"),
    ],
)
def test_a_pack_domain_the_cluster_cannot_honour_exits_2_before_aiconfigurator(
    tmp_path: Path, objects, extra, message
):
    replay = Replay(QWEN_8)
    args = argv(QWEN_8, "--save-dir", str(tmp_path / "out"), "--pack-domain", "rack", *extra)
    result = invoke(replay, *args, "--bundle", str(_bundle(tmp_path, *objects)))
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split())
    assert replay.calls == 0


def test_no_configuration_meeting_the_sla_exits_1_showing_the_closest(tmp_path: Path):
    fixture = "qwen3_32b_sglang_8gpu_tpot2"
    result = invoke(Replay(fixture), *argv(fixture, "--save-dir", str(tmp_path)))
    assert result.exit_code == 1
    assert result.stdout.startswith(
        "⚠ AIConfigurator completed, but no configuration meets the SLA"
    )
    assert "SLA: ✗ missed: TPOT 34.27 ms exceeds the 2 ms target" in result.stdout
    assert "To deploy (the closest plan: it misses the SLA):" in result.stdout


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--tpot", None], "give a TPOT target (--tpot) or a request latency target"),
        (["--backend", "tensorrt"], "backend: Input should be 'sglang', 'vllm' or 'trtllm'"),
        (["--system", "H200 SXM"], "is not an AIConfigurator system name"),
        (["--total-gpus", "0"], "total-gpus: Input should be greater than or equal to 1"),
        (["--model", "./no-such-dir"], "config.json does not exist"),
        (["--name", "My_Inference"], "My_Inference"),
        (["--pack-domain", "Rack!"], "--pack-domain 'Rack!' is not valid"),
        (["--termination-delay", "15"], "--termination-delay '15' is not a positive duration"),
        (["--kai-queue", "Team A"], "--kai-queue 'Team A' is not a KAI queue name"),
        (["--pack-domain", "rack"], "Add --topology-name NAME"),
        (["--env", "NATS_SERVER"], "expected KEY=VALUE"),
    ],
)
def test_bad_input_exits_2_before_aiconfigurator_starts(tmp_path: Path, change, message):
    replay = Replay(QWEN_8)
    args = argv(QWEN_8, "--save-dir", str(tmp_path))
    flag, value = change
    if flag in args:
        i = args.index(flag)
        del args[i : i + 2]
    if value is not None:
        args += [flag, value]
    result = invoke(replay, *args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split())
    assert replay.calls == 0
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("behaviour", "code", "message"),
    [
        ("error:not_installed", 4, "fake not_installed"),
        ("error:unsupported", 2, "fake unsupported"),
        ("error:sla_unmeetable", 1, "fake sla_unmeetable"),
        ("crash", 4, "Traceback: something broke inside"),
    ],
)
def test_aiconfigurator_failures_exit_with_their_class(behaviour, code, message):
    result = invoke(runner_with(fake_worker(behaviour)), *argv(QWEN_8))
    assert result.exit_code == code, result.output
    assert message in result.stderr and "Traceback (most recent" not in result.stderr
    assert result.stdout == ""


def test_the_main_app_offers_generate():
    result = CliRunner().invoke(main_app, ["generate", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for flag in ("--model", "--system", "--total-gpus", "--backend", "--isl", "--osl", "--ttft",
                 "--tpot", "--request-latency", "--save-dir", "--name", "--namespace", "--image",
                 "--model-path", "--pack-domain", "--kai-queue", "--topology-name", "--output"):  # fmt: skip
        assert flag in result.stdout
    refused = CliRunner().invoke(main_app, argv(QWEN_8, "--tpot", "-1"))
    assert refused.exit_code == 2


def test_ctrl_c_stops_the_child_and_exits_130(tmp_path: Path):
    """A real SIGINT to a real kubectl-grove; the child is the protocol stand-in, started
    through GROVE_MCP_AIC_PYTHON as an interpreter would be."""
    pid_file = tmp_path / "child.pid"
    interpreter = tmp_path / "python"
    interpreter.write_text(f"#!/bin/sh\nexec {sys.executable} {FAKE_WORKER} hang\n")
    interpreter.chmod(0o755)
    env = {**os.environ, "GROVE_MCP_AIC_PYTHON": str(interpreter), "FAKE_PID_FILE": str(pid_file)}
    command = [
        sys.executable,
        "-m",
        "grove_mcp.cli.main",
        *argv(QWEN_8, "--save-dir", str(tmp_path)),
    ]
    with interruptible(command, env=env) as cli_process:
        read_until(cli_process.stderr, "searching_agg", 30, "the child's first step (it runs)")
        child = int(pid_file.read_text())
        cli_process.send_signal(signal.SIGINT)
        stdout, stderr = cli_process.communicate(timeout=20)
    assert cli_process.returncode == 130
    assert "Cancelled: AIConfigurator was stopped." in stderr and stdout == ""
    assert not alive(child)
    assert {p.name for p in tmp_path.iterdir()} == {"child.pid", "python"}  # no plan written
