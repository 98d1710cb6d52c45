"""Scenarios (a draft edited in place under a revision number) and their immutable published versions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Text, case, cast, func, or_, select, type_coerce, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from graph_engine.document import GOTO_SCENARIO, goto_targets, shape_problems
from graph_engine.json_values import same_json
from persistence.db import hold_sqlite_writes
from persistence.errors import AlreadyExists, InUse, InvalidDocument, NotFound, PublishedMeanwhile, StaleRevision
from persistence.folding import contains
from persistence.models import CallbackJob, Scenario, ScenarioVersion, utcnow
from schemas import SCENARIO_FORMAT

# The same pattern the Go To Scenario and Callback blocks accept, so every scenario can be a jump target.
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
_SLUG = re.compile(SLUG_PATTERN)
ACTIVE_CALLBACK_STATUSES = ("pending", "dialing")
# Every read of scenarios sees only these: a deleted scenario is kept for its versions alone (models.Scenario).
LIVE = Scenario.deleted_at.is_(None)


def blank_document(name: str) -> dict[str, Any]:
    """A new scenario: one Start block, nothing wired yet."""
    return {
        "format": SCENARIO_FORMAT,
        "name": name,
        "nodes": [{"id": "start", "type": "start", "config": {}, "position": {"x": 0, "y": 0}}],
        "edges": [],
    }


def check_structure(document: Any) -> dict[str, Any]:
    """The document itself when it has the format's shape; otherwise `InvalidDocument` with JSON paths. What a
    person is still typing (an empty name, "es-" on the way to "es-ES") is not refused: a draft keeps it, and
    validation names it and blocks publishing (`graph_engine.document.shape_problems`)."""
    problems = shape_problems(document)
    if problems:
        raise InvalidDocument([{"path": p.path, "message": p.message} for p in problems])
    assert isinstance(document, dict)  # shape_problems reports anything else
    return document


def check_slug(slug: str) -> str:
    if not _SLUG.match(slug):
        raise InvalidDocument([{"path": "$.slug", "message": f"{slug!r} does not match {SLUG_PATTERN}"}])
    return slug


def create_scenario(
    session: Session,
    *,
    slug: str,
    name: str | None = None,
    document: Any = None,
    actor: str,
    now: datetime | None = None,
) -> Scenario:
    check_slug(slug)
    if document is None:
        document = blank_document(name or slug)
    document = check_structure(document)
    now = now or utcnow()
    scenario = Scenario(
        slug=slug,
        name=name or _listed_name(document, slug),
        description=str(document.get("description", "")),
        draft_document=document,
        draft_revision=1,
        created_at=now,
        created_by=actor,
        updated_at=now,
        updated_by=actor,
    )
    session.add(scenario)
    try:
        session.flush()
    except IntegrityError as error:
        raise AlreadyExists("scenario", slug) from error
    return scenario


def _listed_name(document: Mapping[str, Any], slug: str) -> str:
    """The name a scenario created without one is listed under: its document's, which an exported draft may hold
    empty or too long while it is being typed (the column holds 200 characters), else its slug."""
    return str(document["name"])[:200] or slug


def get_scenario(session: Session, *, slug: str, for_update: bool = False) -> Scenario:
    query = select(Scenario).where(Scenario.slug == slug, LIVE)
    if for_update:
        # PostgreSQL row lock. SQLite has none: a caller that needs the row to stay as read takes the writer lock
        # first (`hold_sqlite_writes`), as `delete_scenario` does.
        query = query.with_for_update()
    scenario = session.scalar(query)
    if scenario is None:
        raise NotFound("scenario", slug)
    return scenario


@dataclass(frozen=True, slots=True)
class ListedScenario:
    """A scenario as the list shows it: its columns, not its draft document (a page of 200 drafts read whole took
    half a second to list names; scale review), and the row id of its live version (None while unpublished)."""

    id: int
    slug: str
    name: str
    description: str
    draft_revision: int
    updated_at: datetime
    updated_by: str
    latest_version: int | None
    live_version_id: int | None


def list_scenarios(
    session: Session, *, query: str = "", page: int = 1, page_size: int = 50
) -> tuple[list[ListedScenario], int]:
    condition = None
    if query:
        condition = or_(*(contains(column, query) for column in (Scenario.slug, Scenario.name, Scenario.description)))
    columns = (Scenario.id, Scenario.slug, Scenario.name, Scenario.description, Scenario.draft_revision,
               Scenario.updated_at, Scenario.updated_by, Scenario.latest_version, ScenarioVersion.id)  # fmt: skip
    live = (ScenarioVersion.scenario_id == Scenario.id) & (ScenarioVersion.number == Scenario.latest_version)
    select_items = (
        select(*columns)
        .outerjoin(ScenarioVersion, live)
        .where(LIVE)
        .order_by(Scenario.slug)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    select_count = select(func.count()).select_from(Scenario).where(LIVE)
    if condition is not None:
        select_items, select_count = select_items.where(condition), select_count.where(condition)
    listed = [ListedScenario(*row) for row in session.execute(select_items)]
    return listed, int(session.scalar(select_count) or 0)


@dataclass(frozen=True, slots=True)
class ScenarioName:
    slug: str
    name: str
    latest_version: int | None


def scenario_names(session: Session) -> list[ScenarioName]:
    """Every scenario's slug, name and latest version, by slug, unpaged: what the designer's pickers offer and
    what names a scenario where only its slug is stored. Three columns in one query, so a few thousand cost
    little; the paged list capped them at 200, and the 201st by slug was offered nowhere (scale review)."""
    rows = session.execute(
        select(Scenario.slug, Scenario.name, Scenario.latest_version).where(LIVE).order_by(Scenario.slug)
    )
    return [ScenarioName(slug, name, latest) for slug, name, latest in rows]


# Which draft a client holds is named by its revision and, when the client sends it, by when its scenario was
# created (`scenario_created_at`, handed out with every draft). Revisions restart at 1 when a slug is deleted and
# created again, so a tab still open on the deleted scenario names a revision its successor has too; the creation
# stamp tells them apart. Not the row id: SQLite gives a deleted highest id to the next row. Two scenarios of one
# slug share a stamp only if the second were created in the microsecond the first was, and it is created after
# the first was deleted. Why not revisions never reused instead: nothing left after a delete says how far the
# deleted draft's revisions went (SQLite has no sequence to draw them from), and a stamp checked in the same
# conditional UPDATE keeps the check and the write one statement. The stamp is optional, so clients that send
# the revision alone keep working, with the revision check alone as before; a client should send it (the
# designer does).


def stale(scenario: Scenario) -> StaleRevision:
    """The 409 of a save or publish that named another draft than `scenario`'s: it carries the one there is."""
    return StaleRevision(
        scenario.slug,
        current_revision=scenario.draft_revision,
        document=scenario.draft_document,
        scenario_created_at=scenario.created_at,
    )


