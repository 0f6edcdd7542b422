"""Bolt listeners: the slash command, mentions, DMs and the follow-up buttons.

Each acknowledges at once (Slack waits 3 s) and does the work in a lazy listener: parse, check
who may ask (the access config) and how often (the rate limit), then answer through the
``response_url`` or in the thread. Refusals and help go to the sender only. A re-plan (a
metrics window, then AIConfigurator's child processes) takes one of ``MAX_REPLANS`` slots,
however it was asked (command, mention, button); it proposes and never applies.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections import OrderedDict
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from .access import Access, Refused
from .answer import Reply, answer, note, sections
from .buttons import ACTION_PREFIX, choices, command_of
from .commands import REPLAN, Command, NotACommand, help_text, parse
from .config import Identity
from .delivery import ResponseUrl, Thread
from .executor import TrackingExecutor
from .phrases import Ambiguous, NotUnderstood, understand
from .ratelimit import RateLimiter

MAX_PENDING = 1000
MAX_REPLANS = 2  # re-plans at once: each runs AIConfigurator, a CPU-bound child process
log = logging.getLogger(__name__)


class _Pending:
    """Slash commands accepted by the ack, waiting for their lazy listener (by trigger_id)."""

    def __init__(self) -> None:
        self._jobs: OrderedDict[str, tuple[Command, Identity]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, key: str, job: tuple[Command, Identity]) -> None:
        with self._lock:
            self._jobs[key] = job
            while len(self._jobs) > MAX_PENDING:
                self._jobs.popitem(last=False)

    def pop(self, key: str) -> tuple[Command, Identity] | None:
        with self._lock:
            return self._jobs.pop(key, None)


class _Seen:
    """Event IDs already handled: Slack redelivers an event it thinks was missed."""

    def __init__(self) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, event_id: str | None) -> bool:
        if not event_id:
            return True
        with self._lock:
            if event_id in self._ids:
                return False
            self._ids[event_id] = None
            while len(self._ids) > MAX_PENDING:
                self._ids.popitem(last=False)
            return True


def _working_text(command: Command) -> str:
    window = f" (a {command.window or 30:g} s metrics window)" if command.long else ""
    if command.capability == REPLAN:
        window = window[:-1] + ", then AIConfigurator: up to a few minutes; it applies nothing)"
    return f"Working on `/grove {command.text()}`{window}…"


BUSY = ":hourglass: I am answering as many questions as I take at once; ask again in a minute."
REPLANS_BUSY = (
    f":hourglass: {MAX_REPLANS} re-plans are running already (each runs AIConfigurator for up to "
    "a few minutes), so this one was not started: ask again when one of them has answered."
)


def register(app: App, access: Access, limiter: RateLimiter, pool: TrackingExecutor) -> None:
    """Register every listener of the bot on ``app``; ``pool`` runs the slow work."""
    pending = _Pending()
    seen = _Seen()
    replans = threading.BoundedSemaphore(MAX_REPLANS)

    def run(command: Command, identity: Identity, destination: ResponseUrl | Thread) -> None:
        if command.capability != REPLAN:
            _run(command, identity, destination)
        elif replans.acquire(blocking=False):
            try:
                _run(command, identity, destination)
            finally:
                replans.release()
        else:  # told before any "working…", any read or any AIConfigurator run
            destination.post(note(REPLANS_BUSY))

    def _run(command: Command, identity: Identity, destination: ResponseUrl | Thread) -> None:
        try:
            if command.long:
                destination.working(_working_text(command))
            destination.post(answer(command, access, identity))
        except Exception:  # never silence: say so where the answer was due, log the rest
            log.exception("grove-slack: answering `%s` failed", command.text())
            with contextlib.suppress(Exception):
                destination.post(
                    note(
                        f":x: grove-slack could not answer `/grove {command.text()}`; its log says why."
                    )
                )

    def admit(channel: str, user: str) -> Identity:
        """The identity to act as; raises ``Refused`` (unmapped, or over the rate limit)."""
        identity = access.identity(channel, user)
        limited = limiter.check(user, channel)
        if limited:
            raise Refused(limited)
        return identity

    # --- /grove ------------------------------------------------------------------------------

    def ack_command(ack: Ack, command: dict[str, Any]) -> None:
        try:
            parsed = parse(command.get("text") or "")
        except NotACommand as err:
            ack(response_type="ephemeral", text=help_text(str(err), err.suggestion))
            return
        if parsed.capability == "help":
            ack(response_type="ephemeral", text=help_text())
            return
        try:
            identity = admit(command.get("channel_id", ""), command.get("user_id", ""))
        except Refused as err:
            ack(response_type="ephemeral", text=str(err))
            return
        if pool.full:
            ack(response_type="ephemeral", text=BUSY)
            return
        pending.put(command.get("trigger_id", ""), (parsed, identity))
        ack()

    def work_command(command: dict[str, Any], client: WebClient) -> None:
        job = pending.pop(command.get("trigger_id", ""))
        if job is None:  # refused (or answered) by the ack, which runs first
            return
        destination = ResponseUrl(client, command["response_url"], command["channel_id"])
        run(*job, destination)

    app.command("/grove")(ack=ack_command, lazy=[work_command])

    # --- mentions and DMs --------------------------------------------------------------------

    def converse(event: dict[str, Any], client: WebClient, thread_ts: str | None) -> None:
        channel, user = event.get("channel", ""), event.get("user", "")
        destination = Thread(client, channel, thread_ts)

        def tell(text: str) -> None:  # to the sender only
            client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)

        try:
            identity = admit(channel, user)
        except Refused as err:
            tell(str(err))
            return
        reading = understand(event.get("text") or "", access.config.default_namespace)
        if isinstance(reading, NotUnderstood):
            tell(help_text(reading.problem, reading.suggestion))
        elif isinstance(reading, Ambiguous):
            blocks = [*sections(reading.question), choices(reading.choices)]
            destination.post(Reply(reading.question, blocks))
        elif reading.command.capability == "help":
            tell(help_text())
        else:
            run(reading.command, identity, destination)

    def ack_event(ack: Ack) -> None:
        ack()

    def work_mention(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        if seen.first_time(body.get("event_id")):
            converse(event, client, event.get("thread_ts") or event.get("ts"))

    def work_message(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        mine = event.get("bot_id") or event.get("subtype")  # the bot's own posts, edits, joins
        if event.get("channel_type") == "im" and not mine and seen.first_time(body.get("event_id")):
            converse(event, client, event.get("thread_ts"))

    app.event("app_mention")(ack=ack_event, lazy=[work_mention])
    app.event("message")(ack=ack_event, lazy=[work_message])

    # --- buttons -----------------------------------------------------------------------------

    def ack_action(ack: Ack) -> None:
        ack()

    def work_action(body: dict[str, Any], client: WebClient) -> None:
        channel = (body.get("channel") or {}).get("id", "")
        user = (body.get("user") or {}).get("id", "")
        message = body.get("message") or {}
        thread = (
            message.get("thread_ts")
            or message.get("ts")
            or (body.get("container") or {}).get("message_ts")
        )
        try:
            command = command_of(str((body.get("actions") or [{}])[0].get("value", "")))
            identity = admit(channel, user)
        except (NotACommand, Refused) as err:
            client.chat_postEphemeral(channel=channel, user=user, text=str(err))
            return
        fallback = body.get("response_url") or None
        run(command, identity, Thread(client, channel, thread, fallback))

    app.action(re.compile(f"^{ACTION_PREFIX}:"))(ack=ack_action, lazy=[work_action])
