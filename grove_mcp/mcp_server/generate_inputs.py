"""Arguments of ``grove_generate``: types and descriptions written for a model deciding how to
call it. The core (``aic.make_request``, ``RenderOptions.validated``) checks them again with
messages that say what a valid value looks like."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ..aic.request import Backend as BackendName
from ..aic.request import DatabaseMode
from ..core.budget_generate import Mode
from ..names import DNS_LABEL_RE

_LABEL = {"pattern": DNS_LABEL_RE.pattern, "maxLength": 63, "minLength": 1}


def _optional(description: str) -> object:
    return Field(description=description + " Omit for the default.")


Model = Annotated[
    str,
    Field(
        min_length=1,
        description="Hugging Face model id, e.g. Qwen/Qwen3-32B or deepseek-ai/DeepSeek-V3 "
        "(AIConfigurator bundles about 90; an unsupported one is refused with the list), or a "
        "directory on the server holding the model's config.json.",
    ),
]
System = Annotated[
    str,
    Field(
        min_length=1,
        description="GPU system as AIConfigurator names it: h200_sxm, h100_sxm, b200_sxm, "
        "gb200, a100_sxm, l40s … (an unknown one is refused with the list).",
    ),
]
TotalGpus = Annotated[int, Field(ge=1, description="GPU budget for the whole deployment.")]
Backend = Annotated[BackendName, Field(description="Inference engine of the workers.")]
Ttft = Annotated[float, Field(gt=0, description="Time-to-first-token target, ms (e.g. 300).")]
Tpot = Annotated[
    float | None,
    Field(gt=0, description="Time-per-output-token target, ms (e.g. 10); or request_latency_ms."),
]
Latency = Annotated[
    float | None,
    Field(gt=0, description="End-to-end request latency target, ms, instead of tpot_ms."),
]
Isl = Annotated[
    int | None, Field(ge=1, description="Input sequence length, tokens (default 4000).")
]
Osl = Annotated[
    int | None, Field(ge=1, description="Output sequence length, tokens (default 1000).")
]
TopN = Annotated[
    int | None,
    Field(ge=1, le=20, description="Configurations AIConfigurator keeps per mode (default 5)."),
]
Database = Annotated[
    DatabaseMode | None,
    Field(description="Performance data: SILICON (default, measured), HYBRID (for new models)."),
]
PcsName = Annotated[
    str | None,
    Field(
        description="PodCliqueSet name (default <model>-<backend>-<mode>, e.g. "
        "qwen3-32b-sglang-disagg); -disagg / -agg are appended to the file names.",
        json_schema_extra=_LABEL,
    ),
]
Namespace = Annotated[
    str | None,
    Field(
        description="metadata.namespace of the manifests. Omit for the server's --namespace "
        "(else none: kubectl applies them to its current namespace).",
        json_schema_extra=_LABEL,
    ),
]
Image = Annotated[str | None, _optional("Container image (default: Dynamo's runtime image).")]
ModelPath = Annotated[str | None, _optional("Path the engines load inside the pods.")]
PackDomain = Annotated[
    str | None,
    _optional(
        "Pack the deployment into one domain of this level, e.g. rack: a level of the "
        "cluster's ClusterTopologyBinding (checked when the server reads a cluster)."
    ),
]
TopologyName = Annotated[
    str | None,
    _optional(
        "ClusterTopologyBinding whose level pack_domain names: default the cluster's only one; "
        "required with pack_domain when the server reads no cluster or the cluster has several."
    ),
]
KaiQueue = Annotated[
    str | None,
    _optional(
        "Schedule with KAI Scheduler in this queue; when the server's cluster runs KAI, "
        "Dynamo's default queue 'dynamo' is used unless another is given."
    ),
]
TerminationDelay = Annotated[
    str | None,
    _optional(
        "Grove's gang-termination delay as a Go duration, e.g. 15m (the default, as Dynamo "
        "sets it), 1h30m or 4h."
    ),
]
Env = Annotated[
    dict[str, str] | None,
    Field(
        description='Environment of every container, e.g. {"NATS_SERVER": "nats://nats:4222", '
        '"ETCD_ENDPOINTS": "http://etcd:2379"} (Dynamo discovery). Never credentials.'
    ),
]
OnlyMode = Annotated[
    Mode | None,
    Field(
        description="Only this plan. Use it to get a manifest a previous answer left out (same "
        "arguments otherwise: answered from the cache, no new run)."
    ),
]
