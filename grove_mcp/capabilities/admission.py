"""Grove's admission rules for a new PodCliqueSet that its CRD cannot express.

Grove's validating webhook (``operator/internal/webhook/admission/pcs/validation/`` in
ai-dynamo/grove, read at fcc3b3bb) refuses PodCliqueSets that the API server's schema and CEL
rules accept. An API server without the webhook (a test server, ``kubectl apply
--dry-run=server`` against a cluster whose webhook is down) admits them, and Grove then never
admits them. These are the rules, re-stated from the webhook's code for one PodCliqueSet on
create, after the defaulting webhook's defaults (clique ``replicas`` 0 → 1, ``minAvailable`` →
``replicas``, ``terminationDelay`` → 4h, autoscaling ``minReplicas`` → ``replicas``).

Pure: a PodCliqueSet as parsed JSON/YAML in, problems (field path, what, what to do) out. Type
errors (a string where a number belongs) are the schema's business: such fields are skipped.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..names import DNS_SUBDOMAIN_RE

GROVE = "operator/internal/"
_PCS_GO = GROVE + "webhook/admission/pcs/validation/podcliqueset.go"
_TOPOLOGY_GO = GROVE + "webhook/admission/pcs/validation/topologyconstraints.go"
_DEPS_GO = GROVE + "webhook/admission/pcs/validation/podcliquedeps.go"
_DEFAULTS_GO = GROVE + "webhook/admission/pcs/defaulting/podcliqueset.go"

MAX_COMBINED_NAME = 45  # maxCombinedResourceNameLength in podcliqueset.go
EXPLICIT = "CliqueStartupTypeExplicit"
_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")  # apimachinery's IsEnvVarName
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_UNIT_S = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class Rule:
    """One admission rule: its code, the Grove file it comes from, and what it says."""

    code: str
    grove_source: str
    says: str
    needs_binding: bool = False


RULES: tuple[Rule, ...] = (
    Rule(
        "TOPOLOGY_NAME_REQUIRED",
        _PCS_GO,
        "every topologyConstraint has a topologyName, its own or inherited (PodCliqueSet → "
        "scaling group → clique)",
    ),
    Rule(
        "TOPOLOGY_NAME_CONFLICT",
        _PCS_GO,
        "every topologyConstraint of a PodCliqueSet names the same topology",
    ),
    Rule(
        "TOPOLOGY_NOT_FOUND",
        _PCS_GO,
        "the ClusterTopologyBinding named by topologyName exists",
        needs_binding=True,
    ),
    Rule(
        "TOPOLOGY_DOMAIN_UNKNOWN",
        _TOPOLOGY_GO,
        "pack.required, pack.preferred and packDomain are levels of the binding",
        needs_binding=True,
    ),
    Rule(
        "TOPOLOGY_HIERARCHY",
        _TOPOLOGY_GO,
        "a parent's pack domain is as broad as or broader than its children's",
        needs_binding=True,
    ),
    Rule(
        "NAME_TOO_LONG",
        _PCS_GO,
        f"PodCliqueSet + scaling group + clique names are at most {MAX_COMBINED_NAME} "
        "characters together",
    ),
    Rule("NAME_INVALID", _PCS_GO, "clique and scaling group names are DNS subdomains"),
    Rule("CLIQUES_REQUIRED", _PCS_GO, "at least one clique"),
    Rule("CLIQUE_NAME_DUPLICATE", _PCS_GO, "clique names are unique"),
    Rule("ROLE_NAME_DUPLICATE", _PCS_GO, "clique roleNames are unique"),
    Rule(
        "SCHEDULER_NAME_MISMATCH",
        _PCS_GO,
        "every clique's podSpec names the same scheduler (where they name one)",
    ),
    Rule(
        "REPLICAS_INVALID",
        _PCS_GO,
        "PodCliqueSet replicas ≥ 0; clique and scaling group replicas > 0 (after defaulting)",
    ),
    Rule(
        "MIN_AVAILABLE_INVALID", _PCS_GO, "0 < minAvailable ≤ replicas, cliques and scaling groups"
    ),
    Rule(
        "SCALE_CONFIG_INVALID",
        _PCS_GO,
        "autoscaling bounds fit minAvailable and replicas; no autoscaling on a scaling group's "
        "cliques",
    ),
    Rule(
        "SCALING_GROUP_UNKNOWN_CLIQUE",
        _PCS_GO,
        "a scaling group's cliqueNames are cliques of the PodCliqueSet",
    ),
    Rule("SCALING_GROUP_OVERLAP", _PCS_GO, "a clique belongs to at most one scaling group"),
    Rule("SCALING_GROUP_NAME_DUPLICATE", _PCS_GO, "scaling group names are unique"),
    Rule(
        "STARTS_AFTER_UNKNOWN",
        _PCS_GO,
        "with cliqueStartupType Explicit, startsAfter names existing cliques",
    ),
    Rule("STARTS_AFTER_SELF", _PCS_GO, "with Explicit startup, no clique starts after itself"),
    Rule("STARTS_AFTER_DUPLICATE", _PCS_GO, "with Explicit startup, startsAfter has no repeats"),
    Rule(
        "STARTS_AFTER_CYCLE",
        _DEPS_GO,
        "with Explicit startup, the startsAfter graph has no cycle",
    ),
    Rule("TERMINATION_DELAY_INVALID", _PCS_GO, "terminationDelay is a duration > 0"),
    Rule(
        "POD_SPEC_FORBIDDEN",
        _PCS_GO,
        "podSpec sets neither topologySpreadConstraints nor nodeName",
    ),
    Rule(
        "ENV_INVALID",
        _PCS_GO,
        "environment variable names are valid and unique within a container",
    ),
)
BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


@dataclass(frozen=True)
class Problem:
    """One rule broken: where (a JSON path), what, and what to do."""

    rule: str
    field: str
    message: str
    remediation: str

    @property
    def grove_source(self) -> str:
        return BY_CODE[self.rule].grove_source


@dataclass(frozen=True)
class Outcome:
    """The problems of one PodCliqueSet, and whether its pack domains were checked against a
    binding (``levels_checked``; False when it has constraints and no binding was known)."""

    problems: list[Problem]
    has_constraints: bool
    levels_checked: bool


def check(pcs: Mapping[str, Any], bindings: Mapping[str, Sequence[str]] | None) -> Outcome:
    """The admission problems of ``pcs``. ``bindings`` maps each known ClusterTopologyBinding's
    name to its domains, broadest first; None when none is known (the level rules are skipped)."""
    checker = _Checker(pcs)
    checker.names()
    checker.cliques()
    checker.scaling_groups()
    checker.startup_order()
    checker.termination_delay()
    checker.pod_specs()
    effective = checker.topology_names()
    levels_checked = False
    if checker.constraints and bindings is not None and effective is not None:
        checker.topology_levels(effective, bindings)
        levels_checked = True
    return Outcome(checker.problems, bool(checker.constraints), levels_checked)


# -- tolerant readers: the schema, not this module, refuses wrong types -------------------------


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _duplicates(values: Sequence[str]) -> Iterator[tuple[int, str]]:
    """(index, value) of every value seen before."""
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            yield i, value
        seen.add(value)


def go_duration_seconds(text: str) -> float | None:
    """A Go duration (``4h``, ``1h30m``, ``-5s``, ``0``) in seconds; None when it is not one."""
    body = text.strip()
    sign = -1.0 if body.startswith("-") else 1.0
    body = body.lstrip("+-")
    if body == "0":
        return 0.0
    total, at = 0.0, 0
    for match in _DURATION_PART.finditer(body):
        if match.start() != at:
            return None
        total += float(match.group(1)) * _UNIT_S[match.group(2)]
        at = match.end()
    return sign * total if at == len(body) and at > 0 else None


@dataclass
class _Constraint:
    path: str  # of the topologyConstraint
    tc: dict[str, Any]
    kind: str  # PodCliqueSet, PodCliqueScalingGroup or PodClique
    name: str

    @property
    def required(self) -> tuple[str, str]:
        """(domain, field path) of the required domain: pack.required, else legacy packDomain."""
        pack = _dict(self.tc.get("pack"))
        if _str(pack.get("required")):
            return pack["required"], f"{self.path}.pack.required"
        return _str(self.tc.get("packDomain")), f"{self.path}.packDomain"

    @property
    def preferred(self) -> tuple[str, str]:
        return _str(_dict(self.tc.get("pack")).get("preferred")), f"{self.path}.pack.preferred"

    @property
    def who(self) -> str:
        return "the PodCliqueSet" if self.kind == "PodCliqueSet" else f"{self.kind} '{self.name}'"


@dataclass
class _Checker:
    pcs: Mapping[str, Any]
    problems: list[Problem] = field(default_factory=list)
    constraints: list[_Constraint] = field(default_factory=list)

    def __post_init__(self) -> None:
        meta = _dict(self.pcs.get("metadata"))
        self.name = _str(meta.get("name"))
        # With generateName the API server appends 5 characters before admission.
        self.name_length = len(self.name) or (len(_str(meta.get("generateName"))) + 5)
        self.spec = _dict(self.pcs.get("spec"))
        self.template = _dict(self.spec.get("template"))
        self.clique_list = [_dict(c) for c in _list(self.template.get("cliques"))]
        self.group_list = [_dict(g) for g in _list(self.template.get("podCliqueScalingGroups"))]
        self.clique_names = [_str(c.get("name")) for c in self.clique_list]
        self.members = {
            _str(n) for g in self.group_list for n in _list(g.get("cliqueNames")) if _str(n)
        }
        base = "spec.template"
        if isinstance(self.template.get("topologyConstraint"), dict):
            self.constraints.append(
                _Constraint(
                    f"{base}.topologyConstraint",
                    self.template["topologyConstraint"],
                    "PodCliqueSet",
                    self.name,
                )
            )
        for i, g in enumerate(self.group_list):
            if isinstance(g.get("topologyConstraint"), dict):
                self.constraints.append(
                    _Constraint(
                        f"{base}.podCliqueScalingGroups[{i}].topologyConstraint",
                        g["topologyConstraint"],
                        "PodCliqueScalingGroup",
                        _str(g.get("name")),
                    )
                )
        for i, c in enumerate(self.clique_list):
            if isinstance(c.get("topologyConstraint"), dict):
                self.constraints.append(
                    _Constraint(
                        f"{base}.cliques[{i}].topologyConstraint",
                        c["topologyConstraint"],
                        "PodClique",
                        _str(c.get("name")),
                    )
                )

    def add(self, rule: str, path: str, message: str, remediation: str) -> None:
        self.problems.append(Problem(rule, path, message, remediation))

    # -- names ----------------------------------------------------------------------------------

    def names(self) -> None:
        """Clique and scaling-group names, and Grove's 45-character rule: the PodCliqueSet's
        name plus a standalone clique's, or plus a scaling group's and each of its cliqueNames'
        (pod names are built from them: <pcs>-<i>-[<group>-<j>-]<clique>-<5 random>)."""
        for i, name in enumerate(self.clique_names):
            path = f"spec.template.cliques[{i}].name"
            if not _dns_subdomain(name):
                self._invalid_name(path, name, "clique")
            elif name not in self.members:
                self._length(path, [name], f"clique '{name}'")
        for i, group in enumerate(self.group_list):
            gname = _str(group.get("name"))
            if not _dns_subdomain(gname):
                self._invalid_name(
                    f"spec.template.podCliqueScalingGroups[{i}].name", gname, "scaling group"
                )
            for j, member in enumerate(_list(group.get("cliqueNames"))):
                path = f"spec.template.podCliqueScalingGroups[{i}].cliqueNames[{j}]"
                self._length(
                    path,
                    [gname, _str(member)],
                    f"scaling group '{gname}' and its clique '{_str(member)}'",
                )
        for j, name in _duplicates(self.clique_names):
            self.add(
                "CLIQUE_NAME_DUPLICATE",
                f"spec.template.cliques[{j}].name",
                f"Clique name '{name}' is used by more than one clique.",
                "Give every clique its own name.",
            )

    def _invalid_name(self, path: str, name: str, what: str) -> None:
        self.add(
            "NAME_INVALID",
            path,
            f"The {what} name '{name}' is not a DNS subdomain"
            + (" (it is empty)." if not name else "."),
            "Use lowercase letters, digits, '-' and '.', starting and ending with a letter or "
            "digit, e.g. 'prefill'.",
        )

    def _length(self, path: str, parts: list[str], what: str) -> None:
        total = self.name_length + sum(len(p) for p in parts)
        if total > MAX_COMBINED_NAME:
            self.add(
                "NAME_TOO_LONG",
                path,
                f"The PodCliqueSet name '{self.name}' ({self.name_length}) and {what} "
                f"({' + '.join(str(len(p)) for p in parts)}) are {total} characters together; "
                f"Grove allows {MAX_COMBINED_NAME}, to keep its pod names within limits.",
                f"Shorten them by {total - MAX_COMBINED_NAME} character(s) (metadata.name is "
                "usually the easiest).",
            )

    # -- cliques --------------------------------------------------------------------------------

    def cliques(self) -> None:
        if not self.clique_list:
            self.add(
                "CLIQUES_REQUIRED",
                "spec.template.cliques",
                "The PodCliqueSet defines no clique.",
                "Define at least one clique under spec.template.cliques.",
            )
        replicas = _int(self.spec.get("replicas"))
        if replicas is not None and replicas < 0:
            self.add(
                "REPLICAS_INVALID",
                "spec.replicas",
                f"replicas is {replicas}.",
                "Use 0 or more replicas.",
            )
        roles = [_str(_dict(c.get("spec")).get("roleName")) for c in self.clique_list]
        for j, role in _duplicates(roles):
            self.add(
                "ROLE_NAME_DUPLICATE",
                f"spec.template.cliques[{j}].spec.roleName",
                f"roleName '{role}' is used by more than one clique.",
                "Give every clique its own roleName.",
            )
        self._scheduler_names()
        for i, clique in enumerate(self.clique_list):
            self._clique_counts(i, clique)

    def _scheduler_names(self) -> None:
        first: str | None = None
        for i, clique in enumerate(self.clique_list):
            pod = _dict(_dict(clique.get("spec")).get("podSpec"))
            scheduler = _str(pod.get("schedulerName"))
            if not scheduler:
                continue  # "" means Grove's default backend, which only the operator knows
            if first is None:
                first = scheduler
            elif scheduler != first:
                self.add(
                    "SCHEDULER_NAME_MISMATCH",
                    f"spec.template.cliques[{i}].spec.podSpec.schedulerName",
                    f"schedulerName '{scheduler}' differs from '{first}' of an earlier clique; "
                    "Grove schedules a PodCliqueSet with one scheduler.",
                    f"Use '{first}' (or one other name) in every clique.",
                )

    def _clique_counts(self, i: int, clique: dict[str, Any]) -> None:
        spec = _dict(clique.get("spec"))
        path = f"spec.template.cliques[{i}].spec"
        given = _int(spec.get("replicas"))
        if given is None:
            return
        replicas = 1 if given == 0 else given  # Grove's default for 0
        if replicas < 0:
            self.add(
                "REPLICAS_INVALID", f"{path}.replicas", f"replicas is {given}.", "Use 1 or more."
            )
        min_given = _int(spec.get("minAvailable"))
        minimum = given if "minAvailable" not in spec else min_given
        if minimum is not None:
            defaulted = "" if "minAvailable" in spec else " (defaulted from replicas)"
            self._min_available(f"{path}.minAvailable", minimum, replicas, defaulted)
        scale = spec.get("autoScalingConfig")
        name = self.clique_names[i]
        if isinstance(scale, dict) and name in self.members:
            self.add(
                "SCALE_CONFIG_INVALID",
                f"{path}.autoScalingConfig",
                f"Clique '{name}' belongs to a scaling group and has its own autoScalingConfig.",
                "Remove it and set scaleConfig on the scaling group, which scales its cliques "
                "together.",
            )
        elif isinstance(scale, dict) and minimum is not None:
            self._autoscaling(f"{path}.autoScalingConfig", scale, given, replicas, minimum)

    def _min_available(self, path: str, minimum: int, replicas: int, defaulted: str) -> None:
        if minimum <= 0:
            self.add(
                "MIN_AVAILABLE_INVALID",
                path,
                f"minAvailable is {minimum}{defaulted}; it must be greater than 0.",
                "Set minAvailable to 1 or more: the pods the gang needs to run.",
            )
        elif minimum > replicas:
            self.add(
                "MIN_AVAILABLE_INVALID",
                path,
                f"minAvailable {minimum} exceeds replicas {replicas}.",
                f"Lower minAvailable to at most {replicas}, or raise replicas.",
            )

    def _autoscaling(
        self, path: str, scale: dict[str, Any], given: int, replicas: int, minimum: int
    ) -> None:
        low = _int(scale.get("minReplicas"))
        low = given if "minReplicas" not in scale else low
        high = _int(scale.get("maxReplicas"))
        if low is not None and low < minimum:
            self.add(
                "SCALE_CONFIG_INVALID",
                f"{path}.minReplicas",
                f"minReplicas {low} is below minAvailable {minimum}: scaling in that far would "
                "breach the gang and make Grove terminate it.",
                f"Set minReplicas to at least {minimum}.",
            )
        if high is not None and low is not None and high < low:
            self.add(
                "SCALE_CONFIG_INVALID",
                f"{path}.maxReplicas",
                f"maxReplicas {high} is below minReplicas {low}.",
                f"Set maxReplicas to at least {low}.",
            )
        if high is not None and high < replicas:
            self.add(
                "SCALE_CONFIG_INVALID",
                f"{path}.maxReplicas",
                f"maxReplicas {high} is below replicas {replicas}.",
                f"Set maxReplicas to at least {replicas}.",
            )

    # -- scaling groups -------------------------------------------------------------------------

    def scaling_groups(self) -> None:
        known = set(self.clique_names)
        every_member: list[str] = []
        for i, group in enumerate(self.group_list):
            path = f"spec.template.podCliqueScalingGroups[{i}]"
            gname = _str(group.get("name"))
            members = [_str(n) for n in _list(group.get("cliqueNames"))]
            every_member += members
            unknown = sorted({m for m in members if m not in known})
            if unknown:
                self.add(
                    "SCALING_GROUP_UNKNOWN_CLIQUE",
                    f"{path}.cliqueNames",
                    f"Scaling group '{gname}' names clique(s) {', '.join(map(repr, unknown))} "
                    "that the PodCliqueSet does not define.",
                    f"Name only cliques of spec.template.cliques: {', '.join(sorted(known))}.",
                )
            replicas = _int(group.get("replicas")) if "replicas" in group else 1
            minimum = _int(group.get("minAvailable")) if "minAvailable" in group else 1
            if replicas is not None and replicas <= 0:
                self.add(
                    "REPLICAS_INVALID",
                    f"{path}.replicas",
                    f"replicas is {replicas}.",
                    "Use 1 or more.",
                )
            if minimum is not None and replicas is not None:
                self._min_available(f"{path}.minAvailable", minimum, replicas, "")
            scale = _dict(group.get("scaleConfig"))
            low = _int(scale.get("minReplicas"))
            if low is not None and minimum is not None and low < minimum:
                self.add(
                    "SCALE_CONFIG_INVALID",
                    f"{path}.scaleConfig.minReplicas",
                    f"minReplicas {low} is below the scaling group's minAvailable {minimum}.",
                    f"Set minReplicas to at least {minimum}.",
                )
        names = [_str(g.get("name")) for g in self.group_list]
        for j, name in _duplicates(names):
            self.add(
                "SCALING_GROUP_NAME_DUPLICATE",
                f"spec.template.podCliqueScalingGroups[{j}].name",
                f"Scaling group name '{name}' is used more than once.",
                "Give every scaling group its own name.",
            )
        for member in sorted({m for _, m in _duplicates(every_member)}):
            where = [
                i for i, g in enumerate(self.group_list) if member in _list(g.get("cliqueNames"))
            ]
            self.add(
                "SCALING_GROUP_OVERLAP",
                f"spec.template.podCliqueScalingGroups[{where[-1]}].cliqueNames",
                f"Clique '{member}' is in more than one scaling group (or twice in one).",
                "Put each clique in at most one scaling group.",
            )

    # -- startup order --------------------------------------------------------------------------

    def startup_order(self) -> None:
        """Grove checks startsAfter only when cliqueStartupType is CliqueStartupTypeExplicit."""
        if self.template.get("cliqueStartupType") != EXPLICIT:
            return
        known = set(self.clique_names)
        graph: dict[str, list[str]] = {}
        for i, clique in enumerate(self.clique_list):
            name = self.clique_names[i]
            path = f"spec.template.cliques[{i}].spec.startsAfter"
            after = [_str(d) for d in _list(_dict(clique.get("spec")).get("startsAfter"))]
            graph.setdefault(name, []).extend(after)
            for j, dep in enumerate(after):
                if dep == name:
                    self.add(
                        "STARTS_AFTER_SELF",
                        f"{path}[{j}]",
                        f"Clique '{name}' starts after itself.",
                        "Remove it from its own startsAfter.",
                    )
                elif dep not in known:
                    self.add(
                        "STARTS_AFTER_UNKNOWN",
                        f"{path}[{j}]",
                        f"Clique '{name}' starts after "
                        + (f"'{dep}', which is not a clique." if dep else "an empty name."),
                        _closest_clique(dep, sorted(known - {name})),
                    )
            for j, dep in _duplicates(after):
                self.add(
                    "STARTS_AFTER_DUPLICATE",
                    f"{path}[{j}]",
                    f"Clique '{name}' lists '{dep}' more than once in startsAfter.",
                    "List each clique once.",
                )
        for cycle in _cycles(graph):
            self.add(
                "STARTS_AFTER_CYCLE",
                "spec.template.cliques",
                f"Cliques {', '.join(map(repr, cycle))} wait for each other through startsAfter "
                "and would never start.",
                "Break the cycle: remove one of these startsAfter entries.",
            )

    # -- the rest of the template ---------------------------------------------------------------

    def termination_delay(self) -> None:
        if "terminationDelay" not in self.template:
            return  # defaulted to 4h
        value = self.template["terminationDelay"]
        seconds = go_duration_seconds(value) if isinstance(value, str) else None
        if seconds is None:
            self.add(
                "TERMINATION_DELAY_INVALID",
                "spec.template.terminationDelay",
                f"terminationDelay {value!r} is not a duration.",
                "Write a duration such as 4h or 30m (or leave it out for Grove's 4h).",
            )
        elif seconds <= 0:
            self.add(
                "TERMINATION_DELAY_INVALID",
                "spec.template.terminationDelay",
                f"terminationDelay is {value}; Grove needs it greater than 0.",
                "Use a positive duration such as 4h (or leave it out for Grove's 4h).",
            )

    def pod_specs(self) -> None:
        for i, clique in enumerate(self.clique_list):
            path = f"spec.template.cliques[{i}].spec.podSpec"
            pod = _dict(_dict(clique.get("spec")).get("podSpec"))
            if pod.get("topologySpreadConstraints") is not None:
                self.add(
                    "POD_SPEC_FORBIDDEN",
                    f"{path}.topologySpreadConstraints",
                    "topologySpreadConstraints is set; Grove places gangs itself.",
                    "Remove it; use topologyConstraint (pack.required / pack.preferred) instead.",
                )
            if _str(pod.get("nodeName")):
                self.add(
                    "POD_SPEC_FORBIDDEN",
                    f"{path}.nodeName",
                    f"nodeName is set ('{pod['nodeName']}'); the gang scheduler places the pods.",
                    "Remove nodeName; use a nodeSelector or affinity to restrict nodes.",
                )
            for kind in ("containers", "initContainers"):
                for k, container in enumerate(_list(pod.get(kind))):
                    self._env(f"{path}.{kind}[{k}].env", _list(_dict(container).get("env")))

    def _env(self, path: str, env: list[Any]) -> None:
        names = [_str(_dict(e).get("name")) for e in env]
        for j, name in enumerate(names):
            if not _ENV_NAME.match(name):
                self.add(
                    "ENV_INVALID",
                    f"{path}[{j}].name",
                    f"Environment variable name {name!r} is not valid.",
                    "Use letters, digits, '_', '-' and '.', not starting with a digit.",
                )
        for j, name in _duplicates(names):
            self.add(
                "ENV_INVALID",
                f"{path}[{j}].name",
                f"Environment variable '{name}' is set twice in the container.",
                "Keep one entry per name.",
            )

    # -- topology -------------------------------------------------------------------------------

    def topology_names(self) -> str | None:
        """Grove's topologyName resolution: a scaling group inherits the PodCliqueSet's, a
        clique its scaling group's (else the PodCliqueSet's). The one effective name, or None
        (no constraint, or a name problem, which is reported)."""
        if not self.constraints:
            return None
        observed: list[tuple[str, _Constraint]] = []
        reported: set[str] = set()
        pcs_name = ""
        by_member: dict[str, str] = {}
        for c in self.constraints:
            if c.kind == "PodCliqueSet":
                inherited, source = "", ""
            elif c.kind == "PodCliqueScalingGroup":
                inherited, source = pcs_name, "the PodCliqueSet"
            else:
                inherited = by_member.get(c.name, pcs_name)
                source = "its scaling group" if c.name in by_member else "the PodCliqueSet"
            effective = self._resolve(c, inherited, source, reported)
            if effective is None:
                continue
            observed.append((effective, c))
            if c.kind == "PodCliqueSet":
                pcs_name = effective
            elif c.kind == "PodCliqueScalingGroup":
                group = next(g for g in self.group_list if g.get("topologyConstraint") is c.tc)
                for member in _list(group.get("cliqueNames")):
                    by_member.setdefault(_str(member), effective)
        names = sorted({name for name, _ in observed})
        if len(names) > 1:
            first = observed[0][0]
            for name, c in observed:
                path = f"{c.path}.topologyName"
                if name != first and _str(c.tc.get("topologyName")) and path not in reported:
                    reported.add(path)
                    self._conflict(path, name, names)
        if reported or not observed:
            return None
        return observed[0][0]

    def _resolve(
        self, c: _Constraint, inherited: str, source: str, reported: set[str]
    ) -> str | None:
        explicit = _str(c.tc.get("topologyName"))
        path = f"{c.path}.topologyName"
        if not explicit and not inherited:
            reported.add(path)
            self.add(
                "TOPOLOGY_NAME_REQUIRED",
                path,
                f"The topologyConstraint of {c.who} has no topologyName, and there is none to "
                "inherit.",
                "Set topologyName to the ClusterTopologyBinding whose levels the pack domain "
                "names (kubectl get clustertopologybindings); on spec.template.topologyConstraint "
                "it is inherited by every scaling group and clique.",
            )
            return None
        if explicit and inherited and explicit != inherited:
            reported.add(path)
            self._conflict(path, explicit, sorted({explicit, inherited}), source)
            return None
        return explicit or inherited

    def _conflict(self, path: str, name: str, names: list[str], source: str = "") -> None:
        against = f" from the '{next(n for n in names if n != name)}' of {source}" if source else ""
        self.add(
            "TOPOLOGY_NAME_CONFLICT",
            path,
            f"topologyName '{name}' differs{against}; Grove allows one topology per "
            f"PodCliqueSet (found {', '.join(map(repr, names))}).",
            "Use the same topologyName everywhere, or set it once on "
            "spec.template.topologyConstraint and leave it out below.",
        )

    def topology_levels(self, name: str, bindings: Mapping[str, Sequence[str]]) -> None:
        """The pack domains against the levels of binding ``name`` (Grove: on create, with
        topology-aware scheduling enabled)."""
        first = next(c for c in self.constraints if _str(c.tc.get("topologyName")))
        if name not in bindings:
            known = ", ".join(sorted(bindings)) or "none"
            self.add(
                "TOPOLOGY_NOT_FOUND",
                f"{first.path}.topologyName",
                f"ClusterTopologyBinding '{name}' does not exist (known: {known}).",
                "Name an existing ClusterTopologyBinding (kubectl get clustertopologybindings), "
                "or create it first.",
            )
            return
        domains = list(bindings[name])
        order = " > ".join(domains)
        unknown = False
        for c in self.constraints:
            for domain, path in (c.required, c.preferred):
                if domain and domain not in domains:
                    unknown = True
                    self.add(
                        "TOPOLOGY_DOMAIN_UNKNOWN",
                        path,
                        f"Pack domain '{domain}' is not a level of ClusterTopologyBinding "
                        f"'{name}' ({order}).",
                        f"Use one of its levels: {', '.join(domains)}.",
                    )
        if not unknown:
            self._hierarchy(domains)

    def _hierarchy(self, domains: list[str]) -> None:
        parents = [c for c in self.constraints if c.kind != "PodClique"]
        for parent in parents:
            if parent.kind == "PodCliqueSet":
                children = [c for c in self.constraints if c is not parent]
            else:
                group = next(g for g in self.group_list if g.get("topologyConstraint") is parent.tc)
                members = {_str(m) for m in _list(group.get("cliqueNames"))}
                children = [
                    c for c in self.constraints if c.kind == "PodClique" and c.name in members
                ]
            for child in children:
                for pick in ("required", "preferred"):
                    (mine, path), (theirs, _) = getattr(parent, pick), getattr(child, pick)
                    if (
                        mine in domains
                        and theirs in domains
                        and domains.index(mine) > domains.index(theirs)
                    ):
                        self.add(
                            "TOPOLOGY_HIERARCHY",
                            path,
                            f"The {pick} pack domain of {parent.who} ('{mine}') is narrower than "
                            f"that of {child.who} ('{theirs}'); levels: {' > '.join(domains)}.",
                            f"Make {parent.who}'s domain '{theirs}' or broader, or "
                            f"{child.who}'s '{mine}' or narrower.",
                        )


def _dns_subdomain(name: str) -> bool:
    return 0 < len(name) <= 253 and bool(DNS_SUBDOMAIN_RE.match(name))


def _cycles(graph: Mapping[str, list[str]]) -> list[list[str]]:
    """Strongly connected components of more than one clique (Tarjan), each sorted, in order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, []):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return sorted(found)


def _closest_clique(wrong: str, others: list[str]) -> str:
    """Did-you-mean for a startsAfter name: the closest other clique, then the list."""
    close = difflib.get_close_matches(wrong, others, n=1)
    hint = f"Did you mean '{close[0]}'? " if close else ""
    listed = ", ".join(others) if others else "none (it is the only clique)"
    return f"{hint}Name other cliques of this PodCliqueSet: {listed}."
