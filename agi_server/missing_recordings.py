"""At a node's start: one WARNING per published scenario whose latest version plays uploaded recordings that are not
in the media root.

A database restored from its backup onto a machine whose media root was not (docs/operations.md, "Backups") still
lists the recordings, and the versions published before the loss still play `assets/<id>`: Asterisk answers
STREAM FILE with -1, the block takes its error exit, and nothing said so until callers complained
(disaster-recovery review). Publishing refuses a version whose recordings are missing (voice.prerender
`missing_audio`), but nothing looked at a version again once it was published.

The check asks whether the files exist (one stat() per format of a recording; no audio is read), in a worker
thread once the node holds its published scenarios, and never holds up or stops the start: `check_in_background`
returns at once, and a check that fails is one WARNING too. The recording's name comes from the catalog when the
node has the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Final

from sqlalchemy import select

from agi_server.errors import first_line
from agi_server.scenarios import CachedScenarioSource, PublishedScenario, ScenarioSource
from graph_engine.services import TextToSpeech
from persistence.db import Database
from persistence.models import AudioAsset
from voice.assets import ASSET_FOLDER
from voice.media import MediaRoot
from voice.prerender import find_recordings, recording_missing

log = logging.getLogger(__name__)

# What a warning tells an operator to do about it.
_REMEDY: Final = (
    "put the media root's assets/ back from its backup, or import an earlier zip export of the scenario as a copy "
    "(docs/operations.md, Backups)"
)


@dataclass(frozen=True, slots=True)
class MissingRecording:
    node: str  # the node's id
    label: str  # the node's label; "" when it has none
    media_name: str  # `assets/<id>`, as the prompt names it
    name: str | None = None  # the catalog's name for it; None when the catalog has none or was not asked
    catalogued: bool | None = None  # None: the catalog was not asked (no database)

    @property
    def asset_id(self) -> str:
        return self.media_name.removeprefix(f"{ASSET_FOLDER}/")

    def described(self) -> str:
        node = f"node {self.node} ({self.label!r})" if self.label and self.label != self.node else f"node {self.node}"
        if self.name is not None:
            what = f"{self.name!r} ({self.media_name})"
        elif self.catalogued is False:
            what = f"{self.media_name} (not in the catalog)"
        else:
            what = self.media_name
        return f"{what} at {node}"


@dataclass(frozen=True, slots=True)
class VersionMissing:
    """A published version and the uploaded recordings it plays that have no file in the media root."""

    slug: str
    version: int
    recordings: tuple[MissingRecording, ...]


def missing_in(published: PublishedScenario, media: MediaRoot) -> list[MissingRecording]:
    """The uploaded recordings (`assets/...`) `published` plays with no file in `media`, once per node and name, in
    document order. Other names (Asterisk's own sounds, `vm-press`) are not ours to check."""
    scenario = published.scenario
    found: dict[tuple[str, str], MissingRecording] = {}
    for recording in find_recordings(scenario.document):
        key = (recording.node_id, recording.name)
        if key in found or not recording.name.startswith(f"{ASSET_FOLDER}/"):
            continue
        if recording_missing(media, recording.name):
            node = scenario.nodes.get(recording.node_id)
            found[key] = MissingRecording(recording.node_id, node.label if node is not None else "", recording.name)
    return list(found.values())


def catalog_names(database: Database, asset_ids: Collection[str]) -> dict[str, str]:
    """The catalog's name of each of `asset_ids` it has (asset id -> name)."""
    if not asset_ids:
        return {}
    query = select(AudioAsset.id, AudioAsset.name).where(AudioAsset.id.in_(sorted(asset_ids)))
    with database.session() as session:
        return {str(asset_id): str(name) for asset_id, name in session.execute(query)}


def look(held: Sequence[PublishedScenario], media: MediaRoot, database: Database | None) -> list[VersionMissing]:
    """What `held` plays that `media` lacks, named from the catalog when `database` is given (blocking: a thread's)."""
    missing = [(published, found) for published in held if (found := missing_in(published, media))]
    if database is not None and missing:
        names = catalog_names(database, {recording.asset_id for _, found in missing for recording in found})
        missing = [
            (published, [replace(r, name=names.get(r.asset_id), catalogued=r.asset_id in names) for r in found])
            for published, found in missing
        ]
    return [VersionMissing(published.slug, published.version, tuple(found)) for published, found in missing]


async def warn_of_missing_recordings(
    source: ScenarioSource, media: MediaRoot, database: Database | None = None
) -> list[VersionMissing]:
    """One WARNING per scenario `source` holds whose latest version plays uploaded recordings `media` lacks, naming
    the version, and each recording with its node; what was found. A source holding nothing in memory is not asked."""
    if not isinstance(source, CachedScenarioSource):
        return []
    held = [published for slug in source.slugs() if (published := await source.get(slug)) is not None]
    found = await asyncio.to_thread(look, held, media, database)
    for version in found:
        ids = [recording.asset_id for recording in version.recordings]
        log.warning(
            "scenario %s v%d plays uploaded recordings missing from the media root %s: %s. Calls reaching them hear "
            "nothing of them (the block takes its error exit): %s",
            version.slug,
            version.version,
            media.root,
            "; ".join(recording.described() for recording in version.recordings),
            _REMEDY,
            extra={"scenario": version.slug, "version": version.version, "recordings": ids},
        )
    return found


# The checks started and not done yet: the event loop keeps only a weak reference to a task.
_running: set[asyncio.Task[list[VersionMissing]]] = set()


def check_in_background(
    source: ScenarioSource, tts: TextToSpeech, database: Database | None = None
) -> asyncio.Task[list[VersionMissing]] | None:
    """`warn_of_missing_recordings` for the media root of the node's TTS, started and not waited for (the node's
    start goes on meanwhile); None for a TTS with no media root (voice's TtsService has one)."""
    media = getattr(tts, "media", None)
    if not isinstance(media, MediaRoot):
        return None
    task = asyncio.create_task(_checked(source, media, database), name="missing-recordings")
    _running.add(task)
    task.add_done_callback(_running.discard)
    return task


async def _checked(source: ScenarioSource, media: MediaRoot, database: Database | None) -> list[VersionMissing]:
    try:
        return await warn_of_missing_recordings(source, media, database)
    except Exception as error:  # the database away, a media root that cannot be read: the node serves all the same
        log.warning(
            "the published scenarios' recordings could not be checked in the media root %s (%s: %s)",
            media.root,
            type(error).__name__,
            first_line(error),
        )
        return []
