"""``/grove replan`` and the "Re-plan" button, through the real bot app in HTTP mode: signed
slash commands and ``block_actions`` on loopback, the local Slack stand-in recording what the
bot posts, and the demo (the bot replays AIConfigurator's recorded answers on it). What arrives
is compared with the core's own report for the same question, never with text copied from our
output."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_harness import (
    CHANNEL,
    NAME,
    NAMESPACE,
    UNMAPPED,
    USER,
    Bot,
    CountingSource,
    ask,
    blocks_of,
    check_limits,
    config,
    serve,
)

from grove_mcp.core import ReplanArgs, check_proposal, run
from grove_mcp.demo import recorded_aiconfigurator
from grove_mcp.planfile import dump_plan
from grove_mcp.render import OutputFormat, render
from grove_mcp.reports.replan import ReplanReport, proposal_file_names
from grove_mcp.sources import demo_source
from slack_bot.answer import proposal_files
from slack_bot.executor import TrackingExecutor
from slack_bot.listeners import MAX_REPLANS

MANIFEST, PLAN_JSON = proposal_file_names(NAME)
REPLAN_VALUE = f"replan {NAME} -n {NAMESPACE}"  # what the button carries


@pytest.fixture
def bot() -> Iterator[Bot]:
    yield from serve(config())


def _core_replan(force: bool) -> ReplanReport:
    """The core's answer to the same question (the demo, AIConfigurator's recording)."""
    source = demo_source()
    report = run("replan", source, None, NAME, ReplanArgs(force=force, **recorded_aiconfigurator()))
    assert isinstance(report, ReplanReport)
    return check_proposal(report, source)


def _timeless(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The blocks without the wall-clock time the re-plan took (it differs per run)."""
    return [b for b in blocks if not b.get("text", {}).get("text", "").startswith("*Time*")]


def _buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in blocks_of(message) if b["type"] == "actions" for e in b["elements"]]


def _replan_button(message: dict[str, Any]) -> dict[str, Any]:
    (found,) = [e for e in _buttons(message) if e["value"].startswith("replan ")]
    return found


def _forged(value: str) -> dict[str, Any]:
    """A button as a sender may forge it: the Re-plan button's action, any value."""
    return {"action_id": f"grove_followup:replan:{NAME}", "value": value}


def _message(bot: Bot) -> str:
    """A message in the channel (Slack sends clicks only from messages it keeps)."""
    return bot.slack.user_message(CHANNEL, USER, "a message with a button")


def _said(bot: Bot) -> list[str]:
    return [c.body.get("text", "") for c in bot.slack.calls]


# --- /grove replan --------------------------------------------------------------------------


def test_replan_shows_working_then_the_proposal_with_its_manifest_as_files(bot: Bot) -> None:
    _, answers = ask(bot, f"replan {NAME} --force --window 5s")
    report = _core_replan(force=True)
    assert report.proposal is not None and report.proposal.change_needed  # the recording's
    working, final = answers
    assert working["text"].startswith(
        ":hourglass_flowing_sand: Working on `/grove replan my-inference --window 5s --force`"
    )
    assert "AIConfigurator" in working["text"] and "applies nothing" in working["text"]
    assert final["replace_original"] is True
    check_limits(final)
    shown = render(report, OutputFormat.slack)
    assert final["text"] == shown.text
    assert _timeless(final["blocks"][: len(shown.blocks)]) == _timeless(shown.blocks)
    files = {f.filename: f for f in bot.slack.files}
    overflow = {shown.snippet_name} if shown.snippet else set()  # the whole report, when long
    assert set(files) == {MANIFEST, PLAN_JSON} | overflow
    assert files[MANIFEST].content.decode() == report.proposal.manifest
    assert files[PLAN_JSON].content.decode() == dump_plan(report.proposal.plan)
    assert all(f.channel == CHANNEL for f in files.values())
    words = json.dumps(final["blocks"])
    assert MANIFEST in words and "Nothing was applied" in words
    assert "structured answer" not in words  # the MCP wording: Slack has no structured answer


def test_an_unsteady_deployment_gets_no_proposal_and_no_files(bot: Bot) -> None:
    _, (_, final) = ask(bot, f"replan {NAME}")
    report = _core_replan(force=False)
    assert report.proposal is None and not report.steady
    assert final["text"] == render(report, OutputFormat.slack).text
    assert "not steady" in final["text"] and bot.slack.files == []


