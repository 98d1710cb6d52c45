"""Publishing: validate, run the scenario's tests and those of the scenarios that continue in it, store an immutable
version, tell everyone.

The order matters: nothing is stored unless validation has no error and every test passes (or a publisher said to
publish despite failing tests, which the version and the audit log record; or the test, another scenario's, fails
with the live version too: `blocks`), and listeners (the FastAGI nodes in this process) hear about a version only
after its transaction committed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from graph_engine.diff import ScenarioDiff, diff_documents
from graph_engine.issues import Issue, Severity
from graph_engine.readiness import readiness_problems
from graph_engine.registry import BlockRegistry
from graph_engine.scenario_tests import run_scenario_tests, tests_in_document
from graph_engine.upgrade import upgrade_document
from graph_engine.validation import validate
from persistence import audio, audit, callbacks, scenarios
from persistence.datasources import source_problems
from persistence.dependents import scenarios_reaching
from persistence.errors import NothingToPublish, PublishBlocked
from persistence.goto_reach import published_reached, published_reaching
from persistence.models import ScenarioVersion
from persistence.replaced_drafts import ReplacedKept, replaced_draft_details

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PublishOutcome:
    slug: str
    version: ScenarioVersion
    diff: ScenarioDiff
    tests: list[dict[str, Any]]  # each with the `scenario` it belongs to: None for this one's own (check_document)
    problems: list[dict[str, Any]]  # warnings only: errors would have blocked


class BlockedByFailingTests(PublishBlocked):
    """Blocked by failing tests alone, no validation error: the one refusal a publisher may override
    (`publish(despite_failing_tests=True)`). The message names each failing test, and each other scenario whose
    tests the publish would break, for whoever reads only the message (a script, the audit of a refusal)."""

    def __init__(self, slug: str, *, problems: Sequence[Mapping[str, Any]], tests: Sequence[Mapping[str, Any]]) -> None:
        super().__init__(problems=problems, tests=tests)
        self.args = (f"{failing_tests_text(slug, self.tests)}; a publisher may publish it despite failing tests",)


def failing_tests_text(slug: str, tests: Sequence[Mapping[str, Any]]) -> str:
    """What the failing `tests` mean for the publish of `slug`, in words: its own that fail, then the tests it breaks
    of each other scenario, each test named. Those `already_failing` are left out: the publish breaks nothing there."""
    blocking = [test for test in tests if blocks(test)]
    own = [test for test in blocking if test.get("scenario") is None]
    broken: dict[str, list[Mapping[str, Any]]] = {}
    for test in blocking:
        if test.get("scenario") is not None:
            broken.setdefault(str(test["scenario"]), []).append(test)
    others = " and ".join(f"{_tests(len(failed))} of {other}: {_names(failed)}" for other, failed in broken.items())
    if not own:
        return f"publishing {slug} breaks {others}"
    verb = "fails" if len(own) == 1 else "fail"
    text = f"publishing {slug} is blocked: {_tests(len(own))} of its own {verb}: {_names(own)}"
    return f"{text}; and it breaks {others}" if others else text


def _tests(number: int) -> str:
    return f"{number} test" if number == 1 else f"{number} tests"


def _names(tests: Sequence[Mapping[str, Any]]) -> str:
    return ", ".join(f'"{test.get("name")}"' for test in tests)


def document_problems(
    session: Session, document: Any, registry: BlockRegistry, *, slug: str, data_sources: bool = True
) -> list[Issue]:
    """Every problem of `slug`'s document, errors first: validation against the published scenarios (the
    scenario may name itself, e.g. a Callback into the same flow, before its first version exists) and, with
    `data_sources`, its SQL blocks against the configured sources (for those who may know of them)."""
    known = {*scenarios.published_slugs(session), slug}
    drafted = scenarios.unpublished_slugs(session)  # named "not published yet", not "does not exist"
    issues = validate(document, registry, known_scenarios=known, unpublished_scenarios=drafted)
    # Blocks this server cannot run (`block_not_ready`): only a host's registry has any (graph_engine.readiness).
    issues += readiness_problems(document, registry)
    if data_sources:
        issues += source_problems(session, document)
    return sorted(issues, key=lambda issue: issue.severity is not Severity.ERROR)


async def check_document(
    session: Session, *, document: Mapping[str, Any], registry: BlockRegistry, slug: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Validation problems and test outcomes of `slug`'s document about to be published.

    The tests are its own (`meta.tests`), then those of every published scenario whose calls continue in it by Go
    To Scenario, directly or through others (persistence.dependents: why a Callback does not count), as their
    latest versions hold them: publishing `slug` changes what their calls do past the jump. Each outcome says the
    `scenario` it belongs to: None for `slug`'s own, else the other's slug. Not run when validation found an error
    (the document would not be published whatever the tests say).

    A dependent's test that fails is run again with `slug` as it is live now: when it fails there too, this publish
    did not break it, and it is marked `already_failing` (see `blocks`); every dependent's outcome has the key.
    `slug`'s own tests are never so marked: they test the document being published, whatever was live before."""
    problems = [issue.as_dict() for issue in document_problems(session, document, registry, slug=slug)]
    tests: list[dict[str, Any]] = []
    if not any(problem["severity"] == Severity.ERROR for problem in problems):
        # Not every published scenario: those that jump into `slug`, and those these calls and `slug`'s can
        # continue in (its live version among them whenever one jumps into it), read along the jumps
        # (persistence.goto_reach), so a publish costs no more with every unrelated scenario published.
        reaching = published_reaching(session, slug)
        jumping = [document, *(found.document for found in reaching.values())]
        published = {
            name: found.document for name, found in {**published_reached(session, jumping), **reaching}.items()
        }
        # A Callback may name any published scenario, or `slug` itself: the scheduler takes it once published.
        callback_targets = frozenset({*scenarios.published_slugs(session), slug})
        # Go To Scenario inside a test reaches the other scenarios as they are published now, and `slug` as it is
        # about to be: once published, a jump into it (a dependent's, or its own "start over") continues in this.
        reached = {**published, slug: dict(document)}
        # No `already_failing` key on its own outcomes: the mark is only ever a dependent's.
        own = await _outcomes(document, reached, callback_targets, registry)
        tests = [{**outcome, "scenario": None} for outcome in own]
        for other in scenarios_reaching(published, slug):
            theirs = await _outcomes(published[other], reached, callback_targets, registry)
            old = await _fail_with_live(published, slug, published[other], theirs, callback_targets, registry)
            tests += [{**outcome, "scenario": other, "already_failing": at in old} for at, outcome in enumerate(theirs)]
    return problems, tests


