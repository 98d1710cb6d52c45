"""Block plugins: the built-in blocks and the loader every plugin (built-in or third-party) goes through."""

from __future__ import annotations

from functools import cache

from graph_engine.registry import BlockRegistry, load_registry


@cache
def default_registry(*, skip_broken: bool = False) -> BlockRegistry:
    """Every block installed in the `ivrgraph.blocks` entry-point group, checked, loaded once per process.
    `skip_broken`: leave a broken plugin out rather than raise (see `load_registry`), as a host serving calls does."""
    return load_registry(skip_broken=skip_broken)