def test_no_change_needed_attaches_nothing_and_points_at_nothing() -> None:
    """The real AIConfigurator answers "no change needed" for a deployment serving its plan
    (tests/aic); such a proposal is nothing to apply: no files, no pointer to them."""
    forced = _core_replan(force=True)
    assert forced.proposal is not None
    for needed in (True, False):
        proposal = forced.proposal.model_copy(update={"change_needed": needed})
        report = forced.model_copy(update={"proposal": proposal})
        words = json.dumps(render(report, OutputFormat.slack).blocks)
        assert ("attached below" in words) is needed
        assert [name for name, _ in proposal_files(report)] == (
            [MANIFEST, PLAN_JSON] if needed else []
        )
        assert ("no change needed" in words) is not needed


def test_replan_takes_its_options_and_refuses_others_before_any_read(bot: Bot) -> None:
    url = bot.slack.response_url(CHANNEL)
    for text, says in (
        (f"replan {NAME} --window 1h", "out of range"),
        (f"replan {NAME} --no-metrics", "not an option of 'replan'"),
        (f"health {NAME} --force", "not an option of 'health'"),
        ("replan", "needs a PodCliqueSet name"),
    ):
        body = bot.sender.command(text, CHANNEL, USER, url).json()
        assert body["response_type"] == "ephemeral" and says in body["text"], (text, body)
    bot.executor.wait_idle()
    assert bot.slack.responses == [] and bot.source.reads == 0


# --- the button -----------------------------------------------------------------------------


@pytest.mark.parametrize("capability", ["compare", "diagnose"])
def test_compare_and_diagnose_answers_carry_the_replan_button(bot: Bot, capability: str) -> None:
    _, (*_, final) = ask(bot, f"{capability} {NAME}")
    check_limits(final)
    button = _replan_button(final)
    assert button["value"] == REPLAN_VALUE and button["text"]["text"] == f"Re-plan {NAME}"


@pytest.mark.parametrize("capability", ["health", "status", "metrics", "plan diff", "replan"])
def test_other_answers_carry_no_replan_button(bot: Bot, capability: str) -> None:
    _, (*_, final) = ask(bot, f"{capability} {NAME}")
    assert not [b for b in _buttons(final) if b["value"].startswith("replan ")]


def test_a_forced_replan_offers_its_follow_ups_without_force(bot: Bot) -> None:
    _, (*_, final) = ask(bot, f"replan {NAME} --force")
    values = [b["value"] for b in _buttons(final)]
    assert values == [f"{c} {NAME} -n {NAMESPACE}" for c in ("compare", "plan diff", "diagnose")]


def test_a_click_acks_at_once_and_posts_a_new_replan_in_the_thread(bot: Bot) -> None:
    ask(bot, f"compare {NAME}")
    (compare,) = bot.slack.messages.values()  # the in_channel answer, as Slack keeps it
    reads = bot.source.reads
    started = time.monotonic()
    response = bot.sender.click(_replan_button(compare), CHANNEL, USER, message_ts=compare["ts"])
    assert response.status_code == 200 and time.monotonic() - started < 2.0
    bot.executor.wait_idle()
    (working,) = bot.slack.calls_to("chat.postMessage")
    (update,) = bot.slack.calls_to("chat.update")
    assert working.body["thread_ts"] == compare["ts"]
    assert f"Working on `/grove {REPLAN_VALUE}`" in working.body["text"]
    assert update.body["text"] == render(_core_replan(force=False), OutputFormat.slack).text
    check_limits(update.body)
    assert bot.source.reads > reads  # it read the source again: a new answer, not a copy


def test_a_tampered_click_is_refused_with_401_and_does_nothing(bot: Bot) -> None:
    ask(bot, f"diagnose {NAME}")
    (diagnose,) = bot.slack.messages.values()
    calls, reads = len(bot.slack.calls), bot.source.reads
    body = bot.sender.click_body(_replan_button(diagnose), CHANNEL, USER, diagnose["ts"])
    headers = bot.sender.headers(body, content_type="application/x-www-form-urlencoded")
    tampered = body.replace(NAMESPACE, "kube-system")  # signed one target, sent another
    assert tampered != body
    response = bot.sender.http.post(bot.sender.url, content=tampered.encode(), headers=headers)
    bot.executor.wait_idle()
    assert response.status_code == 401
    assert len(bot.slack.calls) == calls and bot.source.reads == reads


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (f"replan {NAME} -n Kube_System", "not a valid namespace"),
        (f"replan ../secrets -n {NAMESPACE}", "not a valid PodCliqueSet name"),
        (f"replan -n {NAMESPACE}", "needs a PodCliqueSet name"),
        (f"replan {NAME} --apply", "not an option of 'replan'"),
        (f"plan store {NAME}", "never writes"),
        (f"replan '{NAME}", "Cannot read that"),
        ("replan " + "x" * 3000, "more than a Slack button holds"),
    ],
    ids=["bad-namespace", "bad-name", "no-name", "bad-option", "a-write", "not-words", "huge"],
)
def test_a_forged_value_is_answered_with_a_clear_error_and_reads_nothing(
    bot: Bot, value: str, says: str
) -> None:
    response = bot.sender.click(_forged(value), CHANNEL, USER, message_ts=_message(bot))
    bot.executor.wait_idle()
    assert response.status_code == 200
    (told,) = bot.slack.calls_to("chat.postEphemeral")
    assert told.body["user"] == USER and says in told.body["text"], told.body["text"]
    assert len(told.body["text"]) < 400  # a forged value is not echoed back whole
    assert bot.slack.calls_to("chat.postMessage") == [] and bot.source.reads == 0


