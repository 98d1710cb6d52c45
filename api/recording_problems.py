"""Recordings a scenario plays that this installation does not have: the problems panel names them before publish.

Publishing refuses a scenario whose uploaded recording (`assets/<id>`) has no file in the media folder, and one
whose recording left the catalog (`audio_missing`, voice.prerender and persistence.publishing). A scenario moved
from another installation without its recordings, or one whose recording was deleted, is told here, with the same
code and the node and field that play it, so the analyst learns it while editing rather than at publish.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.schemas import Issue
from graph_engine.document import json_path
from graph_engine.issues import node_params
from graph_engine.registry import BlockRegistry
from persistence import audio
from voice.assets import ASSET_FOLDER
from voice.media import MediaRoot
from voice.prerender import find_recordings, recording_missing


def recording_problems(session: Session, document: Any, *, media: MediaRoot, registry: BlockRegistry) -> list[Issue]:
    """An `audio_missing` error for each prompt playing an uploaded recording that is not in the catalog or has no
    file in `media`. Names that are not uploads (Asterisk's own sounds, `vm-press`) are not ours to check."""
    nodes = document.get("nodes") if isinstance(document, dict) else None
    if not isinstance(nodes, list) or not all(isinstance(n, dict) and isinstance(n.get("id"), str) for n in nodes):
        return []  # the structure's own problems come first: the format's check has named them
    uploads = [r for r in find_recordings(document) if r.name.startswith(f"{ASSET_FOLDER}/")]
    there = audio.catalogued(session, media_names={r.name for r in uploads})
    positions = {node["id"]: index for index, node in enumerate(nodes)}
    found = []
    for recording in uploads:
        if recording.name in there and not recording_missing(media, recording.name):
            continue
        node = nodes[positions[recording.node_id]]
        block_type, label = str(node.get("type")), str(node.get("label") or recording.node_id)
        name = registry.node_name(block_type, label)
        block = registry.get(block_type)
        # The block named as every problem names it, so the designer says it in the analyst's language.
        named = node_params(block_type, block.title if block is not None else block_type, label)
        found.append(
            Issue(
                severity="error",
                code="audio_missing",
                message=f"{name}: the recording {recording.name!r} is not on this installation (not among its "
                "uploaded recordings); upload it and choose it again, or import the scenario with its recordings",
                node=recording.node_id,
                path=json_path(["nodes", positions[recording.node_id], "config", *recording.path]),
                params={**named, "recording": recording.name},
            )
        )
    return found
