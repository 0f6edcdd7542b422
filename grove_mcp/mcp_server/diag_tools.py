"""MCP tool ``grove_diag``: capture a redacted bundle to the server's ``--diag-dir``. It writes
files, so it is offered only with ``--allow-writes`` (it changes nothing in the cluster)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated

from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import Field

from ..core import DiagArgs, output_model
from ..reports.diag import DiagReport
from ..sources.bundle import Bundle
from .calls import state_of, tool_answer
from .inputs import Namespace, PcsName
from .spec import ToolSpec

DiagOut = output_model(DiagReport)
Since = Annotated[int, Field(ge=10, le=7 * 24 * 3600, description="Events newer than this (s).")]
Logs = Annotated[int, Field(ge=0, le=10_000, description="Log lines per container (0: none).")]
Window = Annotated[
    int | None,
    Field(
        ge=2,
        le=300,
        description="Also scrape every engine pod twice, this many seconds apart (the bundle "
        "then answers grove_metrics, grove_compare and grove_diagnose); null: no samples.",
    ),
]


async def grove_diag(
    ctx: Context,
    name: PcsName,
    namespace: Namespace = None,
    since_seconds: Since = 600,
    log_lines: Logs = 200,
    metrics_window_seconds: Window = None,
) -> Annotated[CallToolResult, DiagOut]:
    """Capture a redacted diagnostic bundle of one PodCliqueSet (.tar.gz in the server's
    --diag-dir): its Grove resources, pods, nodes, events, stored plans, container and Grove
    operator logs, and the status/topology/health reports. Secrets are never read; credentials
    in env values, args, annotations, events and logs are redacted before anything is written.
    Returns where it was written, each collector's outcome (what could not be read, and why)
    and the redaction counts.

    Use when a problem must be looked at later or by someone without cluster access: every
    tool reads the bundle with grove-mcp --bundle.
    """
    folder = Path(state_of(ctx).config.diag_dir)
    cancel = threading.Event()  # set when the call ends: answered, timed out, or the client gone

    def write(bundle: Bundle) -> str:
        folder.mkdir(parents=True, exist_ok=True)
        stamp = bundle.manifest.captured_at.strftime("%Y%m%dT%H%M%SZ")
        path = folder / f"grove-diag-{bundle.manifest.namespace}-{name}-{stamp}.tar.gz"
        return str(bundle.write_tar(path, cancel=cancel))  # whole, or nothing once cancelled

    window = float(metrics_window_seconds) if metrics_window_seconds else None
    args = DiagArgs(write, float(since_seconds), log_lines, metrics_window=window, cancel=cancel)
    return await tool_answer(
        ctx, "diag", namespace=namespace, name=name, args=args, cancel=cancel, waits=window or 0.0
    )


WRITES_FILES = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False
)
DIAG_TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(grove_diag, "Capture a diagnostic bundle (writes a file)", writes=True,
             annotations=WRITES_FILES),
)  # fmt: skip
