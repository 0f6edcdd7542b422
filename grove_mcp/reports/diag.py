"""``diag``'s answer: where the bundle was written and what it holds or lacks."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from .common import ReportModel, Summary


class DiagCollector(ReportModel):
    name: str = Field(description="The collector, e.g. objects, logs, grove-operator.")
    state: Literal["ok", "partial", "failed"] = Field(
        description="ok: read everything; partial: some reads failed (see notes); failed: "
        "nothing could be read (see reason)."
    )
    objects: int = Field(description="Kubernetes objects it captured.")
    files: int = Field(description="Files it captured (logs).")
    reason: str | None = Field(description="Why it failed, when it did.")
    notes: list[str] = Field(description="What it could not read (RBAC, timeouts …).")


class DiagReport(ReportModel):
    report: Literal["diag"] = Field(default="diag", description="Report type.")
    path: str = Field(description="Where the bundle was written (a .tar.gz or a directory).")
    namespace: str = Field(description="The namespace captured.")
    name: str | None = Field(description="The PodCliqueSet captured; null: all of them.")
    source: str = Field(description="The cluster it was captured from.")
    captured_at: datetime = Field(description="The capture time (the bundle's 'now').")
    cluster_version: str | None = Field(description="The API server's version, when it said.")
    objects: int = Field(description="Objects in the bundle.")
    files: int = Field(description="Other files in the bundle: logs, report JSON.")
    collectors: list[DiagCollector] = Field(description="Each collector's outcome, in order.")
    redactions: dict[str, int] = Field(
        description="Values replaced by [REDACTED] before anything was written, by kind "
        "(env_value, bearer, hf_token, …)."
    )
    summary: Summary = Field(description="ok when every collector read everything.")
