"""The embedded demo: a bundle (``bundle/``) and, for ``replan --demo``, AIConfigurator's answers
recorded for it (``aiconfigurator/``, written by tools/record_demo_aic.py), so the demo needs no
AIConfigurator install."""

from .recorded import recorded_aiconfigurator

__all__ = ["recorded_aiconfigurator"]
