"""Alerts: grove-slack posts on its own when a gang becomes Breached and when Grove's
termination countdown drops below a threshold, driven by the Kubernetes watch API.

At most one message per gang per state change: the first (Breached) opens a thread; the
countdown warning and the recovery go into that thread. ``decide`` is pure (the previous
states and a new health report in, the alerts out); ``AlertWatcher`` watches and posts.
A restarted bot knows no previous state: gangs Breached at start-up are announced once.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from typing import Any

from slack_sdk import WebClient

from grove_mcp.core import watch
from grove_mcp.reports.common import GangState
from grove_mcp.reports.health import GangHealth, HealthList
from grove_mcp.timefmt import due_in

from .access import Access
from .config import Alerts

log = logging.getLogger(__name__)
GangKey = tuple[str, str, str]  # namespace, PodCliqueSet, gang


@dataclass(frozen=True)
class Known:
    """What was last said about a gang."""

    state: GangState
    countdown_told: bool = False
    thread_ts: str | None = None


@dataclass(frozen=True)
class Alert:
    key: GangKey
    kind: str  # breached | countdown | recovered
    text: str


def decide(
    known: dict[GangKey, Known], report: HealthList, countdown_below: float
) -> tuple[dict[GangKey, Known], list[Alert]]:
    """The gangs' new states and the alerts their changes call for."""
    states: dict[GangKey, Known] = {}
    alerts: list[Alert] = []
    for item in report.items:
        for gang in item.gangs:
            key = (report.namespace, item.name, gang.name)
            before = known.get(key)
            now = Known(gang.state, thread_ts=before.thread_ts if before else None)
            breached = gang.state is GangState.breached
            short = _countdown_short(gang, countdown_below)
            if breached and (before is None or before.state is not GangState.breached):
                alerts.append(Alert(key, "breached", _breached_text(key, gang, short)))
                now = replace(now, countdown_told=short)
            elif breached and before is not None:
                now = replace(now, countdown_told=before.countdown_told or short)
                if short and not before.countdown_told:
                    alerts.append(Alert(key, "countdown", _countdown_text(key, gang)))
            elif before is not None and before.state is GangState.breached:
                alerts.append(Alert(key, "recovered", _recovered_text(key, gang)))
            states[key] = now
    for key, before in known.items():  # a Breached gang no longer reported: gone
        if key[0] == report.namespace and key not in states and before.state is GangState.breached:
            alerts.append(Alert(key, "gone", f":wastebasket: {_where(key)} is gone (Grove "
                                "terminated it, or it was deleted or scaled away)."))  # fmt: skip
    return states, alerts


def _countdown_short(gang: GangHealth, below: float) -> bool:
    return gang.termination is not None and gang.termination.remaining_seconds < below


def _where(key: GangKey) -> str:
    namespace, pcs, gang = key
    return f"gang *{gang}* of PodCliqueSet *{pcs}* (namespace {namespace})"


def _breached_text(key: GangKey, gang: GangHealth, short: bool) -> str:
    text = f":rotating_light: {_where(key)} is *Breached*: {gang.reason}."
    t = gang.termination
    if t is not None:
        text += f" Grove will {t.action} {due_in(t.remaining_seconds)} ({t.deadline:%H:%M:%SZ})."
        if short:
            text += " :alarm_clock: That is under the alert threshold."
    else:
        text += " Grove arms no termination for it."
    return text + f" `/grove health {key[1]} -n {key[0]}` for details."


def _countdown_text(key: GangKey, gang: GangHealth) -> str:
    t = gang.termination
    assert t is not None
    return (
        f":alarm_clock: {_where(key)}: Grove will {t.action} {due_in(t.remaining_seconds)} "
        f"({t.deadline:%H:%M:%SZ}) unless the breach heals."
    )


def _recovered_text(key: GangKey, gang: GangHealth) -> str:
    return f":white_check_mark: {_where(key)} is no longer Breached: now {gang.state.value}."


class AlertWatcher:
    """Watches each configured namespace as the alert channel's identity, and posts."""

    def __init__(self, alerts: Alerts, access: Access, client: WebClient) -> None:
        self.alerts = alerts
        self.access = access
        self.client = client
        self.identity = access.identity(alerts.channel, None)
        self._known: dict[GangKey, Known] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.posted = 0

    def start(self) -> list[threading.Thread]:
        threads = [
            threading.Thread(target=self._watch, args=(ns,), name=f"grove-alerts-{ns}", daemon=True)
            for ns in self.alerts.namespaces
        ]
        for thread in threads:
            thread.start()
        return threads

    def stop(self) -> None:
        """Stop at the next report (the watch ends within its tick)."""
        self._stop.set()

    def _watch(self, namespace: str) -> None:
        pause = 1.0
        while not self._stop.is_set():
            try:
                with self.access.source_for(self.identity) as source:
                    for report in watch("health", source, namespace, None):
                        if self._stop.is_set():
                            return
                        self.observe(report)  # type: ignore[arg-type]
                        pause = 1.0
            except Exception as err:  # never let one failure end the namespace's alerts
                log.warning("alerts for namespace %s: %s (retrying in %gs)", namespace, err, pause)
            self._stop.wait(pause)
            pause = min(60.0, pause * 2)

    def observe(self, report: HealthList) -> None:
        """Post what ``report`` changes (thread-safe: one namespace per thread)."""
        with self._lock:
            states, alerts = decide(self._known, report, self.alerts.countdown_seconds)
            kept = {k: v for k, v in self._known.items() if k[0] != report.namespace}
            for alert in alerts:
                before = self._known.get(alert.key)
                try:
                    ts = self._post(alert, before.thread_ts if before else None)
                except Exception as err:  # said again with the next report: keep the old state
                    log.warning("alert for %s not posted: %s", "/".join(alert.key), err)
                    if before is not None:
                        states[alert.key] = before
                    else:
                        states.pop(alert.key, None)
                    continue
                if alert.kind == "breached":
                    states[alert.key] = replace(states[alert.key], thread_ts=ts)
            self._known = kept | states

    def _post(self, alert: Alert, thread_ts: str | None) -> str | None:
        kwargs: dict[str, Any] = {"channel": self.alerts.channel, "text": alert.text}
        if alert.kind != "breached" and thread_ts:
            kwargs["thread_ts"] = thread_ts
        kwargs["blocks"] = [{"type": "section", "text": {"type": "mrkdwn", "text": alert.text}}]
        sent = self.client.chat_postMessage(**kwargs)
        self.posted += 1
        return str(sent.get("ts")) if sent.get("ts") else None