def blocks(test: Mapping[str, Any]) -> bool:
    """Whether a test outcome blocks the publish: it failed, and not `already_failing` (a dependent's test that fails
    with the live version too: reported, but blocking it would hold every later publish hostage to a failure this
    one did not cause, as a CI tells a new failure from one already on the main branch)."""
    return not test.get("passed") and not test.get("already_failing")


async def _outcomes(
    tested: Mapping[str, Any],
    reached: Mapping[str, Mapping[str, Any]],
    callback_targets: frozenset[str],
    registry: BlockRegistry,
    *,
    only: Sequence[int] | None = None,
) -> list[dict[str, Any]]:
    """`tested`'s tests (those at the positions `only` names, when given), run with `reached` as the scenarios a
    Go To Scenario may continue in and `callback_targets` as those a Callback may name; each outcome as a dict, in
    the tests' order."""
    written = tests_in_document(tested)
    found = await run_scenario_tests(
        tested,
        written if only is None else [written[at] for at in only],
        registry,
        scenarios=reached,
        callback_targets=callback_targets,  # a Callback into the scenario itself runs once it is published
        refused_number=callbacks.refused_number,  # a test caller of 112 is rejected, as a live one is
    )
    return [outcome.as_dict() for outcome in found]


async def _fail_with_live(
    published: Mapping[str, Mapping[str, Any]],
    slug: str,
    dependent: Mapping[str, Any],
    outcomes: Sequence[Mapping[str, Any]],
    callback_targets: frozenset[str],
    registry: BlockRegistry,
) -> set[int]:
    """The positions of the `dependent`'s failing `outcomes` whose tests fail with the scenarios as `published`
    now, `slug` as live: only those that failed are run again, so a publish that breaks nothing costs nothing more.
    With no live version of `slug`, the dependent's calls cannot continue in it at all: every failure is old."""
    failing = [at for at, outcome in enumerate(outcomes) if not outcome["passed"]]
    if not failing or slug not in published:
        return set(failing)
    again = await _outcomes(dependent, published, callback_targets, registry, only=failing)
    return {at for at, outcome in zip(failing, again, strict=True) if not outcome["passed"]}


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
    despite_failing_tests: bool = False,
    rolled_back_to: int | None = None,
) -> PublishOutcome:
    """Publish the draft (or `document`, for a rollback) as the next version of `slug`; `PublishBlocked` if not fit.
    `rolled_back_to`: a rollback's, the number of the version whose document it is, stored with the new version.
    `refuse_unchanged`: `NothingToPublish` when it is the latest version's document already (the API's choice:
    a version more would change nothing for a call and only make the history harder to read).

    `recordings`: the uploaded assets the document plays. Their catalog rows must still be there when the version
    is stored, and they are held until the commit, so a delete cannot take one meanwhile (`audio.held_assets`).

    `revision`, `scenario_created_at`: the draft the publisher reviewed (each checked when given). A version is
    stored only while the stored draft is still that one; once a save or a new scenario under the slug has
    moved it on, this is `StaleRevision`, the 409 a save gets, instead of a version under the publisher's name
    holding what someone else saved.

    Failing tests (its own, or those of a scenario that continues in it: `check_document`) block it with
    `BlockedByFailingTests`, unless `despite_failing_tests`: a publisher's explicit choice (a rollback during an
    incident, while another scenario's change fails one of this one's tests), stored in the version's validation
    summary and in the audit event with each test that failed. Validation errors block it whatever is said. A
    dependent's test that fails with the live version too (`already_failing`) blocks nothing and is no override: the
    version's summary lists it under `already_failing`.

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
    if any(problem["severity"] == Severity.ERROR for problem in problems):
        raise PublishBlocked(problems=problems, tests=tests)
    failing = [test for test in tests if blocks(test)]
    if failing and not despite_failing_tests:
        raise BlockedByFailingTests(slug, problems=problems, tests=tests)
    diff = diff_documents(previous.document if previous else None, candidate, registry=registry)
    summary: dict[str, Any] = {
        "warnings": len(problems),
        "tests_passed": sum(1 for test in tests if test["passed"]),
        "codes": sorted({str(problem["code"]) for problem in problems}),
    }
    others_tested = sorted({str(test["scenario"]) for test in tests if test["scenario"] is not None})
    if others_tested:
        summary["other_scenarios_tested"] = others_tested
    # Not an override: they fail with the live version too, so the version records them apart, for whoever fixes them.
    already_failing = [test for test in tests if test.get("already_failing")]
    if already_failing:
        summary["already_failing"] = [
            {"scenario": test["scenario"], "test": test["name"]} for test in already_failing[:MAX_RECORDED_FAILURES]
        ]
    shipped_failing = [_failing_record(slug, test) for test in failing[:MAX_RECORDED_FAILURES]]
    if shipped_failing:
        summary["despite_failing_tests"] = shipped_failing
        log.warning("%s published %s despite %d failing test(s)", actor, slug, len(failing))
    version = scenarios.store_version(
        session,
        scenario=scenario,
        document=candidate,
        message=message,
        summary=summary,
        actor=actor,
        rolled_back_to=rolled_back_to,
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
        details={
            "version": version.number,
            "message": message,
            "changes": diff.summary()[:50],
            **({"despite_failing_tests": shipped_failing} if shipped_failing else {}),
        },
    )
    # Other nodes learn of it by polling (persistence.scenario_source.VersionPoller, every --poll-interval).
    return PublishOutcome(slug, version, diff, tests, problems)


# A record, not a test report: enough to say who shipped what failing, bounded for a summary shown in every list.
MAX_RECORDED_FAILURES = 50


# The first failures of a test a version records: its own words say the rest (a run of the test tells all).
RECORDED_FAILURES_PER_TEST = 3


def _failing_record(slug: str, test: Mapping[str, Any]) -> dict[str, Any]:
    """A test that failed, as a published version and its audit event record it: the scenario named always (read
    later, out of the publish's context), with the first of its failures, in English (`failures`) and as data
    (`failure_details`: code, params and text each, for a client to say them in the reader's language), and how many
    it had in all (`failure_count`): without it, three failures recorded read as all there were."""
    return {
        "scenario": test["scenario"] or slug,
        "test": test["name"],
        "failures": list(test["failures"])[:RECORDED_FAILURES_PER_TEST],
        "failure_details": list(test["failure_details"])[:RECORDED_FAILURES_PER_TEST],
        "failure_count": len(test["failures"]),
    }


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
    if previous is not None and scenarios.same_document(previous.document, candidate):
        raise NothingToPublish(slug, previous.number)


Listener = Callable[[scenarios.Published], None]


class PublishHub:
    """In-process publish notifications: the FastAGI server in this process subscribes and swaps versions at once."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._withdrawal_listeners: list[Callable[[str], None]] = []
        self._lock = threading.Lock()
        self._commit_order = threading.Lock()

    @contextmanager
    def in_commit_order(self) -> Iterator[None]:
        """Hold while committing a publish or a delete and telling the listeners of it, so that they hear of them in
        the order the database stored them. Without it a publish committed first could be announced after the delete
        that followed it (the publish announces once its worker thread has returned) and leave this process's call
        server offering a deleted scenario until its next poll (CI, PostgreSQL: a rollback raced with a delete).
        Only the commit and the telling are held: the statements before wait on the database's own locks."""
        with self._commit_order:
            yield

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


@dataclass(frozen=True, slots=True)
class DraftReplaced:
    """A draft a rollback replaced with the document it published again: the revisions before and after, and what
    the audit event kept of the draft replaced (`replaced_kept`: its `reset_draft_to_version` outcome)."""

    revision: int
    replaced_revision: int
    replaced_kept: ReplacedKept = "document"


def reset_draft_to_version(
    session: Session, *, slug: str, version: ScenarioVersion, actor: str, registry: BlockRegistry | None = None
) -> DraftReplaced:
    """Make `version`'s document (a rollback's, just stored) `slug`'s draft, in the rollback's transaction, so the
    next publish does not ship the change rolled back again (review: the draft kept it, and the editor said "Saved").

    Drafts keep no history, so the `reset_draft` audit event keeps the one replaced, for whoever lost work to it
    (persistence.replaced_drafts): as the number of a version, when it is the document of the version live before
    the rollback or of the one rolled back to (as stored, or once upgraded by `registry`); else itself, or when too
    large its size and hash. The rollback goes on all the same: it is an incident's tool, and the designer asks no
    confirmation it could give; the client learns it from `DraftReplaced`. The draft the client named was checked by
    `publish` already."""
    held = scenarios.require_draft(session, slug=slug, revision=None, scenario_created_at=None)
    replaced_revision, replaced_document = held.draft_revision, held.draft_document
    published_as = _published_as(session, version=version, document=replaced_document, registry=registry)
    kept_details, kept = replaced_draft_details(replaced_document, held_by_version=published_as)
    details: dict[str, Any] = {
        "version": version.number,
        "rolled_back_to": version.rolled_back_to,
        "replaced_revision": replaced_revision,
        **kept_details,
    }
    saved = scenarios.save_draft(
        session, slug=slug, revision=replaced_revision, document=dict(version.document), actor=actor
    )
    details["revision"] = saved.draft_revision
    audit.record_event(session, actor=actor, action="reset_draft", target=f"scenario:{slug}", details=details)
    return DraftReplaced(revision=saved.draft_revision, replaced_revision=replaced_revision, replaced_kept=kept)


def _published_as(
    session: Session, *, version: ScenarioVersion, document: Any, registry: BlockRegistry | None
) -> int | None:
    """The number of the version whose document `document` is, among the one live before the rollback `version`
    (the draft as last published, unless edited since) and the one it rolled back to; None for neither. Versions
    are stored upgraded: a draft saved before a block upgrade is the same document once upgraded too."""
    candidates = [document]
    if registry is not None:
        candidates.append(upgrade_document(document, registry))
    previous = session.scalar(
        select(ScenarioVersion).where(
            ScenarioVersion.scenario_id == version.scenario_id, ScenarioVersion.number == version.number - 1
        )
    )

    def is_candidate(stored: Any) -> bool:  # as JSON: to `==`, a version with `1` where the draft has `true` is it
        return any(scenarios.same_document(stored, each) for each in candidates)

    if previous is not None and is_candidate(previous.document):
        return previous.number
    if version.rolled_back_to is not None and is_candidate(version.document):
        return version.rolled_back_to
    return None
