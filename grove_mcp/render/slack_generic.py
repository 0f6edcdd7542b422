"""The Slack layout of a report without its own: the verdict, then its compact Markdown in
sections (tables as monospace: Slack renders none in mrkdwn). Pure."""

from __future__ import annotations

from typing import Any

from .slack_parts import Layout, markdown_units

_HEAD = ("## ", "**OK: ", "**NOT OK: ", "Source: ", "> note: ")


def file_name(name: str | None, report: str) -> str:
    """``my-inference-health.md``: the attached file's name."""
    return f"{name}-{report}.md" if name else f"{report}.md"


def body(markdown: str) -> str:
    """The Markdown without what the header, fields and context blocks already show."""
    lines = [line for line in markdown.splitlines() if not line.startswith(_HEAD)]
    kept = [line for i, line in enumerate(lines) if line or (i and lines[i - 1])]
    return "\n".join(kept).strip("\n")  # blank lines of the header left out: one at most


def title(markdown: str, fallback: str) -> str:
    first = markdown.splitlines()[0] if markdown else ""
    return first.removeprefix("## ") if first.startswith("## ") else fallback


def generic(report: Any, markdown: str) -> Layout:
    fallback = type(report).__name__.removesuffix("Report").lower()  # GenerateReport: generate
    kind = str(getattr(report, "report", fallback)).replace(" ", "-")
    name = getattr(report, "name", None)
    return Layout(
        title=title(markdown, f"{name or getattr(report, 'namespace', 'grove')} — {kind}"),
        summary=report.summary,
        report=report,
        file_name=file_name(name, kind),
        body=markdown_units(body(markdown)),
    )


def sections(markdown: str) -> dict[str, str]:
    """The Markdown's ``### `` sections by title (the text before the first under ``""``)."""
    found: dict[str, list[str]] = {"": []}
    current = ""
    for line in markdown.splitlines():
        if line.startswith("### "):
            current = line[4:]
            found[current] = []
        else:
            found[current].append(line)
    return {title: "\n".join(lines).strip("\n") for title, lines in found.items()}
