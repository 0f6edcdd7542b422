"""``kubectl grove validate -f`` through typer's CliRunner: a good file, each kind of violation
(named by field and line, exit 1), the bindings from a file or the demo, stdin, directories,
malformed and unreadable files (exit 2, the file and line named)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
import yaml
from recorded_aic import Replay, flags
from typer.testing import CliRunner

from grove_mcp.cli.app import app
from grove_mcp.cli.generate import generate_command

runner = CliRunner()
GOOD = {
    "apiVersion": "grove.io/v1alpha1",
    "kind": "PodCliqueSet",
    "metadata": {"name": "my-inference"},
    "spec": {
        "replicas": 1,
        "template": {
            "cliqueStartupType": "CliqueStartupTypeExplicit",
            "topologyConstraint": {"topologyName": "gpu-fabric", "pack": {"required": "rack"}},
            "cliques": [
                {
                    "name": name,
                    "spec": {
                        "roleName": name,
                        "replicas": 2,
                        "startsAfter": after,
                        "podSpec": {"containers": [{"name": "main", "image": "example/x:1"}]},
                    },
                }
                for name, after in (("router", []), ("decode", ["router"]))
            ],
        },
    },
}
BINDING = {
    "apiVersion": "grove.io/v1alpha1",
    "kind": "ClusterTopologyBinding",
    "metadata": {"name": "gpu-fabric"},
    "spec": {"levels": [{"domain": "rack", "key": "r"}, {"domain": "host", "key": "h"}]},
}


def invoke(*args: str, stdin: str | None = None):
    return runner.invoke(
        app, ["validate", *args], input=stdin, env={"NO_COLOR": "1", "COLUMNS": "200"}
    )


def write(tmp_path: Path, data: object, name: str = "pcs.yaml") -> Path:
    path = tmp_path / name
    docs = data if isinstance(data, list) else [data]
    path.write_text(yaml.safe_dump_all(docs, sort_keys=False))
    return path


def changed(path: str, value: object) -> dict:
    """GOOD with ``value`` at ``path`` (dots and [i]; None deletes)."""
    data = json.loads(json.dumps(GOOD))
    *parents, last = path.replace("[", ".").replace("]", "").split(".")
    node = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is None:
        del node[last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return data


def test_a_good_file_passes(tmp_path: Path):
    result = invoke("-f", str(write(tmp_path, GOOD)))
    assert result.exit_code == 0, result.output
    assert "1 PodCliqueSet(s) pass Grove's admission rules" in result.stdout
    assert "pack domains not checked against a ClusterTopologyBinding" in result.stdout


@pytest.mark.parametrize(
    ("path", "value", "found"),
    [
        (  # a missing field: the line is its parent's
            "spec.template.topologyConstraint.topologyName",
            None,
            [("TOPOLOGY_NAME_REQUIRED", "spec.template.topologyConstraint.topologyName",
              "topologyConstraint:")],
        ),
        (  # 40 + 6 characters, with either clique
            "metadata.name",
            "an-inference-deployment-with-a-long-name",
            [("NAME_TOO_LONG", "spec.template.cliques[0].name", "- name: router"),
             ("NAME_TOO_LONG", "spec.template.cliques[1].name", "- name: decode")],
        ),
        (
            "spec.template.cliques[1].spec.startsAfter",
            ["router", "prefill"],
            [("STARTS_AFTER_UNKNOWN", "spec.template.cliques[1].spec.startsAfter[1]",
              "- prefill")],
        ),
        (
            "spec.template.cliques[0].spec.minAvailable",
            3,
            [("MIN_AVAILABLE_INVALID", "spec.template.cliques[0].spec.minAvailable",
              "minAvailable: 3")],
        ),
    ],
)  # fmt: skip
def test_each_violation_is_named_with_its_field_and_line(
    tmp_path: Path, path: str, value: object, found: list[tuple[str, str, str]]
):
    file = write(tmp_path, changed(path, value))
    lines = file.read_text().splitlines()
    expected = [(rule, field, line_of(lines, text)) for rule, field, text in found]
    result = invoke("-f", str(file), "-o", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert [(v["rule"], v["field"], v["line"]) for v in report["violations"]] == expected
    text = invoke("-f", str(file))
    assert text.exit_code == 1
    for rule, field, line in expected:
        assert f"{file}:{line}" in text.stdout and field in text.stdout and rule in text.stdout


def line_of(lines: list[str], text: str) -> int:
    return next(n for n, line in enumerate(lines, 1) if line.strip().startswith(text))


def test_the_levels_come_from_a_topology_file_or_the_demo(tmp_path: Path):
    file = write(tmp_path, changed("spec.template.topologyConstraint.pack.required", "zone"))
    assert invoke("-f", str(file)).exit_code == 0  # offline: a level cannot be judged
    topology = write(tmp_path, BINDING, "binding.yaml")
    result = invoke("-f", str(file), "--topology-file", str(topology), "-o", "json")
    assert result.exit_code == 1
    [v] = json.loads(result.stdout)["violations"]
    assert (v["rule"], v["field"]) == (
        "TOPOLOGY_DOMAIN_UNKNOWN",
        "spec.template.topologyConstraint.pack.required",
    )
    demo = invoke("-f", str(file), "--demo", "-o", "json")  # region > zone > rack > host
    assert demo.exit_code == 0, demo.output
    assert json.loads(demo.stdout)["topology_source"].startswith("embedded demo")
    both = invoke("-f", str(file), "--demo", "--topology-file", str(topology))
    assert both.exit_code == 2 and "not both" in both.stderr


def test_stdin_multi_document_and_other_kinds(tmp_path: Path):
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "frontend"}}
    text = yaml.safe_dump_all([service, GOOD, changed("spec.replicas", -1)], sort_keys=False)
    result = invoke("-f", "-", "-o", "json", stdin=text)
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["inputs"] == ["stdin"]
    assert [(d["kind"], d["checked"], d["violations"]) for d in report["documents"]] == [
        ("Service", False, 0),
        ("PodCliqueSet", True, 0),
        ("PodCliqueSet", True, 1),
    ]
    assert report["violations"][0]["document"] == 3
    assert "not a Grove PodCliqueSet: skipped" in report["documents"][0]["note"]


def test_json_files_and_directories(tmp_path: Path):
    (tmp_path / "a.json").write_text(json.dumps(GOOD))
    write(tmp_path, changed("spec.template.terminationDelay", "0s"), "b.yml")
    (tmp_path / "notes.txt").write_text("not a manifest")
    result = invoke("-f", str(tmp_path), "-o", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["inputs"] == [str(tmp_path / "a.json"), str(tmp_path / "b.yml")]
    assert [v["rule"] for v in report["violations"]] == ["TERMINATION_DELAY_INVALID"]


def test_no_podcliqueset_exits_1(tmp_path: Path):
    file = write(tmp_path, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
    result = invoke("-f", str(file))
    assert result.exit_code == 1
    assert "No PodCliqueSet in" in result.stdout


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (
            "kind: PodCliqueSet\nmetadata:\n  name: [x\n",
            "pcs.yaml, line 4, column 1: not valid YAML",
        ),
        ('{"kind": "PodCliqueSet",\n "spec": }\n', "pcs.yaml, line 2, column 10: not valid JSON"),
        ("", "pcs.yaml is empty"),
    ],
)
def test_malformed_files_are_refused_with_file_and_line(tmp_path: Path, content: str, says: str):
    file = tmp_path / "pcs.yaml"
    file.write_text(content)
    result = invoke("-f", str(file))
    assert result.exit_code == 2, result.output
    assert says in result.stderr
    assert "Traceback" not in result.output


def test_unreadable_inputs_are_refused(tmp_path: Path):
    missing = invoke("-f", str(tmp_path / "nope.yaml"))
    assert missing.exit_code == 2 and "Cannot read" in missing.stderr
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00")
    binary = invoke("-f", str(tmp_path / "bin.yaml"))
    assert binary.exit_code == 2 and "not UTF-8" in binary.stderr
    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    assert invoke("-f", str(empty_dir)).exit_code == 2
    assert invoke().exit_code == 2  # -f is required
    topology = invoke("-f", str(write(tmp_path, GOOD)), "--topology-file", str(empty_dir))
    assert topology.exit_code == 2 and "is a directory" in topology.stderr


# -- the same check in `generate`, before it writes --------------------------------------------

QWEN_8 = "qwen3_32b_sglang_8gpu"


def generate(tmp_path: Path, *extra: str):
    cli = typer.Typer()
    cli.callback()(lambda: None)
    cli.command("generate")(generate_command(Replay(QWEN_8)))
    names = {"ttft_ms": "--ttft", "tpot_ms": "--tpot", "request_latency_ms": "--request-latency"}
    argv = ["generate", "--save-dir", str(tmp_path)]
    for key, value in flags(QWEN_8).items():
        argv += [names.get(key, "--" + key.replace("_", "-")), str(value)]
    return runner.invoke(cli, [*argv, *extra], env={"NO_COLOR": "1", "COLUMNS": "200"})


def test_generate_refuses_a_render_grove_would_refuse_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # The renderer shortens names to Grove's 45-character limit (and refuses bad --env names
    # itself). Were it to regress, only the webhook, so only the offline check, would notice:
    # the CRD schema lets a long name through. Break the shortening and see generate refuse.
    monkeypatch.setattr("grove_mcp.aic.manifests.fit_name", lambda name, child_length: name)
    result = generate(tmp_path / "out", "--name", "qwen3-32b-sglang-disaggregated-serving-prod")
    assert result.exit_code == 2, result.output
    assert "Grove's webhook would refuse the rendered PodCliqueSet" in result.stderr
    assert "45" in result.stderr
    assert list((tmp_path / "out").iterdir()) == []


def test_generate_writes_what_passes_and_says_a_pack_domain_was_not_checked(tmp_path: Path):
    result = generate(tmp_path, "--pack-domain", "rack", "--topology-name", "gpu-fabric")
    assert result.exit_code in (0, 1), result.output
    assert len(list(tmp_path.iterdir())) == 4
    assert "not checked against the ClusterTopologyBinding's levels" in result.stdout
    for manifest in tmp_path.glob("*.yaml"):
        checked = invoke("-f", str(manifest), "--demo")
        assert checked.exit_code == 0, checked.output


def test_generate_checks_the_pack_domain_against_the_clusters_binding_it_was_given(
    tmp_path: Path,
):
    given = generate(tmp_path / "given", "--demo", "--pack-domain", "rack")
    assert given.exit_code in (0, 1), given.output
    assert "was not checked against the ClusterTopologyBinding" not in given.output
    offline = generate(tmp_path / "off", "--pack-domain", "rack", "--topology-name", "gpu-fabric")
    assert offline.exit_code in (0, 1), offline.output
    assert "was not checked against the ClusterTopologyBinding" in offline.output
