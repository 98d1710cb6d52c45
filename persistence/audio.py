"""Recorded audio assets: the catalog rows. The files themselves live under the media root (package `voice`)."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

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
    for slug, draft in session.execute(select(Scenario.slug, Scenario.draft_document)):
        if needle in json.dumps(draft):
            found.add(slug)
    query = select(Scenario.slug, ScenarioVersion.document).join(Scenario, Scenario.id == ScenarioVersion.scenario_id)
    for slug, document in session.execute(query):
        if needle in json.dumps(document):
            found.add(slug)
    return sorted(found)


def delete_asset(session: Session, *, asset_id: str) -> AudioAsset:
    """Remove the row; refused while a scenario still plays it (a published version would go silent)."""
    asset = get_asset(session, asset_id=asset_id)
    used = users_of(session, media_name=asset.media_name)
    if used:
        raise InUse("audio asset", asset.name, [f"scenario {slug}" for slug in used])
    session.delete(asset)
    session.flush()
    return asset