def test_a_well_formed_value_naming_no_podcliqueset_says_what_exists(bot: Bot) -> None:
    bot.sender.click(_forged(f"replan ghost -n {NAMESPACE}"), CHANNEL, USER, _message(bot))
    bot.executor.wait_idle()
    (update,) = bot.slack.calls_to("chat.update")  # the working message, replaced
    assert "'ghost' not found" in update.body["text"] and NAME in update.body["text"]


def test_a_click_from_an_unmapped_channel_is_refused_and_reads_nothing(bot: Bot) -> None:
    bot.sender.click(_forged(REPLAN_VALUE), UNMAPPED, USER, message_ts=_message(bot))
    bot.executor.wait_idle()
    (told,) = bot.slack.calls_to("chat.postEphemeral")
    assert f"This channel ({UNMAPPED}) is not mapped" in told.body["text"]
    assert bot.slack.calls_to("chat.postMessage") == [] and bot.source.reads == 0


# --- at most MAX_REPLANS at once ------------------------------------------------------------


def test_replans_beyond_the_bound_are_told_to_wait_and_the_others_answered() -> None:
    source = CountingSource(hold=True)  # the re-plans taken on wait in their first read
    for bot in serve(config(), source, TrackingExecutor(max_workers=MAX_REPLANS + 2)):
        for _ in range(MAX_REPLANS):
            bot.sender.click(_forged(REPLAN_VALUE), CHANNEL, USER, message_ts=_message(bot))
        bot.slack.wait_for(
            lambda s: (
                len([c for c in s.calls if "Working on" in c.body.get("text", "")]) == MAX_REPLANS
            )
        )
        url = bot.slack.response_url(CHANNEL)  # one more, asked by slash command
        assert bot.sender.command(f"replan {NAME}", CHANNEL, USER, url).status_code == 200
        bot.slack.wait_for(lambda s: len(s.responses) == 1)
        (busy,) = [body for _, body in bot.slack.responses]
        assert f"{MAX_REPLANS} re-plans are running already" in busy["text"]
        assert "ask again when one of them has answered" in busy["text"]
        assert source.reads == 0  # the third started nothing
        source.release.set()
        bot.executor.wait_idle()
        updates = bot.slack.calls_to("chat.update")
        assert len(updates) == MAX_REPLANS  # the ones taken on were answered
        assert all(u.body["text"].startswith(f"{NAME} — re-plan") for u in updates)
        # a slot is free again: the next one is answered
        _, (*_, final) = ask(bot, f"replan {NAME}")
        assert final["text"].startswith(f"{NAME} — re-plan")


# --- golden answers: the whole message as the bot posts it ------------------------------------

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize(
    "text", [f"compare {NAME}", f"diagnose {NAME}", f"replan {NAME}", f"replan {NAME} --force"]
)
def test_golden_answer_as_posted(bot: Bot, text: str) -> None:
    """The posted answer (report blocks, follow-ups, the Re-plan button) against its golden file:
    a change to what users see is a visible diff (GROVE_UPDATE_SNAPSHOTS=1 rewrites them)."""
    _, (*_, final) = ask(bot, text)
    current = {
        "text": final["text"],
        "blocks": _timeless(final["blocks"]),
        "files": sorted(f.filename for f in bot.slack.files),
    }
    path = GOLDEN / ("-".join(text.replace("--", "").split()) + ".json")
    if os.environ.get("GROVE_UPDATE_SNAPSHOTS"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(json.dumps(current, indent=2, ensure_ascii=False) + "\n")
    assert current == json.loads(path.read_text()), (
        f"the answer to /grove {text} changed: review, then rerun with GROVE_UPDATE_SNAPSHOTS=1"
    )
