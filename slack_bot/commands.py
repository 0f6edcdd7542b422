"""``/grove <command> [name] [-n ns] [--all]``: the commands Slack offers, parsed. Pure.

The commands come from the core's capability table: every capability that reads (no writes)
and is about PodCliqueSets, so a new capability is offered here without a copy. The options
are the CLI's names. Anything else gets the help, with the closest valid command.
"""

from __future__ import annotations

import difflib
import shlex
from dataclasses import dataclass, replace

from grove_mcp.core import CAPABILITIES, Capability, Scope
from grove_mcp.errors import InvalidInput
from grove_mcp.grove import parse_duration
from grove_mcp.names import validate_namespace, validate_pcs_name

SLASH = "/grove"
LONG = frozenset({"metrics", "compare", "diagnose", "replan"})  # they wait for a metrics window
WINDOW_RANGE = (5.0, 300.0)  # a chat answer waits at most this long
REPLAN = "replan"  # a window, then AIConfigurator; it proposes and applies nothing


def _offered(cap: Capability) -> bool:
    return not cap.writes and cap.scope is not Scope.none


COMMANDS: dict[str, Capability] = {c.name: c for c in CAPABILITIES if _offered(c)}
WORDS = ("help", *COMMANDS)
_NOT_OFFERED = {
    c.name: "it writes to the cluster, and grove-slack never writes"
    if c.writes
    else "it takes files or runs AIConfigurator, which a chat cannot give it"
    for c in CAPABILITIES
    if not _offered(c)
}


@dataclass(frozen=True)
class Command:
    """One parsed request: a capability of the table and its target."""

    capability: str
    name: str | None = None
    namespace: str | None = None
    all: bool = False
    window: float | None = None  # metrics/compare/diagnose: --window
    no_metrics: bool = False  # diagnose --no-metrics
    force: bool = False  # replan --force: a proposal even when the deployment is not steady

    @property
    def long(self) -> bool:
        """Whether it waits for a metrics window (a "working…" message first)."""
        return self.capability in LONG and not self.no_metrics

    def text(self) -> str:
        """The command as typed, e.g. ``health my-inference -n prod``."""
        words = [self.capability]
        words += [self.name] if self.name else []
        words += ["-n", self.namespace] if self.namespace else []
        words += ["--all"] if self.all else []
        words += [f"--window {self.window:g}s"] if self.window else []
        words += ["--no-metrics"] if self.no_metrics else []
        words += ["--force"] if self.force else []
        return " ".join(words)

    def retarget(self, capability: str) -> Command:
        """The same target, another command (the follow-up buttons)."""
        cap = COMMANDS[capability]
        name = None if cap.scope is Scope.all else self.name
        return replace(
            self,
            capability=capability,
            name=name,
            window=None,
            no_metrics=False,
            all=False,
            force=False,
        )


