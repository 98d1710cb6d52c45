"""What a scenario reads that its caller must give it: the variables its blocks read and no block sets, and the
fields of object variables its templates need (`contact.name`), for a host that fills variables from outside
(a call list's columns) to say, before any call, which ones it leaves empty.

Static and generous: a variable any block may set is the scenario's own, wherever it is set; a field read only
through `| default(...)`, `.get(...)` or after `is defined` is not needed. What it names would fail or fall silent in
a call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graph_engine import templates
from graph_engine.registry import BlockRegistry


@dataclass(frozen=True)
class ScenarioInputs:
    """`read`: top-level variables some block reads (templates and the blocks' own reads), helpers left out.
    `fields`: for each variable, the fields of its value some template needs. `written`: variables some block sets."""

    read: frozenset[str] = frozenset()
    fields: Mapping[str, frozenset[str]] = field(default_factory=dict)
    written: frozenset[str] = frozenset()


def scenario_inputs(document: Mapping[str, Any], registry: BlockRegistry) -> ScenarioInputs:
    """What `document` (a published scenario) reads and sets, over all its nodes. A node whose block is unknown, or
    whose block's analysis fails on its config, adds nothing: validation reports those."""
    read: set[str] = set()
    written: set[str] = set()
    fields: dict[str, set[str]] = {}
    for node in document.get("nodes") or []:
        if not isinstance(node, Mapping):
            continue
        block = registry.get(str(node.get("type", "")))
        config = node.get("config") or {}
        if block is None or not isinstance(config, Mapping):
            continue
        try:
            written |= block.variables_written(config)
            read |= block.variables_read(config)
            for template in block.templates(config):
                read |= templates.names_read(template.source, expression=template.expression)
                for variable, name in templates.fields_read(template.source, expression=template.expression):
                    fields.setdefault(variable, set()).add(name)
        except Exception:  # a block's analysis failing on an odd config: validation reports it, not this
            continue
    return ScenarioInputs(
        read=frozenset(read - templates.GLOBAL_NAMES),
        fields={variable: frozenset(names) for variable, names in fields.items()},
        written=frozenset(written),
    )
