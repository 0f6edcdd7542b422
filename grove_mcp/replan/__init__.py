"""``replan``: re-plan a PodCliqueSet with AIConfigurator for the traffic it really serves.

Observe (the metrics window: ISL/OSL, rate, latency), compare with the plan's assumptions
(traffic drift), calibrate AIConfigurator on the deployed configuration (its estimate against the
measurements), search again with the observed traffic, and propose the best configuration with
its calibrated effect, manifest, plan file and diff. Writes nothing; proposes nothing while the
deployment is not steady (``--force`` shows it anyway, marked).
"""

from .args import Assumptions, ReplanArgs
from .build import build_replan

__all__ = ["Assumptions", "ReplanArgs", "build_replan"]
