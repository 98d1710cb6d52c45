"""A scenario document with its nodes brought up to their installed blocks' versions.

Validation and the interpreter migrate a node written for an older block version as they read it, every time, and
leave the document alone. A document someone goes on editing must itself be upgraded: the designer edits a node
with its block's current form, and a node still marked with the old version is migrated again whenever it runs,
from a config that now mixes the old keys with the new ones. (A v2 form keeps the v1 key it cannot show; the
v1 -> v2 migration then overwrote the text the analyst had typed with the old one.)
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from graph_engine.registry import BlockRegistry


def upgrade_document(document: Any, registry: BlockRegistry) -> Any:
    """`document` with every node older than its installed block migrated by the block (`migrate`) and at the
    block's `version`; `document` itself when no node needs it. Never raises and never changes `document`.

    A node whose block is not installed, whose migration fails, or that is no node at all is left as it is:
    validation names it (`unknown_type`, `block_version`, `structure`) and blocks publishing it."""
    nodes = document.get("nodes") if isinstance(document, Mapping) else None
    if not isinstance(nodes, list):
        return document
    upgraded = [upgrade_node(node, registry) for node in nodes]
    if all(new is old for new, old in zip(upgraded, nodes, strict=True)):
        return document
    return {**document, "nodes": upgraded}


def upgrade_node(node: Any, registry: BlockRegistry) -> Any:
    """`node` migrated to its installed block's version, or `node` itself (see `upgrade_document`)."""
    if not isinstance(node, Mapping):
        return node
    type_name, version, config = node.get("type"), node.get("version", 1), node.get("config", {})
    block = registry.get(type_name) if isinstance(type_name, str) else None
    if block is None or not _is_version(version) or version >= block.version or not isinstance(config, Mapping):
        return node
    try:
        # A copy: a plugin's migrate may change what it is given, and `node` may be a stored draft still in use.
        migrated = block.migrate(version, copy.deepcopy(dict(config)))
        json.dumps(migrated)  # what cannot be a document's JSON would break the response that hands it out
    except Exception:
        return node  # validation migrates it again and names the failure
    if not isinstance(migrated, Mapping):
        return node
    return {**node, "config": dict(migrated), "version": block.version}


def _is_version(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1