def require_draft(
    session: Session, *, slug: str, revision: int | None, scenario_created_at: datetime | None
) -> Scenario:
    """`slug`'s scenario, read from the database (not from the session's copy), if its draft is the one a client
    named: at `revision`, of the scenario created at `scenario_created_at`, each checked when given. Otherwise
    `StaleRevision` with the draft there is now."""
    scenario = _read_again(session, slug)
    moved_on = revision is not None and scenario.draft_revision != revision
    recreated = scenario_created_at is not None and scenario.created_at != scenario_created_at
    if moved_on or recreated:
        raise stale(scenario)
    return scenario


def _read_again(session: Session, slug: str) -> Scenario:
    """`slug`'s scenario as the database has it now, not as this session read it before; `NotFound` if gone."""
    query = select(Scenario).where(Scenario.slug == slug, LIVE).execution_options(populate_existing=True)
    scenario = session.scalar(query)
    if scenario is None:
        raise NotFound("scenario", slug)
    return scenario


def save_draft(
    session: Session,
    *,
    slug: str,
    revision: int,
    document: Any,
    actor: str,
    now: datetime | None = None,
    scenario_created_at: datetime | None = None,
) -> Scenario:
    """Store a new draft if the client edited revision `revision` (of the scenario created at
    `scenario_created_at`, when given); a concurrent save, or a scenario deleted and created again since, makes
    this `StaleRevision`.

    The check and the write are one conditional UPDATE, so two clients racing cannot both win on any backend.

    A save of the very draft stored (`same_document`; a CRM's sync saving again what it saved, an autosave after
    undoing back to it) writes nothing and answers the scenario as it is, its revision unchanged: a new revision
    would turn every designer open on the scenario stale (409 `stale-revision` at their next save) for no edit.
    The draft is the document alone (the description is read from it, the listed name is renamed apart), so
    nothing else is compared. A save naming another revision is still refused, even with the same document: the
    revision says which draft the client edited, and the 409 hands it the one there is.
    """
    document = check_structure(document)
    held = require_draft(session, slug=slug, revision=revision, scenario_created_at=scenario_created_at)
    if same_document(held.draft_document, document):
        return held
    now = now or utcnow()
    edited = [Scenario.slug == slug, LIVE, Scenario.draft_revision == revision]
    if scenario_created_at is not None:
        edited.append(Scenario.created_at == scenario_created_at)
    result = session.execute(
        update(Scenario)
        .where(*edited)
        .values(
            draft_document=document,
            draft_revision=Scenario.draft_revision + 1,
            description=str(document.get("description", "")),
            updated_at=now,
            updated_by=actor,
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        # Read again: the session holds the draft as `require_draft` read it, before the save that came first.
        raise stale(_read_again(session, slug))
    scenario = get_scenario(session, slug=slug)
    session.refresh(scenario)
    return scenario


def same_document(stored: Any, sent: Any) -> bool:
    """Whether two drafts are one (graph_engine.json_values.same_json): a config value changed from `true` to `1`
    is an edit, and is saved."""
    return same_json(stored, sent)


def rename_scenario(session: Session, *, slug: str, name: str) -> Scenario:
    scenario = get_scenario(session, slug=slug)
    scenario.name = name
    return scenario


Where = Literal["draft", "published", "both"]


@dataclass(frozen=True, slots=True)
class ReferringScenario:
    """A live scenario with a block naming another in its `scenario` field (Go To Scenario, Callback), and where:
    in its draft, in its latest version (the one its calls run), or in both."""

    slug: str
    name: str
    where: Where


@dataclass(frozen=True, slots=True)
class Referrers:
    """Who still needs a scenario: the other scenarios naming it, by slug, and the callback jobs waiting to ring
    into it (pending, or being dialled now)."""

    scenarios: tuple[ReferringScenario, ...] = ()
    pending_callbacks: int = 0

    def __bool__(self) -> bool:
        return bool(self.scenarios) or self.pending_callbacks > 0

    def described(self) -> list[str]:
        """In English, as the 409's `referred_by` has always said it: "scenario other", "3 pending callback(s)"."""
        found = [f"scenario {scenario.slug}" for scenario in self.scenarios]
        if self.pending_callbacks:
            found.append(f"{self.pending_callbacks} pending callback(s)")
        return found


class ScenarioInUse(InUse):
    """The `InUse` of a scenario delete, with who needs the scenario as data besides the English list: a client
    names them in its own language (the designer does)."""

    def __init__(self, slug: str, referrers: Referrers) -> None:
        super().__init__("scenario", slug, referrers.described())
        self.referrers = referrers


def needed_by(session: Session, *, slug: str) -> Referrers:
    """Who still needs scenario `slug` (`Referrers`), in two queries however many scenarios there are."""
    pending = session.scalar(
        select(func.count())
        .select_from(CallbackJob)
        .where(CallbackJob.scenario == slug, CallbackJob.status.in_(ACTIVE_CALLBACK_STATUSES))
    )
    return Referrers(tuple(_scenarios_naming(session, slug)), int(pending or 0))


def referrers(session: Session, *, slug: str) -> list[str]:
    """Who still needs scenario `slug`, in English words (`Referrers.described`)."""
    return needed_by(session, slug=slug).described()


def _scenarios_naming(session: Session, slug: str) -> list[ReferringScenario]:
    """The other live scenarios whose draft or latest version has a node whose `config.scenario` is `slug`, by
    slug. Whatever the block type, as the designer and validation read the field (Go To Scenario and Callback are
    the blocks that have it): a block naming a scenario is kept, never left pointing at nothing.

    The database looks in the documents, as `published_jumping_into` does, instead of every scenario's draft and
    latest version being read and parsed here, a query a scenario (among 226 published scenarios: 227 statements
    and 140-230 ms on PostgreSQL before, 2 statements and 6-9 ms now; bench/delete_referrers.py). PostgreSQL
    answers exactly (JSONB `@>`), so no document leaves it. SQLite finds `"scenario"` followed by `"slug"` in the
    JSON as stored, and only those documents are read, to be confirmed by their nodes (the slug found may be a
    phrase, a node id or an edge's key, or in another case, which its LIKE ignores)."""
    draft, version = Scenario.draft_document, ScenarioVersion.document
    latest = (ScenarioVersion.scenario_id == Scenario.id) & (ScenarioVersion.number == Scenario.latest_version)
    exact = session.get_bind().dialect.name == "postgresql"
    if exact:
        node = {"nodes": [{"config": {"scenario": slug}}]}
        in_draft, in_version = type_coerce(draft, JSONB).contains(node), type_coerce(version, JSONB).contains(node)
        answers: tuple[Any, Any] = (in_draft, in_version)
    else:
        # The field's key comes right before its value, whatever spaces the JSON was written with; a slug holds
        # no LIKE wildcard (SLUG_PATTERN).
        quoted = f'%"scenario"%"{slug}"%'
        in_draft, in_version = cast(draft, Text).like(quoted), cast(version, Text).like(quoted)
        answers = (case((in_draft, draft)), case((in_version, version)))  # only the documents to confirm
    rows = session.execute(
        select(Scenario.slug, Scenario.name, *answers)
        .outerjoin(ScenarioVersion, latest)
        .where(Scenario.slug != slug, LIVE, or_(in_draft, in_version))
        .order_by(Scenario.slug)
    )
    found: list[ReferringScenario] = []
    for other, name, draft_answer, version_answer in rows:
        if exact:
            in_its_draft, in_its_version = bool(draft_answer), bool(version_answer)
        else:
            in_its_draft, in_its_version = _names(draft_answer, slug), _names(version_answer, slug)
        where = _where(in_draft=in_its_draft, in_version=in_its_version)
        if where is not None:
            found.append(ReferringScenario(other, name, where))
    return found


def _where(*, in_draft: bool, in_version: bool) -> Where | None:
    if in_draft and in_version:
        return "both"
    if in_draft:
        return "draft"
    return "published" if in_version else None


def _names(document: Any, slug: str) -> bool:
    """Whether a node of `document` (any JSON, None for none) has `slug` as its `config.scenario`."""
    nodes = document.get("nodes") if isinstance(document, Mapping) else None
    for node in nodes if isinstance(nodes, list) else []:
        config = node.get("config") if isinstance(node, Mapping) else None
        if isinstance(config, Mapping) and config.get("scenario") == slug:
            return True
    return False


def delete_scenario(session: Session, *, slug: str, now: datetime | None = None) -> None:
    """Refused (`InUse`) while anyone still needs the scenario (`referrers`). The scenario is held before they are
    looked for: jobs stored for it meanwhile (`hold_published`) are committed first and found, or wait for the
    delete and find it gone. On SQLite, holding the row means taking the one writer lock (no FOR UPDATE there).

    A scenario that was published is kept, marked deleted and under a slug no scenario can have (models.Scenario):
    its calls still open the versions they ran. One never published goes: no call ran it."""
    hold_sqlite_writes(session, Scenario)
    scenario = get_scenario(session, slug=slug, for_update=True)
    found = needed_by(session, slug=slug)
    if found:
        raise ScenarioInUse(slug, found)
    if scenario.latest_version is None:
        session.delete(scenario)
    else:
        scenario.deleted_at = now or utcnow()
        scenario.slug = deleted_slug(scenario.id, slug)
    session.flush()


def deleted_slug(scenario_id: int, slug: str) -> str:
    """The slug a deleted scenario is kept under: unique (its row id), never a slug (SLUG_PATTERN starts with a
    letter or digit), and saying which it was."""
    return f"~{scenario_id}-{slug}"[:64]


def duplicate_scenario(session: Session, *, slug: str, new_slug: str, name: str, actor: str) -> Scenario:
    source = get_scenario(session, slug=slug)
    document = dict(source.draft_document)
    document["name"] = name
    return create_scenario(session, slug=new_slug, name=name, document=document, actor=actor)


# -- versions ----------------------------------------------------------------------------------


def latest_version(session: Session, *, scenario_id: int) -> ScenarioVersion | None:
    return session.scalar(
        select(ScenarioVersion)
        .where(ScenarioVersion.scenario_id == scenario_id)
        .order_by(ScenarioVersion.number.desc())
        .limit(1)
    )


def list_versions(session: Session, *, slug: str) -> list[ScenarioVersion]:
    """`slug`'s versions, newest first, without their documents: a list names each version (number, message,
    author, the summary stored when it was published), and reading every document made it read and parse one a
    version, 1.6 s at 120 versions of an 800-block scenario (review of 2026-12). A version's `document` is still
    there when asked for, read then, one version at a time; and so is the scenario's draft, not read either."""
    scenario_id = session.scalar(select(Scenario.id).where(Scenario.slug == slug, LIVE))
    if scenario_id is None:
        raise NotFound("scenario", slug)
    query = select(ScenarioVersion).options(defer(ScenarioVersion.document))
    query = query.where(ScenarioVersion.scenario_id == scenario_id).order_by(ScenarioVersion.number.desc())
    return list(session.scalars(query))


def get_version(session: Session, *, slug: str, number: int) -> ScenarioVersion:
    scenario = get_scenario(session, slug=slug)
    version = session.scalar(
        select(ScenarioVersion).where(ScenarioVersion.scenario_id == scenario.id, ScenarioVersion.number == number)
    )
    if version is None:
        raise NotFound("version", f"{slug}@{number}")
    return version


def store_version(
    session: Session,
    *,
    scenario: Scenario,
    document: Mapping[str, Any],
    message: str,
    summary: Mapping[str, Any],
    actor: str,
    now: datetime | None = None,
    rolled_back_to: int | None = None,
) -> ScenarioVersion:
    """Append the next version. The caller holds the scenario's row lock (`get_scenario(for_update=True)`) where
    the database has one; on SQLite two publishes can both read the same latest version, and the one that
    writes second is refused (`PublishedMeanwhile`) by the version number's uniqueness, not with a 500.
    `rolled_back_to`: a rollback's, the number of the version whose document it publishes again."""
    number, slug = (scenario.latest_version or 0) + 1, scenario.slug  # read now: a failed flush expires both
    version = ScenarioVersion(
        scenario_id=scenario.id,
        number=number,
        document=dict(document),
        message=message,
        rolled_back_to=rolled_back_to,
        validation_summary=dict(summary),
        created_at=now or utcnow(),
        created_by=actor,
    )
    session.add(version)
    scenario.latest_version = number
    try:
        session.flush()
    except IntegrityError as error:
        raise PublishedMeanwhile(slug, number) from error
    # A deleted scenario is kept for its calls: no version goes into it. On SQLite a delete may have committed
    # since the caller read the scenario (no row lock there); the write above took the writer lock, so what is
    # read now holds until the commit. Otherwise a rollback that raced a delete stored a version in the deleted
    # scenario, and the API announced it to the FastAGI server as published.
    if session.scalar(select(Scenario.deleted_at).where(Scenario.id == scenario.id)) is not None:
        raise NotFound("scenario", slug)
    return version


@dataclass(frozen=True, slots=True)
class Published:
    slug: str
    number: int
    document: dict[str, Any]
    stamp: int  # the version row id: grows with every publish of any scenario


def published(session: Session, *, slug: str) -> Published | None:
    row = session.execute(
        select(ScenarioVersion)
        .join(Scenario, Scenario.id == ScenarioVersion.scenario_id)
        .where(Scenario.slug == slug, LIVE)
        .order_by(ScenarioVersion.number.desc())
        .limit(1)
    ).scalar()
    return None if row is None else Published(slug, row.number, row.document, row.id)


# Each live scenario's slug and its latest version: the version `published` reads, joined on the number the
# scenario holds as its latest.
_LATEST_PUBLISHED = (
    select(Scenario.slug, ScenarioVersion)
    .join(
        ScenarioVersion,
        (ScenarioVersion.scenario_id == Scenario.id) & (ScenarioVersion.number == Scenario.latest_version),
    )
    .where(LIVE)
)


def latest_published(session: Session, slugs: Iterable[str]) -> dict[str, Published]:
    """The published version (`published`) of each of `slugs` that has one, by slug, in one query: a test call
    reads the scenarios its Go To Scenario blocks may continue in this way (persistence.goto_reach), not every
    published scenario one query each."""
    wanted = set(slugs)
    if not wanted:
        return {}
    rows = session.execute(_LATEST_PUBLISHED.where(Scenario.slug.in_(wanted)))
    return {slug: Published(slug, version.number, version.document, version.id) for slug, version in rows}


def published_jumping_into(session: Session, slugs: Iterable[str]) -> dict[str, Published]:
    """The published versions (`published`) with a Go To Scenario block naming one of `slugs`, by slug, in one
    query: the database finds them in the documents, so no other scenario's document is read, nor parsed in
    Python, to learn who jumps into a scenario (persistence.goto_reach). PostgreSQL looks for such a node in the
    JSONB (`@>`, exact); SQLite for `"slug"` in the JSON as stored, and what else that finds (a phrase or a node
    id spelt as the slug; another case, which its LIKE ignores) is left out here, by the nodes themselves."""
    wanted = sorted(set(slugs))
    if not wanted:
        return {}
    if session.get_bind().dialect.name == "postgresql":
        document = type_coerce(ScenarioVersion.document, JSONB)
        jumps = [
            document.contains({"nodes": [{"type": GOTO_SCENARIO, "config": {"scenario": slug}}]}) for slug in wanted
        ]
    else:
        # A slug holds no LIKE wildcard (SLUG_PATTERN).
        jumps = [cast(ScenarioVersion.document, Text).like(f'%"{slug}"%') for slug in wanted]
    rows = session.execute(_LATEST_PUBLISHED.where(or_(*jumps)))
    return {
        slug: Published(slug, version.number, version.document, version.id)
        for slug, version in rows
        if not set(wanted).isdisjoint(goto_targets(version.document))
    }


def hold_published(session: Session, *, slug: str) -> Published | None:
    """`slug`'s published version (None when there is none, or the scenario is gone), the scenario held until the
    transaction ends: for storing callback jobs that the dialer will ring into it. A delete that came first is
    seen here; one that comes later waits for this transaction and finds its jobs (`delete_scenario`). Without
    it a call list stored while the scenario was deleted left its clients pending for a scenario that no longer
    existed (review, 2026-12-06). PostgreSQL: the row FOR SHARE, so lists for one scenario do not wait for each
    other; SQLite: the one writer lock. Read after whatever slow work (planning a list) is done: it is held to
    the commit."""
    hold_sqlite_writes(session, Scenario)
    query = select(Scenario.id).where(Scenario.slug == slug, LIVE)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(read=True)
    if session.scalar(query) is None:
        return None
    return published(session, slug=slug)


def published_slugs(session: Session) -> set[str]:
    return set(session.scalars(select(Scenario.slug).where(Scenario.latest_version.is_not(None), LIVE)))


def unpublished_slugs(session: Session) -> set[str]:
    """Scenarios that exist (not deleted) with no published version yet: drafts a call cannot reach."""
    return set(session.scalars(select(Scenario.slug).where(Scenario.latest_version.is_(None), LIVE)))


def published_among(session: Session, slugs: set[str]) -> set[str]:
    """The slugs of `slugs` that have a published version (`published`), in one query: the dialer's claim asks
    for a whole batch of jobs' scenarios at once."""
    if not slugs:
        return set()
    query = select(Scenario.slug).where(Scenario.slug.in_(slugs), Scenario.latest_version.is_not(None), LIVE)
    return set(session.scalars(query))


def published_versions(session: Session) -> dict[str, tuple[int, int]]:
    """Every published scenario's slug -> (its latest version's row id, that version's number): what FastAGI nodes
    compare at each poll. Version row ids are never reused (AUTOINCREMENT on SQLite, a sequence elsewhere), so a
    scenario deleted and created again under the same slug reads as changed even at the same number; the
    scenario's own row id can be reused on SQLite."""
    rows = session.execute(
        select(Scenario.slug, ScenarioVersion.id, ScenarioVersion.number)
        .join(
            ScenarioVersion,
            (ScenarioVersion.scenario_id == Scenario.id) & (ScenarioVersion.number == Scenario.latest_version),
        )
        .where(LIVE)
    )
    return {slug: (version_id, number) for slug, version_id, number in rows}
