"""The follow-up buttons under an answer: the same target, one level deeper, in the thread.
"Re-plan" under compare and diagnose answers is one of them: it posts a proposal and applies
nothing; like every button, its value is parsed and checked again when it comes back."""

from __future__ import annotations

from typing import Any

from grove_mcp.core import Scope
from grove_mcp.render.blockkit import BUTTON_VALUE_CHARS

from .commands import COMMANDS, Command, NotACommand, parse

ACTION_PREFIX = "grove_followup"
FOLLOW_UPS = {  # after … offer …
    "list": (),
    "status": ("health", "topology", "diagnose"),
    "topology": ("status", "health", "diagnose"),
    "health": ("status", "topology", "diagnose"),
    "metrics": ("compare", "diagnose", "health"),
    "compare": ("replan", "diagnose", "metrics", "plan diff"),
    "diagnose": ("replan", "health", "topology", "metrics"),
    "plan show": ("plan diff", "compare"),
    "plan history": ("plan show", "plan diff"),
    "plan diff": ("plan show", "compare"),
    "replan": ("compare", "plan diff", "diagnose"),
}
LABELS = {
    "plan diff": "Plan diff",
    "plan show": "Plan",
    "plan history": "Plan history",
    "replan": "Re-plan",
}


def label(capability: str) -> str:
    return LABELS.get(capability, capability.capitalize())


def button(command: Command, primary: bool = False) -> dict[str, Any]:
    """A button that runs ``command`` (its text is the value: parsed again, so checked again)."""
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": _button_text(command)},
        "action_id": f"{ACTION_PREFIX}:{command.capability.replace(' ', '_')}:{command.name or ''}",
        "value": command.text(),
    }
    if primary:
        element["style"] = "primary"
    return element


def _button_text(command: Command) -> str:
    if command.name and command.capability != "list":
        return f"{label(command.capability)} {command.name}"[:75]
    return label(command.capability)


def follow_ups(command: Command, namespace: str) -> dict[str, Any] | None:
    """The actions block after an answer to ``command`` (None: nothing deeper to offer)."""
    if not command.name or command.all:
        return None
    target = Command(command.capability, command.name, namespace)
    offered = [
        button(target.retarget(c))
        for c in FOLLOW_UPS.get(command.capability, ())
        if c in COMMANDS and COMMANDS[c].scope is not Scope.all
    ]
    return (
        {"type": "actions", "block_id": "grove_followups", "elements": offered} if offered else None
    )


def choices(commands: tuple[Command, ...]) -> dict[str, Any]:
    """Buttons for "did you mean": one per reading."""
    return {
        "type": "actions",
        "block_id": "grove_choices",
        "elements": [button(c, primary=i == 0) for i, c in enumerate(commands[:5])],
    }


def command_of(value: str) -> Command:
    """The command a button carries; raises ``NotACommand`` for a forged value (no command, or
    longer than Slack lets a button hold: no button of ours sent it)."""
    if len(value) > BUTTON_VALUE_CHARS:
        raise NotACommand(
            f"That button carries {len(value)} characters, more than a Slack button holds "
            f"({BUTTON_VALUE_CHARS}): it is not one of mine, so nothing was run."
        )
    return parse(value)
