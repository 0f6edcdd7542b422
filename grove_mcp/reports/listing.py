"""The ``list`` report: every PodCliqueSet of a namespace with a one-line state."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from .common import ReportHeader, ReportModel, Summary


class WorkloadLine(ReportModel):
    name: str = Field(description="PodCliqueSet name.")
    created_at: datetime | None = Field(description="creationTimestamp.")
    replicas: int = Field(description="Desired PCS replicas.")
    available_replicas: int = Field(description="Available PCS replicas.")
    gangs_healthy: int = Field(description="Gangs in state Healthy.")
    gangs_total: int = Field(description="Gangs.")
    pods_ready: int = Field(description="Ready pods.")
    pods_desired: int = Field(description="Desired pods.")
    ok: bool = Field(description="True when every replica is available and every gang healthy.")
    state: str = Field(
        description="One-line state, e.g. '1/2 gangs healthy; my-inference-1 "
        "Breached (MinAvailableBreached on prefill)'."
    )


class WorkloadList(ReportHeader):
    report: Literal["list"] = Field(default="list", description="Report type.")
    items: list[WorkloadLine] = Field(description="PodCliqueSets by name.")
    summary: Summary = Field(description="The verdict over every PodCliqueSet.")