class NotACommand(InvalidInput):
    """The text is no valid command; ``suggestion`` is the closest one, when any is close."""

    def __init__(self, message: str, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.suggestion = suggestion


def parse(text: str) -> Command:
    """The command in ``text`` (what follows ``/grove``); raises ``NotACommand``."""
    try:
        words = shlex.split(text)
    except ValueError as err:
        raise NotACommand(f"Cannot read that: {err}.") from None
    if not words or words[0].lower() in ("help", "-h", "--help"):
        return Command("help")
    capability, rest = _capability(words)
    cap = COMMANDS[capability]
    try:
        name, namespace, everything, window, flags = _options(capability, rest)
    except NotACommand:
        raise
    except InvalidInput as err:  # a name or namespace that is no DNS label
        raise NotACommand(str(err), capability) from None
    if everything and cap.scope is not Scope.both:
        raise NotACommand(f"'{capability}' takes no --all.", capability)
    if everything and name:
        raise NotACommand("Give a PodCliqueSet name or --all, not both.", capability)
    if cap.scope is Scope.one and not name:
        raise NotACommand(f"'{capability}' needs a PodCliqueSet name.", f"{capability} NAME")
    if cap.scope is Scope.both and not name and not everything:
        raise NotACommand(
            f"'{capability}' needs a PodCliqueSet name, or --all.", f"{capability} NAME"
        )
    if cap.scope is Scope.all and name:
        raise NotACommand(f"'{capability}' takes no name.", capability)
    return Command(capability, name, namespace, everything, window, **flags)


def _capability(words: list[str]) -> tuple[str, list[str]]:
    first = words[0].lower()
    if first in COMMANDS:
        return first, words[1:]
    if len(words) > 1 and f"{first} {words[1].lower()}" in COMMANDS:
        return f"{first} {words[1].lower()}", words[2:]
    typed = " ".join(words[:2]).lower() if first == "plan" else first
    if typed in _NOT_OFFERED:
        raise NotACommand(
            f"'{typed}' is not offered in Slack: {_NOT_OFFERED[typed]}. Use `kubectl grove "
            f"{typed}` or the MCP server."
        )
    close = difflib.get_close_matches(typed, WORDS, n=1, cutoff=0.5)
    raise NotACommand(f"'{typed}' is not a /grove command.", close[0] if close else None)


def _options(
    capability: str, words: list[str]
) -> tuple[str | None, str | None, bool, float | None, dict[str, bool]]:
    name = namespace = None
    everything = False
    flags: dict[str, bool] = {}  # --no-metrics, --force
    window = None
    queue = list(words)
    while queue:
        word = queue.pop(0)
        if word in ("-n", "--namespace"):
            namespace = validate_namespace(_value(word, queue))
        elif word.startswith("--namespace="):
            namespace = validate_namespace(word.split("=", 1)[1])
        elif word in ("-A", "--all"):
            everything = True
        elif word == "--window" and capability in LONG:
            window = _window(_value(word, queue))
        elif word == "--no-metrics" and capability == "diagnose":
            flags["no_metrics"] = True
        elif word == "--force" and capability == REPLAN:
            flags["force"] = True
        elif word.startswith("-"):
            raise NotACommand(f"'{word}' is not an option of '{capability}'.", capability)
        elif name is None:
            name = validate_pcs_name(word)
        else:
            raise NotACommand(f"'{capability}' takes one name; '{word}' is one too many.")
    return name, namespace, everything, window, flags


def _value(option: str, queue: list[str]) -> str:
    if not queue:
        raise NotACommand(f"{option} needs a value.")
    return queue.pop(0)


def _window(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        try:
            found = parse_duration(text)
        except ValueError:  # e.g. '--window -n': not a duration either
            found = None
        if found is None:
            raise NotACommand(f"'{text}' is not a duration: give e.g. 30s or 2m.") from None
        seconds = found.total_seconds()
    low, high = WINDOW_RANGE
    if not low <= seconds <= high:
        raise NotACommand(f"--window {text} is out of range: give {low:g}s to {high:g}s.")
    return seconds


def help_text(problem: str | None = None, suggestion: str | None = None) -> str:
    """The help (mrkdwn), after what was wrong and the closest valid command."""
    lines = []
    if problem:
        lines.append(f":grey_question: {problem}")
    if suggestion:
        lines.append(f"Did you mean `{SLASH} {suggestion}`?")
    lines.append(f"*Usage:* `{SLASH} <command> [name] [-n namespace] [--all]`")
    for cap in COMMANDS.values():
        target = {Scope.one: " NAME", Scope.both: " NAME|--all", Scope.all: ""}[cap.scope]
        lines.append(f"• `{cap.name}{target}` — {cap.help.split('. ')[0].rstrip('.')}.")
    lines.append("• `help` — this list.")
    lines.append(
        "Or mention me: _@grove why is my-inference slow?_, _is qwen healthy?_, "
        "_where did my-inference land?_"
    )
    return "\n".join(lines)
