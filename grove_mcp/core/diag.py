"""``diag``: capture a live cluster into a redacted bundle, through the table's exit.

The collectors read and redact (``grove_mcp.capture``); the reports stored in the bundle are
the core's own (``run`` on the captured bundle), so they are what ``--bundle`` will show; the
front end's ``write`` puts the bundle where its user asked.
"""

from __future__ import annotations

import json
from typing import cast

from ..capture import Capture, CaptureRequest, DiagArgs, capture
from ..errors import Cancelled, InvalidInput
from ..reports.common import Severity, Summary
from ..reports.diag import DiagCollector, DiagReport
from ..sources.bundle import Bundle, BundleSource
from ..sources.live import LiveSource
from .table import Inputs


def build_diag(inputs: Inputs) -> DiagReport:
    source, args = inputs.source, inputs.args
    if getattr(source, "kube", None) is None:  # a live cluster (or a front end's wrapper of one)
        raise InvalidInput(
            "'diag' captures a live cluster; the demo and bundles are captures already. Drop "
            "--demo/--bundle and point at the cluster (--context, --kubeconfig)."
        )
    assert isinstance(args, DiagArgs) and inputs.namespace
    request = CaptureRequest(
        inputs.namespace,
        inputs.name,
        args.since_seconds,
        args.log_lines,
        metrics_window=args.metrics_window,
        cancel=args.cancel,
    )
    live = cast(LiveSource, source)
    result = capture(
        live, request, lambda bundle, name: _report_json(bundle, name, request), args.on_progress
    )
    if request.cancelled:  # the caller stopped waiting while the reports were built
        raise Cancelled("The capture was cancelled; no bundle was written.")
    where = args.write(result.bundle)
    return _report(result, where, request, live.description)


def _report_json(bundle: Bundle, name: str, request: CaptureRequest) -> str:
    from .call import run  # the table's exit (call imports this module's table)

    report = run(name, BundleSource(bundle, label="capture"), request.namespace, request.name)
    return json.dumps(json.loads(report.model_dump_json()), indent=2) + "\n"


def _report(result: Capture, where: str, request: CaptureRequest, source: str) -> DiagReport:
    manifest = result.bundle.manifest
    missing = result.missing()
    text = f"captured {len(result.bundle.objects)} objects and {len(result.bundle.files)} files" + (
        "" if not missing else f"; missing: {'; '.join(missing)}"
    )
    return DiagReport(
        path=where,
        namespace=request.namespace,
        name=request.name,
        source=source,
        captured_at=manifest.captured_at,
        cluster_version=(manifest.capture or {}).get("cluster", {}).get("version"),
        objects=len(result.bundle.objects),
        files=len(result.bundle.files),
        collectors=[
            DiagCollector(
                name=c.name,
                state=c.state,  # type: ignore[arg-type]
                objects=c.objects,
                files=c.files,
                reason=c.reason,
                notes=list(c.notes),
            )
            for c in result.collectors
        ],
        redactions=result.redactions,
        summary=Summary(
            ok=result.complete,
            severity=Severity.info if result.complete else Severity.warning,
            text=text,
        ),
    )
