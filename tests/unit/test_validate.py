"""``validate`` through the table: parsing manifests (YAML, JSON, Lists, lines), the bindings it
learns (a topology file, a bundle), what it skips and its verdict; and the check ``generate``
makes before writing."""

from __future__ import annotations

import json

import pytest
import yaml
from recorded_aic import Replay, flags

from grove_mcp import aic, core
from grove_mcp.core import ManifestText, ValidateArgs
from grove_mcp.errors import AdmissionRefused, InvalidInput
from grove_mcp.reports.validate import ValidateReport
from grove_mcp.sources import demo_source

GOOD = """\
apiVersion: grove.io/v1alpha1
kind: PodCliqueSet
metadata:
  name: my-inference
spec:
  replicas: 1
  template:
    topologyConstraint:
      topologyName: gpu-fabric
      pack:
        required: rack
    cliques:
    - name: decode
      spec:
        roleName: decode
        replicas: 2
        podSpec:
          containers:
          - name: main
            image: example/decode:1
"""
SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: frontend\n"
BINDING = """\
apiVersion: grove.io/v1alpha1
kind: ClusterTopologyBinding
metadata:
  name: gpu-fabric
spec:
  levels:
  - {domain: zone, key: topology.kubernetes.io/zone}
  - {domain: rack, key: topology.kubernetes.io/rack}
"""


def run(*texts: str, topology: str | None = None, source=None) -> ValidateReport:
    manifests = tuple(ManifestText(f"m{i}.yaml", t) for i, t in enumerate(texts, 1))
    given = ManifestText("topo.yaml", topology) if topology is not None else None
    report = core.run("validate", source, args=ValidateArgs(manifests, given))
    assert isinstance(report, ValidateReport)
    return report


def test_a_good_manifest_passes_offline_and_says_what_was_not_checked():
    report = run(GOOD)
    assert report.summary.ok and report.violations == []
    assert "pack domains not checked" in report.summary.text
    assert report.topology_source is None and report.bindings == []
    assert report.skipped_rules and "TOPOLOGY_DOMAIN_UNKNOWN" in report.skipped_rules[0]
    assert report.documents[0].checked and report.documents[0].note


def test_without_a_constraint_nothing_is_skipped():
    data = yaml.safe_load(GOOD)
    del data["spec"]["template"]["topologyConstraint"]
    report = run(yaml.safe_dump(data))
    assert report.summary.ok and report.skipped_rules == []
    assert report.summary.text == "1 PodCliqueSet(s) pass Grove's admission rules"


def test_a_violation_names_the_field_and_its_line():
    bad = GOOD.replace("      topologyName: gpu-fabric\n", "")
    report = run(SERVICE + "---\n" + bad)
    assert not report.summary.ok and report.summary.severity == "critical"
    [v] = report.violations
    assert (v.rule, v.field, v.document, v.name) == (
        "TOPOLOGY_NAME_REQUIRED",
        "spec.template.topologyConstraint.topologyName",
        2,
        "my-inference",
    )
    # the field is missing: the line is its parent's, counted in the whole file
    assert v.line == 5 + 8
    assert v.remediation and v.grove_source.endswith("podcliqueset.go")
    assert [d.checked for d in report.documents] == [False, True]
    assert "Service (v1) is not a Grove PodCliqueSet" in (report.documents[0].note or "")


def test_the_binding_from_a_file_checks_the_levels():
    report = run(GOOD.replace("required: rack", "required: host"), topology=BINDING)
    assert [(v.rule, v.field) for v in report.violations] == [
        ("TOPOLOGY_DOMAIN_UNKNOWN", "spec.template.topologyConstraint.pack.required")
    ]
    assert "zone > rack" in report.violations[0].message
    assert report.topology_source == "file topo.yaml" and report.skipped_rules == []
    assert [(b.name, b.levels) for b in report.bindings] == [("gpu-fabric", ["zone", "rack"])]


