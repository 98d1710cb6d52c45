"""The block catalog from the live registry (plugins included) and config-dependent exits."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import RuntimeDep, Viewer
from api.routes import AUTHED, problems
from api.schemas import BlockCatalogEntry, BlockReadiness, BrokenPlugin, ExitsIn, ExitsOut
from graph_engine.readiness import not_ready_reasons
from persistence.errors import NotFound

router = APIRouter(prefix="/api/blocks", tags=["blocks"], responses=AUTHED)


@router.get("", response_model=list[BlockCatalogEntry])
def catalog(_user: Viewer, runtime: RuntimeDep) -> list[dict[str, Any]]:
    """Every block: type, title, category, icon, version, config schema, exit rules and default exits, and whether
    this server can run it (`readiness`: a plugin's service not configured here makes it not ready)."""
    registry = runtime.registry
    entries = registry.catalog()
    for entry in entries:
        reasons = not_ready_reasons(registry.get(entry["type"]))
        entry["readiness"] = BlockReadiness(ready=not reasons, reasons=list(reasons))
    return entries


@router.get("/broken", response_model=list[BrokenPlugin])
def broken_plugins(_user: Viewer, runtime: RuntimeDep) -> list[BrokenPlugin]:
    """The block plugins the server left out because they are broken, in loading order; empty when none is.
    Their blocks are not in the catalog; the designer says which plugin is broken and why, next to the palette."""
    registry = runtime.registry
    return [
        BrokenPlugin(plugin=error.plugin, reason=error.reason, type=registry.missing_type(error))
        for error in registry.broken
    ]


@router.post("/{block_type}/exits", response_model=ExitsOut, responses=problems(404))
def exits(block_type: str, body: ExitsIn, _user: Viewer, runtime: RuntimeDep) -> ExitsOut:
    """The exits a block has with this config (e.g. one per IVR key), plus the `error` exit every block has."""
    block = runtime.registry.get(block_type)
    if block is None:
        raise NotFound("block type", block_type)
    try:
        names = block.exits(body.config)
    except (TypeError, AttributeError, ValueError):
        names = []  # a half-typed config in the editor: no config-dependent exits yet
    return ExitsOut(exits=[*names, "error"])
