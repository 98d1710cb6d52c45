"""Export and import of a scenario, to move it to another installation (staging to production) under its slug.

exported_document(...)   the document, naming its scenario (persistence.scenario_transfer)
export_bundle(...)       the same with the recordings it plays, as a zip (api.scenario_bundle)
import_document(...)     a document (an export, old or new) as a new scenario or as the draft of the one there
import_bundle(...)       a bundle likewise, its recordings restored under their own ids (api.recording_restore)
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from api.deps import Runtime
from api.recording_restore import RestoredRecording, plan_restore, stage, staging_area
from api.routes.audio import LIMITS
from api.scenario_bundle import read_bundle, write_bundle
from persistence import scenarios
from persistence.errors import InvalidDocument
from persistence.models import AudioAsset
from persistence.scenario_transfer import (
    Imported,
    import_scenario,
    read_export_note,
    require_importable,
    with_export_note,
)
from voice.assets import ASSET_FOLDER, asset_wav
from voice.prerender import find_recordings

_ASSET_NAME = re.compile(rf"^{ASSET_FOLDER}/([0-9a-f]{{32}})$")


def exported_document(runtime: Runtime, *, slug: str, version: int | None) -> dict[str, Any]:
    """The draft (or published `version`) as an export hands it out: naming its scenario's slug and name."""
    with runtime.database.session() as session:
        scenario = scenarios.get_scenario(session, slug=slug)
        document = (
            scenario.draft_document
            if version is None
            else scenarios.get_version(session, slug=slug, number=version).document
        )
        return with_export_note(document, slug=scenario.slug, name=scenario.name)


def export_bundle(runtime: Runtime, *, slug: str, version: int | None, target: IO[bytes]) -> None:
    """The export and every uploaded recording it plays that is here (catalogued, with its WAV) into `target`. A
    recording that is not here is left out: the installation importing it names it (`audio_missing`)."""
    document = exported_document(runtime, slug=slug, version=version)
    media = runtime.speech().media
    ids = list(dict.fromkeys(found[1] for r in find_recordings(document) if (found := _ASSET_NAME.match(r.name))))
    with runtime.database.session() as session:
        assets = [asset for asset_id in ids if (asset := session.get(AudioAsset, asset_id)) is not None]
    recordings = [(asset, wav) for asset in assets if (wav := asset_wav(media, asset.id)).is_file()]
    write_bundle(target, document, recordings)


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    imported: Imported
    recordings: list[RestoredRecording]


def import_document(
    runtime: Runtime, document: Any, *, slug: str | None, name: str | None, replace_draft: bool, actor: str
) -> Imported:
    """`document` under `slug`, else the slug its export names (see `import_scenario` for a taken one)."""
    stored, note = read_export_note(document)
    with runtime.database.session() as session:
        return import_scenario(session, slug=_slug(slug, note.slug), name=name or note.name, document=stored,
                               actor=actor, replace_draft=replace_draft)  # fmt: skip


def import_bundle(
    runtime: Runtime, source: IO[bytes], *, slug: str | None, name: str | None, replace_draft: bool, actor: str
) -> ImportOutcome:
    """The bundle's scenario as `import_document` imports one, with its recordings under their own ids. `name`
    names the scenario in the list and in its document alike (a copy: the file cannot be edited on the way)."""
    media = runtime.speech().media
    with tempfile.TemporaryDirectory(prefix="ivrgraph-import-") as folder, staging_area(media) as staging:
        bundle = read_bundle(source, Path(folder), LIMITS)
        stored, note = read_export_note(bundle.document)
        slug = _slug(slug, note.slug)
        if name and isinstance(stored, dict):
            stored = {**stored, "name": name}
        name = name or note.name
        scenarios.check_structure(stored)  # before any recording is converted for a document that is none
        with runtime.database.session() as session:
            require_importable(session, slug=slug, name=name, document=stored, replace_draft=replace_draft)
        staged = stage(bundle.recordings, staging, LIMITS)  # ffmpeg: slow, and outside any transaction
        with runtime.database.session() as session:
            plan = plan_restore(session, staged, staging=staging, media=media)
            imported = import_scenario(session, slug=slug, name=name, document=stored, actor=actor,
                                       replace_draft=replace_draft, recordings=plan.restored)  # fmt: skip
            plan.apply(session)
            return ImportOutcome(imported, plan.outcomes)


def _slug(given: str | None, noted: str | None) -> str:
    slug = given or noted
    if slug is None:
        message = "no slug: send one, or a document exported with its slug (meta.exported_from.slug)"
        raise InvalidDocument([{"path": "$.slug", "message": message}])
    return slug
