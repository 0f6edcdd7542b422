"""``kubectl grove generate``: AIConfigurator plans rendered as Grove PodCliqueSets.

Parse flags → ``aic.make_request`` / ``RenderOptions`` (bad input refused before AIConfigurator
starts, exit 2) → the table's ``generate`` in a worker thread with progress on stderr (Ctrl-C
cancels the child, exit 130) → the files written from the redacted report → the report on
stdout. Exit 1 when no configuration meets the SLA, 4 when AIConfigurator is missing or fails.

Given a cluster (``--context`` / ``--kubeconfig``, or ``--bundle`` / ``--demo``), generate reads
its ClusterTopologyBindings and whether it runs KAI Scheduler, and renders for it; without one
it reads nothing (``aic.cluster_fit`` says what is taken from where).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .. import aic, core
from ..config import load_settings
from ..errors import InvalidInput
from ..redact import MASK
from ..render import OutputFormat, emit
from ..sources import Source, open_source
from ..sources.agents import CLI_AGENT
from .options import Output
from .run import console, error_console, exit_by_verdict, handled_errors

if TYPE_CHECKING:  # registering the command reads only aic's defaults; running it, the rest
    from ..reports.generate import GenerateReport

_DEFAULTS = aic.PlanRequest.model_fields
_AIC = "AIConfigurator"
_OUT = "Output"
_CLUSTER = "Cluster (optional: topology binding and KAI are read from it)"
_HERE = Path(".")


def _opt(*names: str, help: str, panel: str = _AIC, **kw: Any) -> Any:
    return typer.Option(*names, help=help, rich_help_panel=panel, show_default=False, **kw)


Model = Annotated[
    str,
    _opt("--model", help="Hugging Face id (e.g. Qwen/Qwen3-32B) or a directory with config.json."),
]
System = Annotated[str, _opt("--system", help="AIConfigurator system, e.g. h200_sxm, b200_sxm.")]
TotalGpus = Annotated[int, _opt("--total-gpus", help="GPU budget for the whole deployment.")]
Backend = Annotated[
    str | None,
    _opt(
        "--backend",
        help="Inference engine: sglang, vllm or trtllm (default: aiconfigurator.default_backend "
        "of the config file).",
    ),
]
Isl = Annotated[
    int | None, _opt("--isl", help=f"Input sequence length (default {_DEFAULTS['isl'].default}).")
]
Osl = Annotated[
    int | None, _opt("--osl", help=f"Output sequence length (default {_DEFAULTS['osl'].default}).")
]
Ttft = Annotated[float, _opt("--ttft", help="Time-to-first-token target, ms.")]
Tpot = Annotated[float | None, _opt("--tpot", help="Time-per-output-token target, ms.")]
Latency = Annotated[
    float | None,
    _opt("--request-latency", help="End-to-end request latency target, ms (instead of --tpot)."),
]
TopN = Annotated[
    int | None,
    _opt("--top-n", help=f"Configurations kept per mode (default {_DEFAULTS['top_n'].default})."),
]
DatabaseMode = Annotated[
    str | None,
    _opt("--database-mode", help="SILICON (default), HYBRID, EMPIRICAL or SOL."),
]
Timeout = Annotated[
    float,
    _opt(
        "--timeout",
        help=f"Seconds AIConfigurator may take (default {aic.DEFAULT_TIMEOUT_S:g}).",
        min=1,
    ),
]
SaveDir = Annotated[
    Path,
    _opt(
        "--save-dir",
        help="Directory for <name>.yaml and <name>.plan.json per mode (default: the current one).",
        panel=_OUT,
    ),
]
Name = Annotated[
    str | None,
    _opt("--name", help="PodCliqueSet name (default <model>-<backend>-<mode>).", panel=_OUT),
]
Namespace = Annotated[
    str | None,
    _opt(
        "-n",
        "--namespace",
        help="metadata.namespace of the manifests (default: none; kubectl applies to its own).",
        panel=_OUT,
    ),
]
Image = Annotated[
    str | None,
    _opt(
        "--image",
        help="Container image (default: the Dynamo runtime image for the backend).",
        panel=_OUT,
    ),
]
ModelPath = Annotated[
    str | None,
    _opt(
        "--model-path", help="What the engines load inside the pods (default: --model).", panel=_OUT
    ),
]
PackDomain = Annotated[
    str | None,
    _opt(
        "--pack-domain",
        help="Pack the deployment into one domain of this level, e.g. rack: a level of the "
        "ClusterTopologyBinding.",
        panel=_OUT,
    ),
]
TopologyName = Annotated[
    str | None,
    _opt(
        "--topology-name",
        help="ClusterTopologyBinding whose level --pack-domain names (default: the cluster's "
        "only one; required without a cluster).",
        panel=_OUT,
    ),
]
KaiQueue = Annotated[
    str | None,
    _opt(
        "--kai-queue",
        help="Schedule with KAI Scheduler in this queue (default 'dynamo' when the cluster "
        "runs KAI).",
        panel=_OUT,
    ),
]
TerminationDelay = Annotated[
    str,
    _opt(
        "--termination-delay",
        help="Grove's gang-termination delay: how long a gang may stay below minAvailable "
        "before Grove recreates it (default 15m, as Dynamo; e.g. 1h30m).",
        panel=_OUT,
    ),
]
Context = Annotated[
    str | None, _opt("--context", help="Kubeconfig context of the cluster.", panel=_CLUSTER)
]
Kubeconfig = Annotated[
    Path | None,
    _opt("--kubeconfig", help="Kubeconfig file of the cluster.", panel=_CLUSTER),
]
BundlePath = Annotated[
    Path | None,
    _opt("--bundle", help="Read the cluster's setup from a diagnostic bundle.", panel=_CLUSTER),
]
Demo = Annotated[bool, _opt("--demo", help="Read the embedded demo's cluster.", panel=_CLUSTER)]
RequestTimeout = Annotated[
    float,
    _opt(
        "--request-timeout", help="Seconds per API request (default 15).", min=0.5, panel=_CLUSTER
    ),
]
HfTokenSecret = Annotated[
    str,
    _opt(
        "--hf-token-secret",
        help="Secret loaded (optionally) as environment into every pod; '' for none "
        "(default hf-token-secret).",
        panel=_OUT,
    ),
]
Env = Annotated[
    list[str] | None,
    _opt(
        "--env",
        help="KEY=VALUE environment of every container, repeatable (e.g. ETCD_ENDPOINTS, "
        "NATS_SERVER). Credentials belong in the --hf-token-secret Secret, not here.",
        panel=_OUT,
    ),
]


def parse_env(pairs: list[str] | None) -> dict[str, str]:
    env = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(
                f"--env '{pair}': expected KEY=VALUE, e.g. NATS_SERVER=nats://nats:4222."
            )
        env[key.strip()] = value
    return env


def cluster_source(
    context: str | None, kubeconfig: Path | None, bundle: Path | None, demo: bool, timeout: float
) -> Source | None:
    """The cluster the manifests are for, when one was named; None: render offline."""
    if not (context or kubeconfig or bundle or demo):
        return None
    return open_source(
        demo=demo,
        bundle=str(bundle) if bundle else None,
        kubeconfig=str(kubeconfig) if kubeconfig else None,
        context=context,
        timeout=timeout,
        agent=CLI_AGENT,
    )


def prepare_dir(save_dir: Path) -> Path:
    """The save directory, created if needed (before AIConfigurator starts)."""
    path = save_dir.expanduser().resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"Cannot use save directory {path}: {exc.strerror or exc}.") from None
    return path


def write_files(report: GenerateReport) -> int:
    """Each plan's manifest and plan.json where the report says (the report is redacted);
    how many files were written. Refuses, before writing any, paths that redaction changed
    or that two plans share."""
    from ..planfile import dump_plan

    paths = [p for plan in report.plans for p in (plan.file, plan.plan_file) if p]
    if any(MASK in p for p in paths) or len(set(paths)) != len(paths):
        raise InvalidInput(
            "A plan's name looks like a credential and was redacted, so its files cannot be "
            "named after it. Pass another --name."
        )
    for plan in report.plans:
        if plan.file and plan.plan_file:
            Path(plan.file).write_text(plan.manifest, encoding="utf-8")
            Path(plan.plan_file).write_text(dump_plan(plan.plan), encoding="utf-8")
    return len(paths)


def redaction_warnings(report: GenerateReport) -> list[str]:
    """What to tell the user when a manifest carries a redacted value (it will not apply)."""
    return [
        f"Warning: {plan.name}'s manifest had values that look like credentials; they are "
        f"written as {MASK}, so fix them before applying. Put credentials in a Secret "
        "(--hf-token-secret), not in --env."
        for plan in report.plans
        if MASK in plan.manifest
    ]


def generate_command(
    run: Callable[..., aic.AicRun] = aic.run_aiconfigurator,
) -> Callable[..., None]:
    """The ``generate`` command; ``run`` replaces the AIConfigurator runner (recorded runs in tests)."""

    def generate(
        model: Model,
        system: System,
        total_gpus: TotalGpus,
        ttft: Ttft,
        backend: Backend = None,
        tpot: Tpot = None,
        request_latency: Latency = None,
        isl: Isl = None,
        osl: Osl = None,
        top_n: TopN = None,
        database_mode: DatabaseMode = None,
        timeout: Timeout = aic.DEFAULT_TIMEOUT_S,
        save_dir: SaveDir = _HERE,
        name: Name = None,
        namespace: Namespace = None,
        image: Image = None,
        model_path: ModelPath = None,
        pack_domain: PackDomain = None,
        topology_name: TopologyName = None,
        kai_queue: KaiQueue = None,
        hf_token_secret: HfTokenSecret = "hf-token-secret",
        env: Env = None,
        termination_delay: TerminationDelay = aic.DEFAULT_TERMINATION_DELAY,
        context: Context = None,
        kubeconfig: Kubeconfig = None,
        bundle: BundlePath = None,
        demo: Demo = False,
        request_timeout: RequestTimeout = 15.0,
        output: Output = OutputFormat.text,
    ) -> None:
        from .progress import progress_display, run_cancellable  # rich's progress bar, on use

        with handled_errors():
            backend = backend or _configured_backend()
            flags = {
                "model": model, "system": system, "total_gpus": total_gpus, "backend": backend,
                "ttft_ms": ttft, "tpot_ms": tpot, "request_latency_ms": request_latency,
                "isl": isl, "osl": osl, "top_n": top_n, "database_mode": database_mode,
            }  # fmt: skip
            request = aic.make_request(**{k: v for k, v in flags.items() if v is not None})
            options = aic.RenderOptions(
                name=name,
                namespace=namespace,
                image=image,
                model_path=model_path,
                pack_domain=pack_domain,
                topology_name=topology_name,
                kai_queue=kai_queue,
                hf_token_secret=hf_token_secret or None,
                env=parse_env(env),
                termination_delay=termination_delay,
            ).validated()
            if demo and bundle:
                raise InvalidInput("Pass either --demo or --bundle, not both.")
            source = cluster_source(context, kubeconfig, bundle, demo, request_timeout)
            if source is None:
                options.require_topology_name()
            directory = prepare_dir(save_dir)
            try:
                with progress_display(error_console()) as on_progress:
                    report = run_cancellable(
                        lambda cancel: core.run(
                            "generate",
                            source,
                            namespace,
                            args=aic.GenerateArgs(
                                request,
                                options,
                                save_dir=directory,
                                on_progress=on_progress,
                                timeout_s=timeout,
                                cancel=cancel,
                                run=run,
                            ),
                        )
                    )
            except KeyboardInterrupt:
                error_console().print("Cancelled: AIConfigurator was stopped.")
                raise
            from ..reports.generate import GenerateReport

            assert isinstance(report, GenerateReport)
            # refused if Grove would refuse it; the cluster given (if any) knows the bindings
            report = core.check_before_write(report, source)
            written = write_files(report)
            error_console().print(f"Wrote {written} file(s) to {directory}", soft_wrap=True)
            for warning in redaction_warnings(report):
                error_console().print(warning, style="yellow", soft_wrap=True)
            emit(report, output, console())
        exit_by_verdict(report)

    return generate


generate = generate_command()


def _configured_backend() -> str:
    """generate's backend when --backend is not given: the config file's, else an error."""
    settings = load_settings()
    backend = settings.config.aiconfigurator.default_backend
    if backend is None:
        raise InvalidInput(
            "generate needs --backend (sglang, vllm or trtllm), or aiconfigurator.default_backend "
            f"in the config file {settings.path}."
        )
    return backend
