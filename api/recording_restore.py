"""Recordings moved with a scenario (api.scenario_bundle) put back under the ids its prompts name.

A prompt plays `assets/<id>`; uploading the same file again would give it a new random id and every Message
block would have to be pointed at it by hand. So a bundled recording is stored under its own id:

- an id this installation does not have: converted as an upload is (same checks, same formats) and catalogued;
- an id it has, holding the same audio (the scenario moved there before, or back from there): kept as it is;
- an id it has, holding other audio: the import is refused (409) naming the recording. Ids are 128 random bits
  and a recording is never changed once uploaded, so this is a catalog that has diverged (or a file edited by
  hand), which is for a person to look at rather than for the import to paper over.

"The same audio" is the same 16 kHz samples (the `.sln16` file, raw PCM): the WAV's header carries the ffmpeg
version that wrote it, so two installations keep byte-different WAVs of one recording.

Each recording is converted into a staging folder inside the media root first (`stage`); what each one comes to
is decided in the transaction that imports the scenario (`plan_restore`), and the catalog rows and files are
written last (`RestorePlan.apply`), once the scenario is in. A commit failing after the move leaves files no
catalog row names, which nothing plays and a later import overwrites.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.scenario_bundle import BundledRecording
from persistence import audio
from persistence.db import hold_sqlite_writes
from persistence.errors import Conflict
from persistence.models import AudioAsset
from voice.assets import ASSET_FOLDER, AssetLimits, StoredAsset, asset_media_name, asset_path, store_asset
from voice.errors import AssetError
from voice.formats import DEFAULT_FORMATS, AudioFormat
from voice.media import MediaRoot
from voice.prerender import recording_missing

Outcome = Literal["restored", "already_there"]


class RecordingHoldsOtherAudio(Conflict):
    def __init__(self, recordings: Sequence[BundledRecording]) -> None:
        named = ", ".join(f"{r.name!r} ({r.asset_id})" for r in recordings)
        super().__init__(
            f"this installation has other audio under the id of the recording(s) {named}: nothing was imported; "
            "compare the two recordings (GET /api/audio/<id>/file) before deciding which one the scenario plays"
        )


@dataclass(frozen=True, slots=True)
class StagedRecording:
    recording: BundledRecording
    stored: StoredAsset  # converted into the staging folder, under the recording's own id


@dataclass(frozen=True, slots=True)
class RestoredRecording:
    asset_id: str
    name: str
    outcome: Outcome


@contextmanager
def staging_area(media: MediaRoot) -> Iterator[MediaRoot]:
    """A media root of its own inside `media`'s asset folder (so a move into place is a rename), removed after."""
    folder = Path(tempfile.mkdtemp(prefix=".import-", dir=media.folder(ASSET_FOLDER)))
    try:
        yield MediaRoot(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def stage(recordings: Sequence[BundledRecording], staging: MediaRoot, limits: AssetLimits) -> list[StagedRecording]:
    """Each recording checked and converted as an upload is; an `AssetError` names the recording it is about."""
    staged = []
    for recording in recordings:
        try:
            stored = store_asset(recording.wav, staging, limits, asset_id=recording.asset_id)
        except AssetError as error:
            raise type(error)(f"recording {recording.name!r} ({recording.asset_id}): {error}") from None
        staged.append(StagedRecording(recording, stored))
    return staged


@dataclass(frozen=True, slots=True)
class RestorePlan:
    """What `plan_restore` found: the recordings to write (catalog rows, files) and what each one comes to."""

    outcomes: list[RestoredRecording]
    moves: list[StagedRecording]  # files to move into place
    rows: list[StagedRecording]  # of those, the ones the catalog lacks
    staging: MediaRoot
    media: MediaRoot

    @property
    def restored(self) -> list[str]:
        return [outcome.asset_id for outcome in self.outcomes if outcome.outcome == "restored"]

    def apply(self, session: Session) -> None:
        """Write the catalog rows, then move the files into place: last, so that anything refused before (the
        scenario's slug, a row another import wrote meanwhile) leaves the media folder as it was."""
        for item in self.rows:
            _catalogue(session, item)
        session.flush()
        for item in self.moves:
            for fmt in DEFAULT_FORMATS:
                asset_id = item.recording.asset_id
                os.replace(asset_path(self.staging, asset_id, fmt), asset_path(self.media, asset_id, fmt))


def plan_restore(
    session: Session, staged: Sequence[StagedRecording], *, staging: MediaRoot, media: MediaRoot
) -> RestorePlan:
    """What restoring `staged` into `media` takes; `RecordingHoldsOtherAudio` when an id holds other audio.
    Nothing is written until `RestorePlan.apply`, in the same transaction."""
    plan = RestorePlan(outcomes=[], moves=[], rows=[], staging=staging, media=media)
    if not staged:
        return plan
    # The rows read stay as read until the commit: a delete of one cannot land in between (audio.delete_asset).
    hold_sqlite_writes(session, AudioAsset)
    ids = sorted({item.recording.asset_id for item in staged})
    query = select(AudioAsset).where(AudioAsset.id.in_(ids)).with_for_update(read=True)
    catalog = {asset.id: asset for asset in session.scalars(query)}
    different: list[BundledRecording] = []
    for item in staged:
        recording = item.recording
        there = catalog.get(recording.asset_id)
        if there is None or recording_missing(media, there.media_name):
            # Not here, or catalogued with its files gone (the recording then plays nowhere): put the files back.
            plan.moves.append(item)
            if there is None:
                plan.rows.append(item)
            plan.outcomes.append(RestoredRecording(recording.asset_id, recording.name, "restored"))
        elif _same_audio(staging, media, recording.asset_id):
            plan.outcomes.append(RestoredRecording(recording.asset_id, there.name, "already_there"))
        else:
            different.append(recording)
    if different:
        raise RecordingHoldsOtherAudio(different)
    return plan


def _catalogue(session: Session, item: StagedRecording) -> None:
    recording = item.recording
    audio.create_asset(
        session,
        asset_id=recording.asset_id,
        name=recording.name,
        language=recording.language,
        media_name=asset_media_name(recording.asset_id),
        duration_ms=round(item.stored.seconds * 1000),  # measured here, not taken from the file's word
        format=recording.format,
    )


def _same_audio(staging: MediaRoot, media: MediaRoot, asset_id: str) -> bool:
    ours, theirs = (asset_path(root, asset_id, AudioFormat.SLN16) for root in (staging, media))
    return theirs.is_file() and filecmp.cmp(ours, theirs, shallow=False)
