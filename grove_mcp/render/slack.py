"""A placeholder Slack rendering for every report: the verdict as the attachment's colour and
headline, the Markdown beneath it. The Slack bot's issue replaces it with Block Kit per report;
the colour already comes from the report's own verdict, as in every front end. Pure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..reports.common import Severity

COLOURS = {Severity.info: "good", Severity.warning: "warning", Severity.critical: "danger"}
SECTION_LIMIT = 3000  # Slack's limit on a section block's text


def colour(report: Any) -> str:
    """The attachment colour of a report: good when ok, else by its severity."""
    summary = report.summary
    return COLOURS[Severity.info] if summary.ok else COLOURS[summary.severity]


def message(report: Any, markdown: Callable[[Any], str]) -> dict[str, Any]:
    """A chat.postMessage payload: ``text`` (the notification line) and one attachment."""
    summary = report.summary
    body = markdown(report)
    if len(body) > SECTION_LIMIT:
        body = body[: SECTION_LIMIT - 1] + "…"
    return {
        "text": f"{'OK' if summary.ok else 'NOT OK'}: {summary.text}",
        "attachments": [
            {
                "color": colour(report),
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": body}}],
            }
        ],
    }
