"""Free phrasing in mentions and DMs, mapped deterministically to a command. Pure, no LLM.

The patterns (documented in docs/slack.md), tried in this order; a PodCliqueSet name is a DNS
label (``my-inference``), and ``in <ns>`` / ``-n <ns>`` names the namespace:

- diagnose: "why is NAME slow", "what's wrong with NAME", "diagnose NAME", "NAME is slow"
- health:   "is NAME healthy|ok|up|alive|broken", "health of NAME", "NAME health"
- topology: "where did NAME land", "where is|are NAME", "placement|topology of NAME"
- compare:  "is NAME meeting its plan|sla", "NAME vs|versus plan", "compare NAME"
- metrics:  "how fast is NAME", "throughput|latency|ttft|metrics of|for NAME"
- status:   "status of NAME", "how is NAME doing", "NAME status"
- plan show: "what was planned for NAME", "plan for|of NAME"
- list:     "what is running", "list", "what's deployed"

Text that is itself a command (``health my-inference -n prod``) is parsed as one. Text that
matches two intents, or an intent without a name, is ambiguous: the answer offers choices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grove_mcp.errors import InvalidInput
from grove_mcp.names import validate_namespace

from .commands import Command, NotACommand, parse

_NAME = r"(?P<name>[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)"
_NOT_NAMES = frozenset(
    {"it", "my", "the", "this", "that", "our", "we", "i", "you", "deployment", "service", "a"}
)
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("diagnose", rf"\bwhy (?:is|are) (?:the )?{_NAME}(?: deployment)? (?:so )?slow"),
    ("diagnose", rf"\bwhat(?:'s| is) wrong with (?:the )?{_NAME}"),
    ("diagnose", rf"\bdiagnose {_NAME}"),
    ("diagnose", rf"\b{_NAME} (?:is|seems|looks) (?:so |really |very )?slow"),
    ("health", rf"\bis (?:the )?{_NAME} (?:healthy|ok|okay|up|alive|broken|down)\b"),
    ("health", rf"\bhealth (?:of|for) (?:the )?{_NAME}"),
    ("health", rf"\b{_NAME}(?:'s)? health\b"),
    ("topology", rf"\bwhere (?:did|do|does) (?:the )?{_NAME}(?: pods)? (?:land|run|go)"),
    ("topology", rf"\bwhere (?:is|are) (?:the )?{_NAME}\b"),
    ("topology", rf"\b(?:placement|topology) (?:of|for) (?:the )?{_NAME}"),
    ("compare", rf"\bis (?:the )?{_NAME} (?:meeting|hitting|within) (?:its |the )?(?:plan|sla)"),
    ("compare", rf"\b{_NAME} (?:vs\.?|versus|against) (?:its |the )?plan"),
    ("compare", rf"\bcompare {_NAME}"),
    ("metrics", rf"\bhow fast (?:is|are) (?:the )?{_NAME}"),
    ("metrics", rf"\b(?:throughput|latency|ttft|tpot|metrics) (?:of|for) (?:the )?{_NAME}"),
    ("status", rf"\bstatus (?:of|for) (?:the )?{_NAME}"),
    ("status", rf"\bhow (?:is|are) (?:the )?{_NAME} doing"),
    ("status", rf"\b{_NAME}(?:'s)? status\b"),
    ("plan show", rf"\bwhat (?:was|is) planned for (?:the )?{_NAME}"),
    ("plan show", rf"\bplan (?:for|of) (?:the )?{_NAME}"),
)
_NAMELESS: tuple[tuple[str, str], ...] = (
    ("list", r"\bwhat(?:'s| is) (?:running|deployed)\b|^list\b|\blist (?:the )?workloads\b"),
    ("diagnose", r"\bwhy (?:is|are) (?:it|this|that|things) (?:so )?slow"),
    ("health", r"\b(?:is|are) (?:it|this|that|things) (?:healthy|ok|okay|up|broken)"),
    ("topology", r"\bwhere (?:did|do|does|is|are) (?:it|this|they)\b"),
)
_NAMESPACE = re.compile(
    r"(?:\bin (?:namespace |ns )?|(?:^|\s)-n |\bnamespace )([a-z0-9][-a-z0-9]*)"
)
_MENTION = re.compile(r"<[@#!][^>]*>")


@dataclass(frozen=True)
class Understood:
    command: Command


@dataclass(frozen=True)
class Ambiguous:
    """Several readings (offer each as a button), or an intent that lacks its name."""

    choices: tuple[Command, ...]
    question: str


@dataclass(frozen=True)
class NotUnderstood:
    problem: str
    suggestion: str | None = None


Reading = Understood | Ambiguous | NotUnderstood


def understand(text: str, default_namespace: str | None = None) -> Reading:
    """What a mention or DM asks for. ``default_namespace`` fills in when the text names none."""
    clean = " ".join(_MENTION.sub(" ", text).split()).strip().rstrip("?!. ")
    lowered = clean.lower()
    if not lowered:
        return NotUnderstood("Ask me about a PodCliqueSet, e.g. 'is my-inference healthy?'.")
    namespace = _namespace(lowered) or default_namespace
    found: dict[tuple[str, str], Command] = {}
    for capability, pattern in _PATTERNS:
        for match in re.finditer(pattern, lowered):
            name = match.group("name")
            if name not in _NOT_NAMES and name != namespace:
                found.setdefault((capability, name), Command(capability, name, namespace))
    if len(found) == 1:
        return Understood(next(iter(found.values())))
    if found:
        return Ambiguous(tuple(found.values()), "I can read that more than one way:")
    try:
        return Understood(parse(clean))
    except NotACommand as err:
        typed = err
    nameless = [c for c, pattern in _NAMELESS if re.search(pattern, lowered)]
    if nameless == ["list"]:
        return Understood(Command("list", namespace=namespace))
    if nameless:
        return Ambiguous(
            (Command("list", namespace=namespace),),
            f"Which PodCliqueSet? Say e.g. '{nameless[0]} my-inference'; here is what runs:",
        )
    words = clean.split()
    if words[0].lower() in _COMMAND_WORDS:  # a command, mistyped after its first word
        return NotUnderstood(str(typed), typed.suggestion)
    if typed.suggestion and typed.suggestion != "help":  # a typo in the command's word
        return NotUnderstood(str(typed), " ".join([typed.suggestion, *words[1:]]))
    return NotUnderstood("I did not understand that.")


_COMMAND_WORDS = frozenset(
    {"status", "topology", "health", "metrics", "compare", "diagnose", "plan", "list", "help"}
)


def _namespace(text: str) -> str | None:
    """The namespace named (``in prod``, ``-n prod``), when it is a valid one."""
    match = _NAMESPACE.search(text)
    if not match or match.group(1) in _NOT_NAMES:  # "in the morning" names no namespace
        return None
    try:
        return validate_namespace(match.group(1))
    except InvalidInput:
        return None
