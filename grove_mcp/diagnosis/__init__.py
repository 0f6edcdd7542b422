"""``diagnose``: one call answers "why is my-inference slow?". Analyzers (one module per concern,
``analyzers/``, listed in ``registry.py``) read the other reports of the same snapshot and
metrics window and return findings; ``build.py`` ranks them and writes the answer."""

from .build import build_diagnose, gather_evidence

__all__ = ["build_diagnose", "gather_evidence"]