def test_the_binding_from_a_bundle_checks_the_levels():
    report = run(GOOD.replace("required: rack", "required: block"), source=demo_source())
    assert [v.rule for v in report.violations] == ["TOPOLOGY_DOMAIN_UNKNOWN"]
    assert (report.topology_source or "").startswith("embedded demo")
    assert run(GOOD, source=demo_source()).summary.text == (
        "1 PodCliqueSet(s) pass Grove's admission rules"
    )


def test_json_and_lists_are_read():
    data = yaml.safe_load(GOOD)
    data["spec"]["template"]["cliques"][0]["spec"]["minAvailable"] = 3
    text = json.dumps({"apiVersion": "v1", "kind": "List", "items": [data, data]}, indent=1)
    lines = [n for n, line in enumerate(text.splitlines(), 1) if '"minAvailable": 3' in line]
    report = run(text)
    assert [(v.document, v.field, v.line) for v in report.violations] == [
        (1, "spec.template.cliques[0].spec.minAvailable", lines[0]),
        (2, "spec.template.cliques[0].spec.minAvailable", lines[1]),
    ]
    tabbed = json.dumps(data, indent="\t")  # JSON that YAML cannot read: lines are unknown
    [v] = run(tabbed).violations
    assert v.line is None and v.rule == "MIN_AVAILABLE_INVALID"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("kind: PodCliqueSet\nspec: [a\n", "m1.yaml, line 3, column 1: not valid YAML"),
        ("a: 1\n  b: 2\n", "m1.yaml, line 2, column 4: not valid YAML"),
        ('{"kind": "PodCliqueSet",\n\t"spec": }', "m1.yaml, line 2, column 10: not valid JSON"),
        ("  \n", "m1.yaml is empty"),
    ],
)
def test_malformed_input_is_refused_with_the_line(text: str, says: str):
    with pytest.raises(InvalidInput) as caught:
        run(text)
    assert says in caught.value.message


def test_no_podcliqueset_is_not_ok():
    report = run(SERVICE, "- just\n- a list\n")
    assert not report.summary.ok and report.summary.severity == "warning"
    assert report.summary.text == "No PodCliqueSet in m1.yaml, m2.yaml: nothing checked"
    assert "Not a Kubernetes object (a list)" in (report.documents[1].note or "")


@pytest.mark.parametrize(
    ("topology", "says"),
    [
        (SERVICE, "topo.yaml holds no ClusterTopologyBinding (found: Service)"),
        (BINDING.replace("  name: gpu-fabric", "  labels: {a: b}"), "has no metadata.name"),
        (BINDING.replace("  - {domain: zone", "  - {domain: [zone]"), "field spec.levels.0.domain"),
    ],
)
def test_a_bad_topology_file_is_refused(topology: str, says: str):
    with pytest.raises(InvalidInput) as caught:
        run(GOOD, topology=topology)
    assert says in caught.value.message


def test_the_report_is_redacted():
    secret = "xoxb-0123456789-plantedsecret"
    report = run(GOOD.replace("name: my-inference", f"name: {secret}"))
    assert secret not in report.model_dump_json()


def _generated(**options) -> aic.GenerateArgs:
    fixture = "qwen3_32b_sglang_8gpu"
    return aic.GenerateArgs(
        aic.make_request(**flags(fixture)), aic.RenderOptions(**options), run=Replay(fixture)
    )


def test_generate_checks_its_render_before_writing():
    report = core.run("generate", None, args=_generated())
    assert core.check_before_write(report) == report  # passes, nothing to add

    packed = core.run("generate", None, args=_generated(pack_domain="rack", topology_name="f"))
    noted = core.check_before_write(packed)
    assert noted.plans == packed.plans
    assert "not checked against the ClusterTopologyBinding" in noted.notes[-1]

    # A render Grove would refuse (here: the demo's binding has no 'block' level).
    blocked = core.run(
        "generate", None, args=_generated(pack_domain="block", topology_name="gpu-fabric")
    )
    with pytest.raises(AdmissionRefused) as caught:
        core.check_before_write(blocked, demo_source())
    assert caught.value.exit_code == 2
    assert "spec.template.topologyConstraint.pack.required" in caught.value.message
    assert "nothing was written" in caught.value.message
