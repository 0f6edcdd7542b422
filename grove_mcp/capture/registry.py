"""The collectors, in the order they run (later ones read what earlier ones found)."""

from __future__ import annotations

from .base import Collector
from .collectors.logs import Logs
from .collectors.metrics import Metrics
from .collectors.objects import Objects
from .collectors.operator import Operator
from .collectors.scheduler import Scheduler

COLLECTORS: tuple[Collector, ...] = (Objects(), Logs(), Operator(), Scheduler(), Metrics())
