"""Whether each block can run on this host (`BlockType.readiness`), asked once by a host that builds plugin services.

A block may need what only a host has: a service its plugin registers (`ivrgraph.services`, `ctx.services.extras`)
that this host's configuration leaves out, such as an SMS gateway nobody set the URL of. `host_registry(registry,
extras)` asks every block once, at start, and gives back the registry as this host runs it, where each block that
is not ready stands in for itself with its reasons (`not_ready_reasons`):

- a real call reaching it takes its `error` exit, the reasons as the step's error in the trace, instead of running
  a block that cannot work; a test call runs it as anywhere else (what a test call does never depends on the host
  it runs on: docs/test-calls.md);
- the server refuses to publish a document using it: `readiness_problems`, one `block_not_ready` error per node
  (persistence.publishing.document_problems, which the designer's validation of a draft shares);
- the catalog says which blocks are not ready here, and why (GET /api/blocks), for the palette.

A registry no host made (`ivrgraph validate`, `ivrgraph test`, CI) has no reasons: readiness is a fact about a host,
not about a scenario, and a check with no services to look at must not fail for it. That is also why it is not
part of `validate`, and why `BlockType.check` (which is) cannot take its place.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from typing import Any, Final

from graph_engine.block import ERROR_EXIT, BlockType
from graph_engine.context import BlockContext
from graph_engine.issues import Issue, error, node_params
from graph_engine.registry import BlockRegistry

log = logging.getLogger(__name__)

BLOCK_NOT_READY: Final = "block_not_ready"
# Where a stand-in keeps its reasons: in its own instance dict, as graph_engine.simulation keeps a stand-in's `run`.
_REASONS: Final = "_reasons_not_ready_here"


def readiness_of(block: BlockType, extras: Mapping[str, Any]) -> tuple[str, ...]:
    """Why `block` cannot run with these services; () when it can. A `readiness` that raises or answers something
    other than a list of strings is its plugin's bug: the block is taken as not ready, so that its author sees it
    before a call does, with a reason that names the bug but not the exception's words (they may quote a setting,
    and every signed-in user reads the reasons); the node's log has those, with the traceback."""
    try:
        answer: Any = block.readiness(extras)
    except Exception as failure:
        log.exception("block %r: its readiness() raised; the block is taken as not ready on this node", block.type)
        return (f"its plugin's readiness check failed ({type(failure).__name__}); the server's log says why",)
    if not isinstance(answer, list | tuple) or not all(isinstance(reason, str) for reason in answer):
        log.error(
            "block %r: its readiness() returned %r, not a list of reasons; taken as not ready", block.type, answer
        )
        return (
            f"its plugin's readiness() returned {type(answer).__name__}, not a list of reasons "
            "(it returns [] when the block is ready)",
        )
    return tuple(reason.strip() for reason in answer if reason.strip())


def host_registry(registry: BlockRegistry, extras: Mapping[str, Any]) -> BlockRegistry:
    """`registry` as a host with these plugin services runs it: each block that is not ready replaced by a stand-in
    carrying its reasons (see the module docstring); the very same registry when every block is ready."""
    blocks = registry.types
    not_ready = {name: reasons for name, block in blocks.items() if (reasons := readiness_of(block, extras))}
    if not not_ready:
        return registry
    stand_ins = {
        name: _stand_in(block, not_ready[name]) if name in not_ready else block for name, block in blocks.items()
    }
    # Everything but the blocks (schemas, origins, broken plugins) is shared, as a test call's registry shares it.
    view = copy.copy(registry)
    view._blocks = stand_ins
    if any(view.types.get(name) is not block or view.get(name) is not block for name, block in stand_ins.items()):
        # BlockRegistry keeps its blocks elsewhere now: a call would run the blocks that cannot work. Refuse to start.
        raise RuntimeError("the blocks that are not ready cannot be replaced in this registry (graph_engine.readiness)")
    return view


def not_ready_reasons(block: BlockType | None) -> tuple[str, ...]:
    """The reasons the host's registry gave `block` (`host_registry`); () for a ready block, or no block."""
    if block is None:
        return ()
    reasons: tuple[str, ...] = vars(block).get(_REASONS, ())
    return reasons


def not_ready_types(registry: BlockRegistry) -> dict[str, tuple[str, ...]]:
    """The block types `registry`'s host cannot run, with the reasons."""
    return {name: reasons for name, block in registry.types.items() if (reasons := not_ready_reasons(block))}


def readiness_problems(document: Any, registry: BlockRegistry) -> list[Issue]:
    """One `block_not_ready` error per node of `document` whose block the host of `registry` cannot run, at the node
    itself (`$.nodes[i]`: no field of its config is at fault). A document too broken to have a list of nodes has
    none: validation names what is wrong with it."""
    nodes = document.get("nodes") if isinstance(document, Mapping) else None
    if not isinstance(nodes, list):
        return []
    problems: list[Issue] = []
    for position, node in enumerate(nodes):
        type_name = node.get("type") if isinstance(node, Mapping) else None
        block = registry.get(type_name) if isinstance(type_name, str) else None
        reasons = not_ready_reasons(block)
        if block is None or not reasons or not isinstance(node, Mapping):
            continue
        node_id, label = _text(node.get("id")) or None, _text(node.get("label"))
        label = label or node_id or ""  # as a node is named elsewhere: its label, else its id
        detail = "; ".join(reasons)
        problems.append(
            error(
                BLOCK_NOT_READY,
                f"{registry.node_name(block.type, label)} cannot run on this server: {detail}",
                node=node_id,
                path=f"$.nodes[{position}]",
                params={**node_params(block.type, block.title, label), "detail": detail},
            )
        )
    return problems


def _stand_in(block: BlockType, reasons: tuple[str, ...]) -> BlockType:
    """`block` with its reasons, whose `run` in a real call takes the `error` exit with them instead."""
    stand_in = copy.copy(block)
    runs = block.run
    said = f"{block.title} cannot run on this node: {'; '.join(reasons)}"

    async def run(ctx: BlockContext, config: Mapping[str, Any]) -> str:
        if ctx.simulated:  # a test call: what it does never depends on the host (its `simulate` may call `run`)
            return await runs(ctx, config)
        ctx.step.error = said  # told as the step's failure, as a `run` that raised would be
        return ERROR_EXIT

    vars(stand_in)["run"] = run
    vars(stand_in)[_REASONS] = reasons
    return stand_in


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
