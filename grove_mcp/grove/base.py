"""Shared building blocks of the input models: tolerant parsing, metadata, conditions, quantities."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel


class KubeModel(BaseModel):
    """Base of every input model: camelCase JSON, unknown fields ignored, immutable."""

    model_config = ConfigDict(
        extra="ignore", populate_by_name=True, alias_generator=to_camel, frozen=True
    )


class OwnerReference(KubeModel):
    api_version: str = ""
    kind: str = ""
    name: str = ""
    uid: str = ""
    controller: bool | None = None


class ObjectMeta(KubeModel):
    name: str = ""
    namespace: str | None = None
    uid: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    creation_timestamp: datetime | None = None
    deletion_timestamp: datetime | None = None
    generation: int | None = None
    resource_version: str | None = None
    owner_references: tuple[OwnerReference, ...] = ()

    @field_validator("labels", "annotations", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return value or {}


class Condition(KubeModel):
    type: str
    status: str = "Unknown"
    reason: str | None = None
    message: str | None = None
    last_transition_time: datetime | None = None

    @property
    def is_true(self) -> bool:
        return self.status == "True"


class KubeObject(KubeModel):
    api_version: str = ""
    kind: str = ""
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)

    @property
    def name(self) -> str:
        return self.metadata.name

    @property
    def labels(self) -> dict[str, str]:
        return self.metadata.labels


def find_condition(conditions: tuple[Condition, ...], type_: str) -> Condition | None:
    """The condition of the given type, or None."""
    return next((c for c in conditions if c.type == type_), None)


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_DURATION_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}


def parse_duration(text: str | None) -> timedelta | None:
    """Parse a Go duration string (metav1.Duration, e.g. ``4h0m0s``, ``15m``); None if absent."""
    if text is None or text == "":
        return None
    body = text.strip()
    sign = -1 if body.startswith("-") else 1
    body = body.lstrip("+-")
    if body == "0":
        return timedelta(0)
    parts = _DURATION_PART.findall(body)
    if not parts or "".join(n + u for n, u in parts) != body:
        raise ValueError(f"not a duration: {text!r} (expected e.g. '4h', '15m', '1h30m')")
    seconds = sum(float(n) * _DURATION_UNITS[u] for n, u in parts)
    return timedelta(seconds=sign * seconds)


# Kubernetes' grammar: a signed decimal ("1", "1.5", ".5", "2."), then an SI or binary suffix
# ("m", "Gi") or a decimal exponent ("1e3", "5E-1").
_QUANTITY = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|([a-zA-Z]*))$")
_QUANTITY_SUFFIX = {
    "": 1,
    "n": 1e-9,
    "u": 1e-6,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "E": 1e18,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
}


@lru_cache(
    maxsize=4096
)  # a cluster's pods repeat a few quantities ("1", "8", "64Gi") thousands of times
def parse_quantity(value: str | int | float | None) -> float:
    """Parse a Kubernetes resource quantity (``8``, ``500m``, ``16Gi``) into a number; 0 if absent."""
    if value is None:
        return 0.0
    if isinstance(value, int | float):
        number = float(value)
    else:
        match = _QUANTITY.match(value.strip())
        if not match or (not match.group(2) and match.group(3) not in _QUANTITY_SUFFIX):
            raise ValueError(f"not a resource quantity: {value!r}")
        if match.group(2):
            number = float(match.group(1) + match.group(2))
        else:
            number = float(match.group(1)) * _QUANTITY_SUFFIX[match.group(3)]
    if not math.isfinite(number):  # "1e309": no count of anything
        raise ValueError(f"not a finite resource quantity: {value!r}")
    return number


def quantities(value: object) -> object:
    """A resource list (``{"nvidia.com/gpu": 8}``) as text, each value checked to be a
    quantity: a malformed one fails its object's validation, naming the field, instead of
    failing a report later (a ``mode="before"`` validator)."""
    if not isinstance(value, dict):
        return value
    texts = {k: str(v) for k, v in value.items()}
    for text in texts.values():
        parse_quantity(text)  # ValueError → the object's ValidationError
    return texts
