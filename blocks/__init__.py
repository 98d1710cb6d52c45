"""Block plugins: the built-in blocks and the loader every plugin (built-in or third-party) goes through."""

from __future__ import annotations

from functools import cache

from graph_engine.registry import BlockRegistry, load_registry


@cache
def default_registry() -> BlockRegistry:
    """Every block installed in the `ivrgraph.blocks` entry-point group, checked, loaded once per process."""
    return load_registry()
