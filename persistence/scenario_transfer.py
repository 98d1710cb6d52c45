"""Moving a scenario between installations (staging to production): what an export says of where it came from,
and an import that lands under the same slug, as a new scenario or as the next draft of the one there.

The slug is what the dialplan dials (`AGI(agi://host/billing)`) and never changes, so a scenario moved under
another slug would never be reached. An export therefore names its scenario inside the document, in
`meta.exported_from` (`{"slug", "name"}`; `meta` is the format's free-form place for tools): the file stays a
scenario document that every reader of one takes as it is (an older import, `ivrgraph test`), and an import reads
the slug back from it. The note is taken off the document an import stores: it says where a file came from, not
what the scenario is, and a draft carrying it would differ from the version it was exported from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from persistence import audit, scenarios
from persistence.db import hold_sqlite_writes
from persistence.errors import AlreadyExists, InvalidDocument, SlugTaken
from persistence.models import Scenario
from persistence.replaced_drafts import replaced_draft_details

NOTE_KEY: Final = "exported_from"
_NAME: Final = re.compile(r"^[^\x00]{1,200}$")  # a scenario's name as the API takes one (api.schemas.Name)


@dataclass(frozen=True, slots=True)
class ExportNote:
    """Where an exported document came from: its scenario's slug and its name in the list, as far as it says."""

    slug: str | None = None
    name: str | None = None


def with_export_note(document: Mapping[str, Any], *, slug: str, name: str) -> dict[str, Any]:
    """`document` as an export hands it out: a copy naming its scenario in `meta.exported_from`."""
    meta = document.get("meta")
    kept = dict(meta) if isinstance(meta, Mapping) else {}
    return {**document, "meta": {**kept, NOTE_KEY: {"slug": slug, "name": name}}}


def read_export_note(document: Any) -> tuple[Any, ExportNote]:
    """The document to store (the note taken off) and what the note says. A document without one (an export from
    before notes, a file written by hand) comes back as it is, with an empty note."""
    meta = document.get("meta") if isinstance(document, dict) else None
    note = meta.get(NOTE_KEY) if isinstance(meta, dict) else None
    if not isinstance(note, dict):
        return document, ExportNote()
    rest = {key: value for key, value in meta.items() if key != NOTE_KEY}  # type: ignore[union-attr]
    # A `meta` that held the note alone goes too, so the document is the one that was exported, key for key.
    stored = {key: value for key, value in document.items() if key != "meta"} | ({"meta": rest} if rest else {})
    slug, name = note.get("slug"), note.get("name")
    if slug is not None and not (isinstance(slug, str) and re.fullmatch(scenarios.SLUG_PATTERN, slug)):
        message = f"{slug!r} is not a slug ({scenarios.SLUG_PATTERN}): correct it, or send the slug to import under"
        raise InvalidDocument([{"path": f"$.document.meta.{NOTE_KEY}.slug", "message": message}])
    # A name the list could not hold is not carried over: the document's own names the scenario then.
    listed = name if isinstance(name, str) and _NAME.fullmatch(name) and name.strip() else None
    return stored, ExportNote(slug=slug, name=listed)


@dataclass(frozen=True, slots=True)
class Imported:
    scenario: Scenario
    replaced_draft: bool  # the slug was taken, and the document became that scenario's draft


def import_scenario(
    session: Session,
    *,
    slug: str,
    name: str | None,
    document: Any,
    actor: str,
    replace_draft: bool,
    recordings: Sequence[str] = (),
) -> Imported:
    """`document` as a new scenario under `slug`; or, when `slug` is taken and `replace_draft` is set, as the draft
    of the scenario there (its published versions untouched: the next publish makes it live; its name in the list
    kept, a rename being its own action). A taken slug otherwise is `SlugTaken`, naming both ways on.

    Audited as `import` either way, with the draft revision it made and the `recordings` restored with it. A draft
    replaced is kept in that event as a rollback's `reset_draft` keeps one (persistence.replaced_drafts): by the
    number of the latest version when that holds it, else itself (review: an editor's unpublished hour of work was
    gone with no trace, where a rollback over it would have kept it)."""
    if replace_draft:
        # The draft there now is the one replaced, whatever its revision: held so no save lands in between.
        hold_sqlite_writes(session, Scenario)
        held = session.scalar(select(Scenario).where(Scenario.slug == slug, scenarios.LIVE).with_for_update())
        if held is not None:
            replaced = _replaced_draft(session, held, document)
            revision = held.draft_revision
            saved = scenarios.save_draft(session, slug=slug, revision=revision, document=document, actor=actor)
            _audit(session, saved, actor=actor, replaced_draft=True, recordings=recordings, replaced=replaced)
            return Imported(saved, replaced_draft=True)
    try:
        created = scenarios.create_scenario(session, slug=slug, name=name, document=document, actor=actor)
    except AlreadyExists:
        raise SlugTaken(slug, name=listed_name(name, document, slug)) from None
    _audit(session, created, actor=actor, replaced_draft=False, recordings=recordings)
    return Imported(created, replaced_draft=False)


def require_importable(session: Session, *, slug: str, name: str | None, document: Any, replace_draft: bool) -> None:
    """`SlugTaken` now, when `import_scenario` would refuse the slug: before the slow part of an import (its
    recordings converted) is done for nothing. `import_scenario` checks again as it writes."""
    if replace_draft:
        return
    if session.scalar(select(Scenario.id).where(Scenario.slug == slug, scenarios.LIVE)) is not None:
        raise SlugTaken(slug, name=listed_name(name, document, slug))


def listed_name(name: str | None, document: Any, slug: str) -> str:
    """The name an import lists its scenario under: the one given, else its document's, else its slug."""
    if name:
        return name
    own = document.get("name") if isinstance(document, dict) else None
    return own[:200] if isinstance(own, str) and own else slug


def _replaced_draft(session: Session, held: Scenario, document: Any) -> dict[str, Any]:
    """The audit details keeping `held`'s draft, which `document` replaces; none when it is that draft already (the
    import saves nothing then)."""
    if scenarios.same_document(held.draft_document, document):
        return {}
    latest = scenarios.latest_version(session, scenario_id=held.id)
    in_latest = latest is not None and scenarios.same_document(latest.document, held.draft_document)
    details, _ = replaced_draft_details(held.draft_document, held_by_version=latest.number if in_latest else None)
    return {"replaced_revision": held.draft_revision, **details}


def _audit(
    session: Session,
    scenario: Scenario,
    *,
    actor: str,
    replaced_draft: bool,
    recordings: Sequence[str],
    replaced: Mapping[str, Any] | None = None,
) -> None:
    details = {"draft_revision": scenario.draft_revision, "replaced_draft": replaced_draft,
               "recordings": sorted(recordings), **(replaced or {})}  # fmt: skip
    audit.record_event(session, actor=actor, action="import", target=f"scenario:{scenario.slug}", details=details)
