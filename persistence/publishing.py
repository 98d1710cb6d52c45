"""Publishing: validate, run the scenario's own tests, store an immutable version, tell everyone.

The order matters: nothing is stored unless validation has no error and every test passes, and listeners
(the FastAGI nodes in this process) hear about a version only after its transaction committed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from graph_engine.diff import ScenarioDiff, diff_documents
from graph_engine.issues import Issue, Severity
from graph_engine.registry import BlockRegistry
from graph_engine.scenario_tests import run_scenario_tests, tests_in_document
from graph_engine.upgrade import upgrade_document
from graph_engine.validation import validate
from persistence import audio, audit, callbacks, scenarios
from persistence.datasources import source_problems
from persistence.errors import NothingToPublish, PublishBlocked
from persistence.models import ScenarioVersion

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PublishOutcome:
    slug: str
    version: ScenarioVersion
    diff: ScenarioDiff
    tests: list[dict[str, Any]]
    problems: list[dict[str, Any]]  # warnings only: errors would have blocked


def document_problems(
    session: Session, document: Any, registry: BlockRegistry, *, slug: str, data_sources: bool = True
) -> list[Issue]:
    """Every problem of `slug`'s document, errors first: validation against the published scenarios (the
    scenario may name itself, e.g. a Callback into the same flow, before its first version exists) and, with
    `data_sources`, its SQL blocks against the configured sources (for those who may know of them)."""
    known = {*scenarios.published_slugs(session), slug}
    drafted = scenarios.unpublished_slugs(session)  # named "not published yet", not "does not exist"
    issues = validate(document, registry, known_scenarios=known, unpublished_scenarios=drafted)
    if data_sources:
        issues += source_problems(session, document)
    return sorted(issues, key=lambda issue: issue.severity is not Severity.ERROR)


async def check_document(
    session: Session, *, document: Mapping[str, Any], registry: BlockRegistry, slug: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Validation problems and test outcomes of `slug`'s document about to be published."""
    problems = [issue.as_dict() for issue in document_problems(session, document, registry, slug=slug)]
    tests: list[dict[str, Any]] = []
    if not any(problem["severity"] == Severity.ERROR for problem in problems):
        # Go To Scenario inside a test reaches the other scenarios as they are published now.
        published = scenarios.published_slugs(session)
        others = {name: p.document for name in published if (p := scenarios.published(session, slug=name)) is not None}
        outcomes = await run_scenario_tests(
            document,
            tests_in_document(document),
            registry,
            scenarios=others,
            callback_targets=frozenset({*published, slug}),  # a Callback into itself runs once this is published
            refused_number=callbacks.refused_number,  # a test caller of 112 is rejected, as a live one is
        )
        tests = [outcome.as_dict() for outcome in outcomes]
    return problems, tests


