"""Slack Block Kit rendering: golden messages per report, the budget the bot relies on, the
snippet when a report does not fit (never a silent cut), content, escaping."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from slack_cases import BIG_BREACHED, CASES, report

from grove_mcp.render import OutputFormat, blockkit, render, render_markdown
from grove_mcp.render.slack import SlackMessage, message
from grove_mcp.render.slack_mrkdwn import esc
from grove_mcp.render.slack_parts import finding
from grove_mcp.reports.common import Finding, Severity
from grove_mcp.reports.health import HealthReport

GOLDEN = Path(__file__).parent / "slack_golden"


def rendered(case: str) -> SlackMessage:
    out = render(report(case), OutputFormat.slack)
    assert isinstance(out, SlackMessage)
    return out


def all_text(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_message(case):
    m = rendered(case)
    current = {
        "text": m.text,
        "blocks": m.blocks,
        "snippet": m.snippet is not None,
        "snippet_name": m.snippet_name,
    }
    path = GOLDEN / f"{case}.json"
    if os.environ.get("GROVE_UPDATE_SNAPSHOTS"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(json.dumps(current, indent=2, ensure_ascii=False) + "\n")
    assert current == json.loads(path.read_text()), (
        f"Slack message of {case} changed: review, then rerun with GROVE_UPDATE_SNAPSHOTS=1"
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_within_slack_limits_and_the_budget(case):
    m = rendered(case)
    assert blockkit.problems(m.blocks) == []
    assert blockkit.blocks_size(m.blocks) <= blockkit.BUDGET_JSON_CHARS
    assert len(m.blocks) <= blockkit.BUDGET_BLOCKS
    assert not blockkit.too_long(m.blocks)
    assert 0 < len(m.text) <= blockkit.SECTION_CHARS
    assert m.payload() == {"text": m.text, "blocks": m.blocks}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_verdict_shows_first(case):
    r = report(case)
    s = r.summary
    m = rendered(case)
    mark = (
        ":white_check_mark:"
        if s.ok
        else {
            Severity.critical: ":red_circle:",
            Severity.warning: ":warning:",
            Severity.info: ":information_source:",
        }[s.severity]
    )
    assert m.blocks[0]["type"] == "header"
    assert m.blocks[0]["text"]["text"].startswith(mark + " ")
    verdict = m.blocks[1]["fields"][0]["text"]
    assert verdict == f"*Verdict*\n{mark} {'OK' if s.ok else 'NOT OK'}: {esc(s.text)}"
    assert esc(s.text) in m.text
    assert m.blocks[-1]["type"] == "context"


def _left_out(m: SlackMessage) -> str:
    notes = [b["text"]["text"] for b in m.blocks if b["type"] == "section" and "text" in b]
    found = [n for n in notes if "in the attached file" in n]
    assert len(found) <= 1
    return found[0] if found else ""


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_snippet_exactly_when_something_was_left_out(case):
    m = rendered(case)
    note = _left_out(m)
    if m.snippet is None:
        assert not note
        # nothing shortened to Slack's limits (a shortened text ends "…" at the limit)
        texts = [b["text"]["text"] for b in m.blocks if b["type"] == "section" and "text" in b]
        assert all(len(t) < blockkit.SECTION_CHARS for t in texts)
    else:
        assert m.snippet == render_markdown(report(case))
        assert note and f"`{m.snippet_name}`" in note


def test_a_big_report_overflows_into_the_snippet_and_counts_what_it_left_out():
    r = report("big-health")
    assert isinstance(r, HealthReport)
    m = rendered("big-health")
    assert m.snippet == render_markdown(r)
    assert m.snippet_name == "my-inference-health.md"
    table = next(b for b in m.blocks if b["type"] == "table")
    shown = [row[0]["text"] for row in table["rows"][1:]]
    assert shown == [g.name for g in r.gangs][: len(shown)]
    note = _left_out(m)
    more = re.search(r"(\d+) more gangs", note)
    assert more and len(shown) + int(more.group(1)) == len(r.gangs) == 40
    unhealthy = [g for g in r.gangs if not g.healthy]
    assert len(unhealthy) == len(BIG_BREACHED)
    details = re.search(r"(\d+) gang details?", note)
    shown_details = sum(1 for g in unhealthy if f"*{g.name} —" in all_text(m.blocks))
    assert details and shown_details + int(details.group(1)) == len(unhealthy)


def test_every_gang_is_shown_or_counted():
    for case in sorted(CASES):
        r = report(case)
        gangs = getattr(r, "gangs", None)
        if not gangs:
            continue
        m = rendered(case)
        text = all_text(m.blocks)
        missing = [g.name for g in gangs if f'"{g.name}"' not in text]
        if missing:
            more = re.search(r"(\d+) more gangs?", _left_out(m))
            assert more and int(more.group(1)) == len(missing), case


def test_escaping_of_report_text():
    f = Finding(
        code="X",
        severity=Severity.warning,
        subject="pod/a<b>",
        message="R&D said <!channel>",
        evidence=["x > y"],
        remediation="use <https://evil|link>",
    )
    text = finding(f).blocks[0]["text"]["text"]
    assert "pod/a&lt;b&gt;" in text and "R&amp;D said &lt;!channel&gt;" in text
    assert "x &gt; y" in text and "&lt;https://evil|link&gt;" in text
    assert "<" not in text.replace("&lt;", "")
    r = report("demo-health")
    evil = r.model_copy(update={"name": "a&b<c>", "notes": ["<@U123> & co"]})
    m = message(evil)
    context = m.blocks[-1]["elements"][1]["text"]
    assert context == "note: &lt;@U123&gt; &amp; co"
    assert "a&amp;b&lt;c&gt;" in m.text
    assert m.blocks[0]["text"]["text"].endswith("a&b<c> — health")  # plain_text: no escaping


def test_emit_prints_the_message_json():
    from io import StringIO

    from rich.console import Console

    from grove_mcp.render import emit

    out = StringIO()
    emit(report("big-status"), OutputFormat.slack, Console(file=out, width=80))
    printed = json.loads(out.getvalue())
    m = rendered("big-status")
    assert printed == {**m.payload(), "snippet": m.snippet, "snippet_name": m.snippet_name}


@pytest.mark.parametrize("fixture", ["qwen3_32b_sglang_8gpu", "qwen3_32b_sglang_8gpu_tpot2"])
def test_generate_uses_the_generic_layout_within_the_budget(fixture):
    from recorded_aic import Replay, flags

    from grove_mcp import aic, core

    args = aic.GenerateArgs(aic.make_request(**flags(fixture)), run=Replay(fixture))
    r = core.run("generate", None, args=args)
    m = render(r, OutputFormat.slack)
    assert blockkit.problems(m.blocks) == []
    assert blockkit.blocks_size(m.blocks) <= blockkit.BUDGET_JSON_CHARS
    assert len(m.blocks) <= blockkit.BUDGET_BLOCKS
    assert m.blocks[-1]["elements"][0]["text"] == "grove-mcp"
    assert "|---|" not in all_text(m.blocks)  # Markdown tables become monospace
    assert m.snippet is None or m.snippet == render_markdown(r)
