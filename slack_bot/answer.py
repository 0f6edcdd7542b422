"""A command answered: the core's report for the request's identity, rendered for Slack.

The one place the bot calls the core (``grove_mcp.core.run``: checked, redacted), so every
answer is the report the CLI and MCP give. Errors become messages that say what to do; no
traceback reaches a channel.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any

from grove_mcp.core import MetricsArgs, ReplanArgs, check_proposal, run
from grove_mcp.errors import AccessDenied, GroveError
from grove_mcp.planfile import dump_plan
from grove_mcp.redact import redact_text
from grove_mcp.render import OutputFormat, render, render_markdown
from grove_mcp.render.blockkit import SECTION_CHARS
from grove_mcp.reports.replan import ReplanReport, proposal_file_names
from grove_mcp.sources import is_demo
from grove_mcp.sources.base import Source

from .access import Access
from .buttons import follow_ups
from .commands import REPLAN, Command
from .config import Identity

log = logging.getLogger(__name__)
REPLAN_AIC_TIMEOUT_S = 300.0  # each AIConfigurator run of a re-plan asked in a channel


@dataclass(frozen=True)
class Reply:
    """What to post: the message, and the files that go with it."""

    text: str
    blocks: list[dict[str, Any]]
    ok: bool = True
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (file name, content)
    markdown: str = ""  # the whole report, for a plain-text retry when Slack refuses the blocks

    def payload(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def note(text: str, ok: bool = False) -> Reply:
    """A one-section reply (errors, refusals, help)."""
    clean = redact_text(text)
    return Reply(clean, sections(clean), ok, markdown=clean)


def sections(text: str, limit: int = SECTION_CHARS) -> list[dict[str, Any]]:
    """``text`` as mrkdwn sections of at most ``limit`` characters, split between lines."""
    chunks: list[str] = [""]
    for line in text.splitlines():
        while len(line) > limit:  # one line longer than a section: split it where it must
            chunks.append(line[:limit])
            line = line[limit:]
        if len(chunks[-1]) + len(line) + 1 > limit:
            chunks.append("")
        chunks[-1] = f"{chunks[-1]}\n{line}" if chunks[-1] else line
    return [{"type": "section", "text": {"type": "mrkdwn", "text": c}} for c in chunks if c]


def answer(command: Command, access: Access, identity: Identity) -> Reply:
    """The rendered report of ``command``, read as ``identity``."""
    namespace = access.namespace(command.namespace)
    try:
        with access.source_for(identity) as source:
            args = _args(command, source)
            report = run(command.capability, source, namespace, command.name, args)
            if isinstance(report, ReplanReport):  # Grove's admission rules, as the CLI checks
                report = check_proposal(report, source)
    except AccessDenied as err:
        groups = ", ".join(identity.groups) or "no groups"
        return note(
            f":lock: The API server denied this channel's identity ({identity.user}; "
            f"{groups}): {err}"
        )
    except GroveError as err:
        return note(f":x: {err}")
    except Exception:  # never a traceback in a channel; the log has it
        log.exception("grove-slack: %s failed", command.text())
        return note(":x: Something went wrong inside grove-slack; its log says what.")
    message = render(report, OutputFormat.slack)
    blocks = list(message.blocks)
    actions = follow_ups(command, namespace)
    if actions is not None:
        blocks.append(actions)
    files = [(message.snippet_name, message.snippet.encode())] if message.snippet else []
    if command.capability == "topology" and command.name:
        files.append(_heatmap(report, command.name))
    if isinstance(report, ReplanReport):
        files += proposal_files(report)
    ok = bool(report.summary.ok)  # type: ignore[attr-defined]
    return Reply(message.text, blocks, ok, files, render_markdown(report))


def _args(command: Command, source: Source) -> Any:
    if command.capability == REPLAN:
        return _replan_args(command, source)
    if command.capability not in ("metrics", "compare", "diagnose"):
        return None
    args = MetricsArgs(no_metrics=command.no_metrics)
    if command.window:
        args = MetricsArgs(window=command.window, no_metrics=command.no_metrics)
    return args


def _replan_args(command: Command, source: Source) -> ReplanArgs:
    """The window and ``--force`` asked for, AIConfigurator bounded for a chat; on the demo
    its recorded answers (the bot applies nothing: the proposal is posted)."""
    runners: dict[str, Any] = {}
    if is_demo(source):
        from grove_mcp.demo import recorded_aiconfigurator

        runners = recorded_aiconfigurator()
    args = ReplanArgs(timeout_s=REPLAN_AIC_TIMEOUT_S, force=command.force, **runners)
    return replace(args, window=command.window) if command.window else args


def proposal_files(report: ReplanReport) -> list[tuple[str, bytes]]:
    """A proposed change's PodCliqueSet and plan.json, attached (the message points at them:
    what the user checks, applies and stores); none for "no change needed"."""
    p = report.proposal
    if p is None or not p.change_needed:
        return []
    manifest, plan = proposal_file_names(report.name)
    return [(manifest, p.manifest.encode()), (plan, dump_plan(p.plan).encode())]


def _heatmap(report: Any, name: str) -> tuple[str, bytes]:
    from .heatmap import heatmap_png  # pillow: the [slack] extra

    return f"{name}-topology.png", heatmap_png(report)
