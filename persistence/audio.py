"""Recorded audio assets: the catalog rows. The files themselves live under the media root (package `voice`)."""

from __future__ import annotations

import json
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from persistence.db import hold_sqlite_writes
from persistence.errors import AlreadyExists, InUse, NotFound
from persistence.models import AudioAsset, Scenario, ScenarioVersion


def create_asset(
    session: Session,
    *,
    asset_id: str,
    name: str,
    language: str,
    media_name: str,
    duration_ms: int | None,
    format: str,
) -> AudioAsset:
    asset = AudioAsset(
        id=asset_id, name=name, language=language, media_name=media_name, duration_ms=duration_ms, format=format
    )
    session.add(asset)
    try:
        session.flush()
    except IntegrityError as error:
        raise AlreadyExists("audio asset", media_name) from error
    return asset


def list_assets(session: Session, *, language: str | None = None) -> list[AudioAsset]:
    query = select(AudioAsset).order_by(AudioAsset.name, AudioAsset.id)
    if language:
        query = query.where(AudioAsset.language == language)
    return list(session.scalars(query))


def get_asset(session: Session, *, asset_id: str) -> AudioAsset:
    asset = session.get(AudioAsset, asset_id)
    if asset is None:
        raise NotFound("audio asset", asset_id)
    return asset


def users_of(session: Session, *, media_name: str) -> list[str]:
    """Scenarios whose draft or a published version plays this asset."""
    needle = json.dumps(media_name)  # as it appears inside a stored document: a quoted JSON string
    found: set[str] = set()
    live = Scenario.deleted_at.is_(None)  # a deleted scenario's versions are kept for its calls, never played again
    for slug, draft in session.execute(select(Scenario.slug, Scenario.draft_document).where(live)):
        if needle in json.dumps(draft):
            found.add(slug)
    query = (
        select(Scenario.slug, ScenarioVersion.document)
        .join(Scenario, Scenario.id == ScenarioVersion.scenario_id)
        .where(live)
    )
    for slug, document in session.execute(query):
        if needle in json.dumps(document):
            found.add(slug)
    return sorted(found)


def catalogued(session: Session, *, media_names: Collection[str]) -> set[str]:
    """Which of `media_names` are assets in the catalog, read without a lock (validation only reports)."""
    if not media_names:
        return set()
    return set(session.scalars(select(AudioAsset.media_name).where(AudioAsset.media_name.in_(sorted(media_names)))))


def held_assets(session: Session, *, media_names: Collection[str]) -> set[str]:
    """Which of `media_names` are assets in the catalog, their rows held until the transaction ends so that no
    delete takes them meanwhile (a publish checks what its version plays this way: see `delete_asset`)."""
    if not media_names:
        return set()
    query = select(AudioAsset.media_name).where(AudioAsset.media_name.in_(sorted(media_names)))
    return set(session.scalars(query.with_for_update(read=True)))


def delete_asset(session: Session, *, asset_id: str) -> AudioAsset:
    """Remove the row; refused while a scenario still plays it (a published version would go silent).

    The row is locked before the scenarios are searched, so a publish holding it (`held_assets`) commits its
    version first and is found among the users; on SQLite the one writer lock does the same. Otherwise a publish
    checking its recordings while the delete ran stored a version playing a deleted file (review, 2026-12-05)."""
    hold_sqlite_writes(session, AudioAsset)
    asset = session.get(AudioAsset, asset_id, with_for_update=True)
    if asset is None:
        raise NotFound("audio asset", asset_id)
    used = users_of(session, media_name=asset.media_name)
    if used:
        raise InUse("audio asset", asset.name, [f"scenario {slug}" for slug in used])
    session.delete(asset)
    session.flush()
    return asset
