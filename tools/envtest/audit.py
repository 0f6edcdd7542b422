"""kube-apiserver's audit log for the test API server, and who wrote what in it.

``ApiServer(audit=True)`` starts kube-apiserver with ``audit_flags``: every request at level
Metadata (who, which verb on what, the User-Agent, the request URI, the answer's code; no
bodies), as JSON lines in the server's directory, written as each request completes. The log
file is opened for appending, so it survives ``ApiServer.down()``.

``classify`` sorts one event by its User-Agent (``sources.kube.user_agent``) and verb:

- ``read``: any verb that changes nothing;
- ``review``: a SelfSubjectAccess/RulesReview create, which persists nothing;
- ``dry-run``: a create/update/patch/delete with ``dryRun=All`` in its request URI;
- ``plan-store``: grove-mcp's one consented write, a ConfigMap create or update marked so;
- ``harness``: a write by the test harness (``HARNESS_AGENT``, ``SEED_AGENT``) or the API
  server itself (bootstrap objects);
- ``violation``: any other write: by grove-mcp's front ends, or by an unknown program.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from grove_mcp.sources.kube import (
    CLI_AGENT,
    LIBRARY_AGENT,
    MCP_AGENT,
    PLAN_STORE,
    SLACK_AGENT,
    TUI_AGENT,
)

HARNESS_AGENT = "grove-envtest"  # fixtures' admin client: seeding, status writes, RBAC
SEED_AGENT = "grove-seed"  # tools/seed, run as a user runs it
PRODUCT = (CLI_AGENT, TUI_AGENT, MCP_AGENT, SLACK_AGENT, LIBRARY_AGENT)
HARNESS = (HARNESS_AGENT, SEED_AGENT)
API_SERVER_USER = "system:apiserver"  # its own bootstrap writes (priority levels, RBAC roles)
WRITES = frozenset({"create", "update", "patch", "delete", "deletecollection"})
REVIEWS = frozenset({"selfsubjectaccessreviews", "selfsubjectrulesreviews"})
POLICY = """\
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: Metadata
"""


def audit_flags(directory: Path) -> list[str]:
    """kube-apiserver's flags for a Metadata-level JSON log in ``directory``/audit.log."""
    directory.mkdir(parents=True, exist_ok=True)
    policy = directory / "policy.yaml"
    policy.write_text(POLICY)
    return [
        f"--audit-policy-file={policy}",
        f"--audit-log-path={directory / 'audit.log'}",
        "--audit-log-format=json",
        "--audit-log-mode=blocking",  # each event written as its request completes
        "--audit-log-maxsize=4096",  # MB: one file for a whole test run (no rotation)
    ]


@dataclass(frozen=True)
class Event:
    """One request, as the audit log records it (its last stage)."""

    verb: str
    user: str
    agent: str
    resource: str
    subresource: str
    namespace: str
    name: str
    uri: str
    code: int

    @property
    def program(self) -> str:
        """The User-Agent's first product token: ``kubectl-grove``, ``grove-envtest`` …"""
        return self.agent.split("/", 1)[0]

    @property
    def purpose(self) -> str:
        """What a grove-mcp write says it is for (``(write: plan-store)``), else ''."""
        _, marked, rest = self.agent.partition("(write: ")
        return rest.split(")", 1)[0] if marked else ""

    @property
    def dry_run(self) -> bool:
        return "All" in parse_qs(urlsplit(self.uri).query).get("dryRun", [])


def parse_line(line: str) -> tuple[str, str, Event] | None:
    """(auditID, stage, event) of one JSON line; None for a line that is not an event."""
    try:
        raw = json.loads(line)
    except ValueError:
        return None
    if not isinstance(raw, dict) or raw.get("kind") != "Event":
        return None
    ref = raw.get("objectRef") or {}
    event = Event(
        verb=str(raw.get("verb") or ""),
        user=str((raw.get("user") or {}).get("username") or ""),
        agent=str(raw.get("userAgent") or ""),
        resource=str(ref.get("resource") or ""),
        subresource=str(ref.get("subresource") or ""),
        namespace=str(ref.get("namespace") or ""),
        name=str(ref.get("name") or ""),
        uri=str(raw.get("requestURI") or ""),
        code=int((raw.get("responseStatus") or {}).get("code") or 0),
    )
    return str(raw.get("auditID") or ""), str(raw.get("stage") or ""), event


def events(lines: Iterable[str]) -> list[Event]:
    """One event per request (a watch logs ResponseStarted and ResponseComplete), in order."""
    by_id: dict[str, Event] = {}
    for line in lines:
        parsed = parse_line(line)
        if parsed is not None:
            audit_id, _, event = parsed
            by_id[audit_id or str(len(by_id))] = event
    return list(by_id.values())


def read_log(directory: Path) -> list[Event]:
    """Every event of the log in ``directory`` (an ``ApiServer``'s ``audit_dir``)."""
    path = directory / "audit.log"
    with path.open(encoding="utf-8", errors="replace") as lines:
        return events(lines)


def classify(event: Event) -> str:
    """``read``, ``review``, ``dry-run``, ``plan-store``, ``harness`` or ``violation``."""
    if event.verb not in WRITES:
        return "read"
    if event.verb == "create" and event.resource in REVIEWS:
        return "review"
    if event.dry_run:
        return "dry-run"
    if event.program in HARNESS or event.user == API_SERVER_USER:
        return "harness"
    if (
        event.program in PRODUCT
        and event.purpose == PLAN_STORE
        and event.resource == "configmaps"
        and not event.subresource
        and event.verb in ("create", "update")
    ):
        return "plan-store"
    return "violation"


@dataclass(frozen=True)
class Tally:
    """What the log shows, counted."""

    by_program_verb: Counter[tuple[str, str]]
    by_class: Counter[tuple[str, str]]  # (class, program)
    violations: list[Event]

    def product_events(self) -> int:
        return sum(n for (program, _), n in self.by_program_verb.items() if program in PRODUCT)

    def lines(self) -> Iterator[str]:
        """The counts, for a report."""
        yield "events by program × verb:"
        for (program, verb), n in sorted(self.by_program_verb.items()):
            yield f"  {program or '(none)':24} {verb:18} {n}"
        yield "by class × program:"
        for (kind, program), n in sorted(self.by_class.items()):
            yield f"  {kind:10} {program or '(none)':24} {n}"


def tally(log: Iterable[Event]) -> Tally:
    by_program_verb: Counter[tuple[str, str]] = Counter()
    by_class: Counter[tuple[str, str]] = Counter()
    violations = []
    for event in log:
        by_program_verb[event.program, event.verb] += 1
        kind = classify(event)
        by_class[kind, event.program] += 1
        if kind == "violation":
            violations.append(event)
    return Tally(by_program_verb, by_class, violations)
