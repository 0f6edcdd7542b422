"""The ``validate`` report: PodCliqueSet manifests checked against Grove's admission rules.

Grove's validating webhook refuses PodCliqueSets that the CRD's schema accepts (a missing
topologyName, names over 45 characters together, startsAfter naming no clique …). The report
lists every rule broken, by field, with what to change, before anything is applied or written.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .common import ReportModel, Severity, Summary


class Violation(ReportModel):
    rule: str = Field(
        description="Stable code of the admission rule broken, e.g. TOPOLOGY_NAME_REQUIRED or "
        "NAME_TOO_LONG (all codes: docs/validate.md)."
    )
    severity: Severity = Field(
        description="critical: Grove's webhook refuses the PodCliqueSet, so kubectl apply fails."
    )
    origin: str = Field(description="The file (or stdin, or the tool argument) it is in.")
    document: int = Field(description="Position of the document in that input, from 1.")
    line: int | None = Field(
        description="Line of the field in the input (of its closest parent present when the "
        "field is missing); null when the input was parsed as JSON."
    )
    name: str = Field(description="The PodCliqueSet's metadata.name.")
    field: str = Field(
        description="JSON path of the field at fault, e.g. "
        "spec.template.cliques[1].topologyConstraint.topologyName."
    )
    message: str = Field(description="What is wrong, in one sentence.")
    remediation: str = Field(description="What to change.")
    grove_source: str = Field(
        description="The file of Grove's webhook that holds the rule, in the repository "
        "ai-dynamo/grove (e.g. operator/internal/webhook/admission/pcs/validation/podcliqueset.go)."
    )


class DocumentResult(ReportModel):
    origin: str = Field(description="The file (or stdin, or the tool argument) it is in.")
    document: int = Field(description="Position of the document in that input, from 1.")
    line: int | None = Field(description="Line the document starts on; null for JSON input.")
    kind: str | None = Field(description="Its kind; null when it is not a Kubernetes object.")
    name: str | None = Field(description="Its metadata.name, when it has one.")
    checked: bool = Field(
        description="True: a PodCliqueSet, checked against the rules. False: skipped (see note)."
    )
    violations: int = Field(description="Rules it breaks (0 when skipped).")
    note: str | None = Field(description="Why it was skipped, or what was not checked in it.")


class KnownBinding(ReportModel):
    name: str = Field(description="ClusterTopologyBinding name (what topologyName refers to).")
    levels: list[str] = Field(description="Its domains, broadest first, e.g. zone, rack, host.")


class ValidateReport(ReportModel):
    report: Literal["validate"] = Field(default="validate", description="Report type.")
    inputs: list[str] = Field(description="What was read: file names, stdin or tool argument.")
    documents: list[DocumentResult] = Field(
        description="Every document of the inputs, in order, checked or skipped."
    )
    violations: list[Violation] = Field(
        description="Every rule broken, by input, document and field path."
    )
    topology_source: str | None = Field(
        description="Where the ClusterTopologyBindings came from (a --topology-file, a "
        "cluster, a bundle); null when none was known, so pack domains were not checked "
        "against levels."
    )
    bindings: list[KnownBinding] = Field(
        description="The ClusterTopologyBindings known, by name (empty when none)."
    )
    rules: list[str] = Field(description="Codes of the rules checked, in the order checked.")
    skipped_rules: list[str] = Field(
        description="Rules not checked, each with why (e.g. the level rules when no "
        "ClusterTopologyBinding was known for a PodCliqueSet with a topologyConstraint)."
    )
    notes: list[str] = Field(
        description="What else limits the check: bindings that could not be read, what only "
        "the cluster knows (topology-aware scheduling enabled, the scheduler backends)."
    )
    summary: Summary = Field(
        description="Not ok (critical) when a rule is broken; not ok (warning) when the inputs "
        "hold no PodCliqueSet; ok otherwise, saying what was not checked."
    )