async def publish(
    session: Session,
    *,
    slug: str,
    message: str,
    actor: str,
    registry: BlockRegistry,
    document: Mapping[str, Any] | None = None,
    action: str = "publish",
    refuse_unchanged: bool = False,
    recordings: Sequence[PlayedAsset] = (),
    revision: int | None = None,
    scenario_created_at: datetime | None = None,
) -> PublishOutcome:
    """Publish the draft (or `document`, for a rollback) as the next version of `slug`; `PublishBlocked` if not fit.
    `refuse_unchanged`: `NothingToPublish` when it is the latest version's document already (the API's choice:
    a version more would change nothing for a call and only make the history harder to read).

    `recordings`: the uploaded assets the document plays. Their catalog rows must still be there when the version
    is stored, and they are held until the commit, so a delete cannot take one meanwhile (`audio.held_assets`).

    `revision`, `scenario_created_at`: the draft the publisher reviewed (each checked when given). A version is
    stored only while the stored draft is still that one; once a save or a new scenario under the slug has
    moved it on, this is `StaleRevision`, the 409 a save gets, instead of a version under the publisher's name
    holding what someone else saved.

    The caller commits the session, then calls `PublishHub.announce` so in-process listeners hear about it.
    """
    scenario = scenarios.get_scenario(session, slug=slug, for_update=True)
    # A version holds its nodes at the versions of the blocks that run them, each migrated once, now, by the
    # block's `migrate` (graph_engine.upgrade). Not the draft as written: a version is what calls run and what a
    # call's record opens, so it shows the config the block ran with; the migration that publishing validated and
    # tested is the one stored, not redone by every call with whatever plugin release is installed then; and the
    # designer, which hands drafts out upgraded, has nothing but upgraded nodes to publish anyway. A node that
    # cannot be upgraded is kept as written, and validation below blocks the publish naming it.
    candidate = dict(upgrade_document(document if document is not None else scenario.draft_document, registry))
    previous = scenarios.latest_version(session, scenario_id=scenario.id)
    if refuse_unchanged:
        _refuse_unchanged(slug, previous, candidate)
    problems, tests = await check_document(session, document=candidate, registry=registry, slug=slug)
    errors = [problem for problem in problems if problem["severity"] == Severity.ERROR]
    if errors or any(not test["passed"] for test in tests):
        raise PublishBlocked(problems=problems, tests=tests)
    diff = diff_documents(previous.document if previous else None, candidate, registry=registry)
    summary = {
        "warnings": len(problems),
        "tests_passed": len(tests),
        "codes": sorted({str(problem["code"]) for problem in problems}),
    }
    version = scenarios.store_version(
        session, scenario=scenario, document=candidate, message=message, summary=summary, actor=actor
    )
    # After the version's own write: on SQLite that write took the one writer lock, so a delete waits for us.
    _require_assets(session, recordings)
    if revision is not None or scenario_created_at is not None:
        # Here too, for the same reason: a save that landed while the checks ran is seen now, and none lands
        # until the commit (PostgreSQL's row lock, taken above, held saves back all along).
        scenarios.require_draft(session, slug=slug, revision=revision, scenario_created_at=scenario_created_at)
    audit.record_event(
        session,
        actor=actor,
        action=action,
        target=f"scenario:{slug}",
        details={"version": version.number, "message": message, "changes": diff.summary()[:50]},
    )
    # Other nodes learn of it by polling (persistence.scenario_source.VersionPoller, every --poll-interval).
    return PublishOutcome(slug, version, diff, tests, problems)


@dataclass(frozen=True, slots=True)
class PlayedAsset:
    """An uploaded recording a scenario plays, and where: for the problem that names it when it is gone."""

    media_name: str
    node: str
    path: str


def _require_assets(session: Session, recordings: Sequence[PlayedAsset]) -> None:
    there = audio.held_assets(session, media_names={recording.media_name for recording in recordings})
    gone = [recording for recording in recordings if recording.media_name not in there]
    if gone:
        problems = [
            {
                "severity": "error",
                "code": "audio_missing",
                "message": f"the recording {recording.media_name!r} was deleted while the scenario was being published",
                "node": recording.node,
                "path": recording.path,
            }
            for recording in gone
        ]
        raise PublishBlocked(problems=problems, tests=[])


def require_change(session: Session, *, slug: str, document: Mapping[str, Any]) -> None:
    """`NothingToPublish` when `document` is `slug`'s latest version already: what `publish(refuse_unchanged=True)`
    checks in its transaction, for a host to ask first, before work a refused publish would waste (speaking every
    phrase)."""
    scenario = scenarios.get_scenario(session, slug=slug)
    _refuse_unchanged(slug, scenarios.latest_version(session, scenario_id=scenario.id), document)


def _refuse_unchanged(slug: str, previous: ScenarioVersion | None, candidate: Mapping[str, Any]) -> None:
    if previous is not None and previous.document == candidate:
        raise NothingToPublish(slug, previous.number)


Listener = Callable[[scenarios.Published], None]


class PublishHub:
    """In-process publish notifications: the FastAGI server in this process subscribes and swaps versions at once."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._withdrawal_listeners: list[Callable[[str], None]] = []
        self._lock = threading.Lock()

    def subscribe_withdrawals(self, listener: Callable[[str], None]) -> None:
        """Call `listener(slug)` after a scenario is deleted, so no new call gets it."""
        with self._lock:
            self._withdrawal_listeners.append(listener)

    def withdraw(self, slug: str) -> None:
        with self._lock:
            listeners = list(self._withdrawal_listeners)
        for listener in listeners:
            try:
                listener(slug)
            except Exception:
                log.exception("withdrawal listener %r failed for %s", listener, slug)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(published)` after every publish; returns a function that unsubscribes."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def announce(self, published: scenarios.Published) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(published)
            except Exception:  # one broken listener must not hide the publish from the others
                log.exception("publish listener %r failed for %s v%s", listener, published.slug, published.number)
