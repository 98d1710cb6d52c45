"""Offering the spoken helpers (`money`, `spoken_date`, `number`, ...) to scenario templates.

The template environment lives in graph_engine, which knows nothing of voice; a host (AGI server, API, CLI)
calls `install_template_functions()` once at start-up, before validating or running scenarios.
"""

from __future__ import annotations

from graph_engine import templates
from voice.spoken import TEMPLATE_FUNCTIONS


def install_template_functions() -> None:
    """Register every helper of `voice.spoken` as a template global (idempotent)."""
    for name, function in TEMPLATE_FUNCTIONS.items():
        templates.register_global(name, function)
