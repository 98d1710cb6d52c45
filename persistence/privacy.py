"""A data subject's rights over what ivrgraph keeps of their phone number: erasure, and access to all of it.

A subject is a phone number, matched in every form the register compares as that phone
(`phone_numbers.written_forms`: "+34600123456", "0034600123456" and, with the default country ES, "600123456"):

- their calls: the call records where it is the caller (`caller_id`) or the number rung (`dialed_number`: a
  callback's or a campaign's client), and those of their callback jobs;
- their callback jobs (`number`) with their dial attempts, a call list's rows among them (the job holds the row:
  `contact`);
- the idempotency keys whose stored answer names it (the job a CRM's request made);
- the audit events whose details name it (`POST /api/callbacks` notes the number it scheduled);
- the number written inside other people's data: other clients' callback jobs' `variables` (a guarantor's phone, a
  call list's row in `contact`) and other calls' `variables` and `trace` (the call placed for such a job);
- the scenarios' tests (`meta.tests`: "Save as test" from a recorded call with its caller's number kept), which
  every viewer of the scenario reads: a draft's are given a neutral number (`test_number`) in its place, saved as a
  new revision; a published version is never changed, and the erasure names those whose tests still hold it.

A mention in stored JSON (audit details, stored answers) is a text holding one of its forms, or a JSON number with
the digits of one (`_integer_forms`): a CRM that keeps phones in a numeric column sends `34600123456`, or
`34600123456.0` when pandas or Excel feed it (`whole_number_digits`) (a callback's variables, a call list's cells, a
scenario test's variables in a draft a rollback replaced are kept as sent).

`erase_subject` deletes the first three and redacts the last two: each mention in an event's details, or in another
client's job or call, becomes the subject's keyed hash (`subject_hash`), so the log still says who did what and the
other client keeps their data, and an erasure asked for again is recognised, but names nobody. A job naming them that
is being dialled refuses the erasure for now as one of theirs does: its call writes the variables it read into its
record when it ends. A campaign that loses a client counts one client fewer. The flow statistics
(path_counts) are counts of calls by node and hour, with no number in them, and stay. It then records an `erasure`
event naming the subject by the hash, with the counts and the default country the hash was made under (null when
none is set). `subject_data` gathers the same, for a subject access request, and `record_access` notes it
(`subject_access`, by the hash).

The hash is an HMAC-SHA256 of the number's one form (`phone_numbers.one_form`) keyed with a random secret of the
installation, kept in the database (`install_secrets`; every node shares it): a plain SHA-256 of a phone number is
reversed by hashing every number of the plan, and admins read the audit log through the API. Someone who can read
the database itself can still compute it for a number they guess: a pseudonym, not anonymity. The key is made with
the schema (migration 0029), so every backup carries it and a restored installation hashes a number as the lost one
did: an erasure ledger exported from the audit log is matched again after a restore (persistence.erasure_ledger).

Not reached: copies outside the database (its backups, which expire by their own rotation; a node's spool of
records waiting for the database, written afterwards; log files), the phrase cache's audio, and a number that is
in no column of theirs nor in any JSON data above (a call's CallerID name, another call's search keys).
"""

from __future__ import annotations

import hmac
import math
import re
import secrets
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, Text, case, cast, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from persistence.audit import record_event
from persistence.db import Database, hold_sqlite_writes
from persistence.errors import Conflict, RequestRefused
from persistence.models import (
    AuditEvent,
    CallbackAttempt,
    CallbackJob,
    CallCampaign,
    CallRecord,
    CampaignSkippedRow,
    IdempotencyKey,
    InstallSecret,
    Scenario,
    ScenarioVersion,
    utcnow,
)
from persistence.phone_numbers import configured_default_country, one_form, phone_number, written_forms
from persistence.retention import maintenance_session
from persistence.scenarios import save_draft

ERASURE_ACTION: Final = "erasure"
ERASURE_COUNTRY: Final = "default_country"  # in an erasure's details: IVRGRAPH_DEFAULT_COUNTRY it hashed under
ACCESS_ACTION: Final = "subject_access"
_KEY_NAME: Final = "subject_hash"
HASH_LENGTH: Final = 24  # hex digits kept of the HMAC: 96 bits, no two subjects of any register meet
_AT_ONCE: Final = 500  # ids named in one IN (...)
# The fewest digits a JSON number has to be a mention: longer than any short or emergency number and a PBX's
# extension (six digits at most: phone_numbers._EMERGENCY_LENGTHS). Shorter ones are the counts, sizes and
# revisions audit details are full of, which a number of the subject's as short must not turn into its hash.
SHORTEST_INTEGER_MENTION: Final = 7


class SubjectBeingCalled(Conflict):
    """A callback job of the subject is being dialled now: erasing it would pull the job from under the dialer."""

    def __init__(self, jobs: int) -> None:
        super().__init__(
            f"{jobs} callback job(s) of this number, or naming it, are being dialled now: ask again once the call "
            "ends (a minute or two); its record is written when it does"
        )


@dataclass(frozen=True, slots=True)
class Subject:
    """A data subject: the number as asked for, every form it is stored in, and its keyed hash."""

    forms: frozenset[str]
    hash: str
    # The digits of a JSON number that is a mention of them (`_integer_forms`), worked out once: each number of
    # every candidate's details is compared with them.
    integer_forms: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "integer_forms", _integer_forms(self.forms))

    @property
    def label(self) -> str:
        """How the audit log names them (the target of `erasure` and `subject_access` events)."""
        return f"subject:{self.hash}"

    @property
    def redacted(self) -> str:
        """What stands for their number in audit details after an erasure."""
        return f"[erased {self.hash}]"


def _integer_forms(forms: frozenset[str]) -> frozenset[str]:
    """The digits a JSON number mentioning the subject has: a number cannot hold the "+" nor leading zeros.

    - a form of digits alone, not starting with 0: the national number (600123456 in Spain) or, where the register
      reads the calling code without its "+" as this phone, that (34600123456): such a number is theirs as the same
      digits written in a text are;
    - the international form without its "+" (34600123456 for +34600123456, and for 0034600123456), unless those
      digits are read in the default country as another phone's national number: with ES, 600123456 is
      +34600123456, never the Malaysian +600123456, and a subject access request for the latter must not be given
      a Spanish client's mention. Without a default country, or where the register compares them as written
      (Germany's 4930123456), the digits are taken for the international number all the same: a JSON number has
      no way to keep the "+", where a text written without it may mean a local number on purpose.

    Not: a national form starting with the trunk prefix 0 (the UK's 07911123456 as 7911123456), which a number
    type cuts to digits no register reads as that phone; and numbers shorter than `SHORTEST_INTEGER_MENTION`."""
    digits = {form for form in forms if form.isdigit() and not form.startswith("0")}
    for form in forms:
        if form.startswith("+") and one_form(form[1:]) in (form[1:], form):
            digits.add(form[1:])
    return frozenset(each for each in digits if len(each) >= SHORTEST_INTEGER_MENTION)


def subject(session: Session, number: str) -> Subject:
    """The subject of `number` as people type it ("+34 600 123 456"); `RequestRefused` naming `$.number` for text
    that is no phone number."""
    cleaned = phone_number(number)
    if cleaned is None:
        raise RequestRefused([{"path": "$.number", "message": f"{number[:40]!r} is no phone number"}])
    return Subject(frozenset(written_forms(cleaned) | {cleaned}), subject_hash(session, cleaned))


def subject_hash(session: Session, number: str) -> str:
    """The keyed hash of `number` (cleaned: `phone_numbers.phone_number`), the same for each of its forms."""
    return subject_hasher(session)(number)


def subject_hasher(session: Session) -> Callable[[str], str]:
    """`subject_hash` with the key read once: for hashing many numbers (every number of a register)."""
    key = _install_key(session)
    return lambda number: hmac.new(key, one_form(number).encode(), "sha256").hexdigest()[:HASH_LENGTH]


def install_key_made_at(session: Session) -> datetime | None:
    """When this installation's key for `subject_hash` was made (its first erasure's time, or its migration to 0029);
    None while it has none."""
    found = session.get(InstallSecret, _KEY_NAME)
    return None if found is None else found.created_at


def _install_key(session: Session) -> bytes:
    """The installation's secret for `subject_hash`. Made with the schema (migration 0029); made here when a
    database has none all the same (one made without the migrations, or emptied). Two nodes making it at once meet
    on the primary key: the second reads the first one's."""
    found = session.get(InstallSecret, _KEY_NAME)
    if found is None:
        made = InstallSecret(name=_KEY_NAME, value=secrets.token_hex(32), created_at=utcnow())
        try:
            with session.begin_nested():
                session.add(made)
                session.flush()
            found = made
        except IntegrityError:
            found = session.get(InstallSecret, _KEY_NAME, populate_existing=True)
            if found is None:  # not reachable: the insert failed on this very row
                raise
    return bytes.fromhex(found.value)


# -- what is kept of a subject --------------------------------------------------------------------------


def _their_calls(forms: frozenset[str], job_ids: Iterable[str] = ()) -> ColumnElement[bool]:
    jobs = list(job_ids)
    # The register's keys too (persistence.calls.number_key): a number stored as the trunk wrote it, `+34 600 ...`,
    # is the subject's as the register's search finds it.
    matches = [CallRecord.caller_id.in_(forms), CallRecord.dialed_number.in_(forms), CallRecord.caller_key.in_(forms),
               CallRecord.dialed_key.in_(forms)]  # fmt: skip
    if jobs:
        matches.append(CallRecord.callback_job_id.in_(jobs))
    return or_(*matches)


# What people type between a number's digits (phone_numbers._TYPED_BY_PEOPLE), and a no-break space as a JSON text
# escapes it: taken out before LIKE, so that "+34 611 222 333" alone in a variable is a candidate too.
_SEPARATORS: Final = ("\\u00a0", "\u00a0", " ", "-", "(", ")", ".", "/")


def _mentioning(column: Any, subject: Subject) -> ColumnElement[bool]:
    """A JSON column whose text holds one of the subject's forms, or a JSON number's digits of them, somewhere, once
    the separators people type are taken out (looked at closer by `_redacted`). The forms are digits and "+":
    nothing LIKE reads as a wildcard."""
    text: Any = cast(column, Text)
    for separator in _SEPARATORS:
        text = func.replace(text, separator, "")
    return or_(*(text.like(f"%{form}%") for form in sorted(subject.forms | subject.integer_forms)))


# What may stand between two characters of a number written in a text, as people type it ("+34 (611) 222-333"):
# up to three of the separators `_mentioning` takes out before LIKE.
_TYPED_BETWEEN: Final = "[ \u00a0\\-().\\/]{0,3}"
_TYPED_CHARACTERS: Final = " \u00a0-()./"


def _pattern(forms: frozenset[str]) -> re.Pattern[str]:
    """A form of the number standing alone in a text, as stored or typed with separators between its characters
    ("+34 611 222 333"): not a piece of a longer number ("600123456" inside "+346001234567" is another phone's;
    `_mention_or_not` looks further around one typed with separators). The longest first: "+34600123456" is one
    mention, not "+34" and more."""
    ordered = sorted(forms, key=len, reverse=True)
    alternatives = "|".join(_TYPED_BETWEEN.join(re.escape(character) for character in form) for form in ordered)
    return re.compile(f"(?<![0-9])(?:{alternatives})(?![0-9])")


def _mention_or_not(found: re.Match[str], redacted: str) -> str:
    """`redacted` for a mention `_pattern` found, or the text as it is when it was typed with separators and more
    digits follow or come before it past a separator or three ("5 611 222 333" is another, longer number). One as
    stored, digits alone, is a mention as before: the pattern's own lookarounds keep it from a longer number."""
    typed = found.group()
    if typed.lstrip("+").isdigit():
        return redacted
    before = found.string[max(0, found.start() - 3) : found.start()].rstrip(_TYPED_CHARACTERS)
    after = found.string[found.end() : found.end() + 3].lstrip(_TYPED_CHARACTERS)
    if (before and before[-1].isdigit()) or (after and after[0].isdigit()):
        return typed
    return redacted


def whole_number_digits(value: Any) -> str | None:
    """The digits of JSON data `value` when it is a whole number, with its sign: an integer, or a float with nothing
    after the point (`34600123456.0`: a CRM fed by pandas or Excel sends a phone column so) read as that integer.
    None for anything else: a fraction, infinity, NaN, a text, true and false (no numbers, though Python's bool is an
    int)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return None


def _redacted(value: Any, subject: Subject, pattern: re.Pattern[str]) -> Any:
    """`value` (JSON data) with each mention of the subject's number replaced by `subject.redacted`: a text that is
    the number as people type it ("+34 600 123 456"), or holds one of its forms; a JSON number, whole
    (`whole_number_digits`), with the digits of one (`_integer_forms`)."""
    return _rewritten(value, subject, pattern, lambda _mention: subject.redacted, lambda _digits: subject.redacted)


def _rewritten(
    value: Any,
    subject: Subject,
    pattern: re.Pattern[str],
    in_text: Callable[[str], str],
    for_number: Callable[[str], Any],
) -> Any:
    """`value` (JSON data) with each mention of the subject (as `_redacted` finds them) replaced: a text mention by
    `in_text` of it as written, a JSON number by `for_number` of its digits."""
    if isinstance(value, str):
        if phone_number(value) in subject.forms:
            return in_text(value)
        return pattern.sub(lambda found: _mention_or_not(found, in_text(found.group())), value)
    if (digits := whole_number_digits(value)) is not None:
        return for_number(digits) if digits in subject.integer_forms else value
    if isinstance(value, Mapping):
        return {
            _rewritten(key, subject, pattern, in_text, for_number): _rewritten(
                item, subject, pattern, in_text, for_number
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_rewritten(item, subject, pattern, in_text, for_number) for item in value]
    return value


# The digits of a number a test value keeps zeroed at its end: no subscriber is told apart by the rest (the country,
# the operator's or the area's prefix), which a scenario may still route on.
TEST_NUMBER_ZEROED: Final = 6


def test_number(written: str) -> str:
    """The neutral number a scenario test calls from in place of a real one: `written` with its last
    `TEST_NUMBER_ZEROED` digits zeroed, every other character as it was ("+34 600 123 456" is "+34 600 000 000",
    "0034600123456" "0034600000000"), so each form still reads as the same phone as the others (e164, the
    register's forms) and a prefix the scenario checks still leads where it did. A number that is that already is
    zeroed whole. The designer's "Save as test" writes the same (designer_ui/src/components/callAsTest.ts)."""
    digits = sum(character.isdigit() for character in written)
    zeroed = _zeroed(written, digits - TEST_NUMBER_ZEROED)
    return zeroed if zeroed != written else _zeroed(written, 0)


def _zeroed(written: str, kept: int) -> str:
    """`written` with each digit after its first `kept` ones a 0."""
    seen, characters = 0, []
    for character in written:
        if character.isdigit():
            characters.append(character if seen < kept else "0")
            seen += 1
        else:
            characters.append(character)
    return "".join(characters)


def _with_test_number(value: Any, subject: Subject, pattern: re.Pattern[str]) -> Any:
    """`value` with each mention of the subject replaced by its `test_number`, a JSON number by a JSON number."""
    return _rewritten(value, subject, pattern, test_number, lambda digits: int(test_number(digits)))


def _mentions(value: Any, subject: Subject, pattern: re.Pattern[str]) -> bool:
    return bool(_redacted(value, subject, pattern) != value)


def _mention_paths(value: Any, subject: Subject, pattern: re.Pattern[str], path: str) -> Iterator[str]:
    """The JSON path (`$.variables.contact.aval`) of each mention in `value`, as `_redacted` finds them: where the
    subject is named in another client's data, without that data."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            inner = f"{path}.{key}" if isinstance(key, str) and key.isidentifier() else f"{path}[{key!r}]"
            if _mentions(key, subject, pattern):
                yield inner
            else:
                yield from _mention_paths(item, subject, pattern, inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _mention_paths(item, subject, pattern, f"{path}[{index}]")
    elif _mentions(value, subject, pattern):
        yield path


def _reading_order(path: str) -> tuple[str | int, ...]:
    """A JSON path's sort key with its indexes compared as numbers, so `steps[2]` comes before `steps[10]` as a
    reader counts them (text order puts it after). The split alternates text and digits, so the parts at each
    position are always of one type."""
    return tuple(int(part) if position % 2 else part for position, part in enumerate(_DIGITS.split(path)))


_DIGITS: Final = re.compile(r"(\d+)")


_JobOrCall = CallbackJob | CallRecord
# The JSON columns a mention of someone is looked for in, in another client's job and in another's call.
_MENTIONING_COLUMNS: Final[dict[type[_JobOrCall], tuple[str, ...]]] = {
    CallbackJob: ("variables",),
    CallRecord: ("variables", "trace"),
}


def _mentioning_others(
    session: Session, subject: Subject, job_ids: Iterable[str], *, lock: bool
) -> Iterator[tuple[_JobOrCall, list[str]]]:
    """Other clients' callback jobs, then other calls, whose JSON columns mention the subject, each with the paths of
    the mentions; newest first. Found by `_mentioning` in SQL (ids only), then read `_AT_ONCE` rows at a time,
    locked (`lock`, on databases with FOR UPDATE) as `erase_subject` locks jobs, and each batch let go of once the
    caller has had it (`session.expunge`: a number named in every call of a year is many rows)."""
    forms, theirs = subject.forms, set(job_ids)
    jobs = select(CallbackJob.id).where(CallbackJob.number.not_in(forms), _mentioning(CallbackJob.variables, subject))
    job_candidates = list(session.scalars(jobs.order_by(CallbackJob.created_at.desc(), CallbackJob.id)))
    # Their own calls are not mentions (they are erased whole): told apart here, where a NULL key of an older
    # node's record (caller_key) cannot turn a NOT IN into "unknown" and hide a call.
    calls = select(CallRecord.id, CallRecord.caller_id, CallRecord.dialed_number, CallRecord.caller_key,
                   CallRecord.dialed_key, CallRecord.callback_job_id).where(
        or_(_mentioning(CallRecord.variables, subject), _mentioning(CallRecord.trace, subject))
    )  # fmt: skip
    call_candidates = [
        row.id
        for row in session.execute(calls.order_by(CallRecord.started_at.desc(), CallRecord.id.desc()))
        if not (
            {row.caller_id, row.dialed_number, row.caller_key, row.dialed_key} & forms or row.callback_job_id in theirs
        )
    ]
    pattern = _pattern(forms)
    locking = lock and session.get_bind().dialect.name != "sqlite"  # SQLite: hold_sqlite_writes holds it all
    tables: tuple[tuple[type[CallbackJob] | type[CallRecord], list[str]], ...] = (
        (CallbackJob, job_candidates),
        (CallRecord, call_candidates),
    )
    for model, candidates in tables:
        for ids in _chunks(candidates):
            query = select(model).where(model.id.in_(ids))
            if locking:
                query = query.with_for_update()
            # select() of either model reads as the models' base class to mypy: these are rows of `model`.
            found = typing.cast(
                "Iterable[CallbackJob | CallRecord]", session.scalars(query.execution_options(populate_existing=True))
            )
            rows = {row.id: row for row in found}
            for row in (rows[each] for each in ids if each in rows):
                paths = sorted(
                    (
                        path
                        for column in _MENTIONING_COLUMNS[model]
                        for path in _mention_paths(getattr(row, column), subject, pattern, f"$.{column}")
                    ),
                    key=_reading_order,
                )
                if paths:
                    yield row, paths
            session.flush()
            for row in rows.values():
                session.expunge(row)


def _audit_mentions(session: Session, subject: Subject) -> list[AuditEvent]:
    pattern = _pattern(subject.forms)
    candidates = session.scalars(
        select(AuditEvent).where(_mentioning(AuditEvent.details, subject)).order_by(AuditEvent.id)
    )
    return [event for event in candidates if _mentions(event.details, subject, pattern)]


def _keys_mentioning(session: Session, subject: Subject) -> list[IdempotencyKey]:
    pattern = _pattern(subject.forms)
    candidates = session.scalars(
        select(IdempotencyKey).where(
            IdempotencyKey.response.is_not(None), _mentioning(IdempotencyKey.response, subject)
        )
    )
    return [key for key in candidates if _mentions(key.response, subject, pattern)]


@dataclass
class SubjectData:
    """Everything kept of a subject (module docstring), for a subject access request."""

    subject: Subject
    calls: list[CallRecord] = field(default_factory=list)
    jobs: list[CallbackJob] = field(default_factory=list)  # a call list's rows among them (`campaign_id`)
    attempts: dict[str, list[CallbackAttempt]] = field(default_factory=dict)  # job id -> its attempts, in order
    campaigns: dict[str, CallCampaign] = field(default_factory=dict)  # of the jobs, by id
    audit_events: list[AuditEvent] = field(default_factory=list)  # naming the number, or the subject by its hash
    idempotency_keys: int = 0  # stored answers naming it (kept a day)
    # Other clients' jobs and other calls naming them: id -> the paths of the mentions, newest first.
    mentioned_in_jobs: dict[str, list[str]] = field(default_factory=dict)
    mentioned_in_calls: dict[str, list[str]] = field(default_factory=dict)
    # Scenarios' tests naming it (a call saved as a test with its real number): drafts' and published versions'.
    scenario_tests: list[TestsMention] = field(default_factory=list)


def subject_data(session: Session, *, number: str) -> SubjectData:
    """What is kept of the subject of `number`: calls newest first (with variables and trace), jobs newest first."""
    found = SubjectData(subject(session, number))
    forms = found.subject.forms
    found.jobs = list(
        session.scalars(
            select(CallbackJob).where(CallbackJob.number.in_(forms)).order_by(CallbackJob.created_at.desc())
        )
    )
    job_ids = [job.id for job in found.jobs]
    found.calls = list(
        session.scalars(
            select(CallRecord)
            .where(_their_calls(forms, job_ids))
            .order_by(CallRecord.started_at.desc(), CallRecord.id.desc())
        )
    )
    for ids in _chunks(job_ids):
        attempts = select(CallbackAttempt).where(CallbackAttempt.job_id.in_(ids)).order_by(CallbackAttempt.id)
        for attempt in session.scalars(attempts):
            found.attempts.setdefault(attempt.job_id, []).append(attempt)
    campaign_ids = sorted({job.campaign_id for job in found.jobs if job.campaign_id is not None})
    if campaign_ids:
        found.campaigns = {
            campaign.id: campaign
            for campaign in session.scalars(select(CallCampaign).where(CallCampaign.id.in_(campaign_ids)))
        }
    named = session.scalars(select(AuditEvent).where(AuditEvent.target == found.subject.label))
    events = {event.id: event for event in [*_audit_mentions(session, found.subject), *named]}
    found.audit_events = [events[key] for key in sorted(events)]
    found.idempotency_keys = len(_keys_mentioning(session, found.subject))
    for row, paths in _mentioning_others(session, found.subject, job_ids, lock=False):
        mentioned = found.mentioned_in_jobs if isinstance(row, CallbackJob) else found.mentioned_in_calls
        mentioned[row.id] = paths
    found.scenario_tests = _tests_mentioning(session, found.subject)
    return found


def record_access(session: Session, data: SubjectData, *, actor: str, now: datetime | None = None) -> None:
    """The audit event of a subject access request: who asked, for whom (the hash), and how much was given."""
    details = {
        "calls": len(data.calls),
        "callback_jobs": len(data.jobs),
        "campaign_rows": sum(job.campaign_id is not None for job in data.jobs),
        "audit_events": len(data.audit_events),
        "mentioned_in_callback_jobs": len(data.mentioned_in_jobs),
        "mentioned_in_calls": len(data.mentioned_in_calls),
        "scenario_tests": len(data.scenario_tests),
    }
    record_event(session, actor=actor, action=ACCESS_ACTION, target=data.subject.label, details=details, now=now)


# -- scenario tests -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VersionTests:
    """A published version whose tests (`meta.tests`) name the subject: immutable, so the number stays there."""

    slug: str
    version: int


def _tests_of(document: Any) -> list[Any]:
    meta = document.get("meta") if isinstance(document, Mapping) else None
    tests = meta.get("tests") if isinstance(meta, Mapping) else None
    return tests if isinstance(tests, list) else []


def _draft_with_test_numbers(document: Any, subject: Subject, pattern: re.Pattern[str]) -> dict[str, Any] | None:
    """`document` with each mention of the subject in its tests replaced by its `test_number` (the caller, a
    variable, a row, what is expected of the call alike, so that the test still checks the same call); None when its
    tests name them nowhere. Only the tests: the flow itself holds no caller's data."""
    tests = _tests_of(document)
    rewritten = [_with_test_number(test, subject, pattern) for test in tests]
    if rewritten == tests:
        return None
    return {**document, "meta": {**document["meta"], "tests": rewritten}}


def _drafts_mentioning(session: Session, subject: Subject) -> list[tuple[Scenario, dict[str, Any]]]:
    """Each scenario whose draft's tests name the subject (a deleted one's too: its row keeps the draft), with the
    draft as it is to be saved; by slug."""
    pattern = _pattern(subject.forms)
    candidates = session.scalars(
        select(Scenario).where(_mentioning(Scenario.draft_document, subject)).order_by(Scenario.slug)
    )
    found = ((scenario, _draft_with_test_numbers(scenario.draft_document, subject, pattern)) for scenario in candidates)
    return [(scenario, draft) for scenario, draft in found if draft is not None]


@dataclass(frozen=True, slots=True)
class TestsMention:
    """A scenario's tests naming the subject: its draft's (`version` None) or a published version's, with the JSON
    path of each mention (`$.meta.tests[0].caller`). The tests are the scenario's: the paths say where, as for another
    client's mentions; erasure gives a draft's mentions a test number and leaves the immutable versions'."""

    slug: str
    version: int | None
    paths: tuple[str, ...]


def _test_paths(document: Any, subject: Subject, pattern: re.Pattern[str]) -> tuple[str, ...]:
    return tuple(sorted(_mention_paths(_tests_of(document), subject, pattern, "$.meta.tests"), key=_reading_order))


def _version_tests_mentioning(session: Session, subject: Subject) -> list[tuple[VersionTests, tuple[str, ...]]]:
    """The published versions whose tests name the subject, each with the paths of the mentions; by slug and number."""
    pattern = _pattern(subject.forms)
    candidates = session.execute(
        select(Scenario.slug, ScenarioVersion.number, ScenarioVersion.document)
        .join(Scenario, Scenario.id == ScenarioVersion.scenario_id)
        .where(_mentioning(ScenarioVersion.document, subject))
        .order_by(Scenario.slug, ScenarioVersion.number)
    )
    found = ((VersionTests(row.slug, row.number), _test_paths(row.document, subject, pattern)) for row in candidates)
    return [(version, paths) for version, paths in found if paths]


def _versions_mentioning(session: Session, subject: Subject) -> list[VersionTests]:
    return [version for version, _ in _version_tests_mentioning(session, subject)]


def _tests_mentioning(session: Session, subject: Subject) -> list[TestsMention]:
    """The drafts (a deleted scenario's too: its row keeps the draft, as erasure finds it) and published versions
    whose tests name the subject; by slug, each draft before its versions."""
    pattern = _pattern(subject.forms)
    candidates = session.execute(
        select(Scenario.slug, Scenario.draft_document).where(_mentioning(Scenario.draft_document, subject))
    )
    drafts = (TestsMention(row.slug, None, _test_paths(row.draft_document, subject, pattern)) for row in candidates)
    versions = (TestsMention(v.slug, v.version, paths) for v, paths in _version_tests_mentioning(session, subject))
    found = [*(each for each in drafts if each.paths), *versions]
    return sorted(found, key=lambda each: (each.slug, each.version or 0))


def _save_test_numbers(session: Session, scenario: Scenario, draft: dict[str, Any], *, actor: str) -> None:
    """The draft saved as an edit (a new revision, so a designer open on it reloads it rather than saving the
    number back); a deleted scenario's draft, which nothing edits any more, written in place."""
    if scenario.deleted_at is not None:
        scenario.draft_document = draft
        return
    save_draft(session, slug=scenario.slug, revision=scenario.draft_revision, document=draft, actor=actor)


# -- erasure ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ErasureReport:
    """What an erasure removed (or, `dry_run`, would remove), by table; the subject named by its hash only."""

    subject: str  # the keyed hash
    dry_run: bool
    call_records: int = 0
    callback_jobs: int = 0  # a call list's rows among them
    callback_attempts: int = 0
    campaign_rows: int = 0  # of the jobs, a call list's own rows (one per client; each campaign counts them)
    campaigns: int = 0  # campaigns that lost a client
    idempotency_keys: int = 0
    audit_events: int = 0  # redacted, not deleted
    mentioned_in_callback_jobs: int = 0  # other clients' jobs naming the number in their variables: redacted
    mentioned_in_calls: int = 0  # other calls naming it in their variables or trace: redacted
    tests_in_drafts: int = 0  # scenarios' drafts whose tests named it: given a test number instead
    # Published versions whose tests name it: immutable, where the number stays (not a count: `counts` leaves it).
    tests_in_versions: tuple[VersionTests, ...] = ()

    def counts(self) -> dict[str, int]:
        return {
            each.name: getattr(self, each.name)
            for each in fields(self)
            if each.name not in ("subject", "dry_run", "tests_in_versions")
        }


def erase_subject(
    session: Session, *, number: str, actor: str, dry_run: bool = False, now: datetime | None = None
) -> ErasureReport:
    """Erase the subject of `number` (module docstring) in the session's transaction, and record an `erasure` audit
    event with the counts (not on a dry run, which changes nothing). `SubjectBeingCalled` while one of their jobs
    is being dialled. The caller commits; `erase` does, on a `maintenance_session` (SQLite's secure delete)."""
    found = subject(session, number)
    forms = found.forms
    if session.get_bind().dialect.name == "sqlite":
        hold_sqlite_writes(session, CallbackJob)  # nothing changes under the counts until the transaction ends
    jobs_query = select(CallbackJob).where(CallbackJob.number.in_(forms))
    if session.get_bind().dialect.name != "sqlite":
        jobs_query = jobs_query.with_for_update()  # the dialer and FastAGI lock a job before they change it
    jobs = list(session.scalars(jobs_query.execution_options(populate_existing=True)))
    dialling = sum(job.status == "dialing" for job in jobs)
    if dialling:
        raise SubjectBeingCalled(dialling)
    job_ids = [job.id for job in jobs]
    # Redacted here (nothing of it on a dry run), before theirs go: a refusal below rolls it back with the rest.
    pattern = _pattern(forms)
    mentioned: dict[type[_JobOrCall], int] = {CallbackJob: 0, CallRecord: 0}
    for row, _paths in _mentioning_others(session, found, job_ids, lock=True):
        mentioned[type(row)] += 1
        if isinstance(row, CallbackJob) and row.status == "dialing":
            dialling += 1
        elif not dry_run:
            for column in _MENTIONING_COLUMNS[type(row)]:
                setattr(row, column, _redacted(getattr(row, column), found, pattern))
            if isinstance(row, CallRecord) and row.result is not None:  # the register's copy of variables.result
                row.result = _redacted(row.result, found, pattern)
    if dialling:
        raise SubjectBeingCalled(dialling)
    listed: dict[str, int] = {}  # campaign id -> its list rows erased
    for job in jobs:
        if job.campaign_id is not None and job.origin_call_id is None:  # campaign_reports._LISTED: one job per client
            listed[job.campaign_id] = listed.get(job.campaign_id, 0) + 1
    calls = _their_calls(forms, job_ids)
    attempts = 0
    for ids in _chunks(job_ids):
        attempts += int(
            session.scalar(select(func.count()).select_from(CallbackAttempt).where(CallbackAttempt.job_id.in_(ids)))
            or 0
        )
    keys = _keys_mentioning(session, found)
    events = _audit_mentions(session, found)
    drafts = _drafts_mentioning(session, found)
    report = ErasureReport(
        subject=found.hash,
        dry_run=dry_run,
        call_records=int(session.scalar(select(func.count()).select_from(CallRecord).where(calls)) or 0),
        callback_jobs=len(jobs),
        callback_attempts=attempts,
        campaign_rows=sum(listed.values()),
        campaigns=len(listed),
        idempotency_keys=len(keys),
        audit_events=len(events),
        mentioned_in_callback_jobs=mentioned[CallbackJob],
        mentioned_in_calls=mentioned[CallRecord],
        tests_in_drafts=len(drafts),
        tests_in_versions=tuple(_versions_mentioning(session, found)),
    )
    if dry_run:
        return report
    for scenario, draft in drafts:
        _save_test_numbers(session, scenario, draft, actor=actor)
    session.execute(delete(CallRecord).where(calls).execution_options(synchronize_session=False))
    for ids in _chunks(job_ids):
        session.execute(delete(CallbackAttempt).where(CallbackAttempt.job_id.in_(ids)))
        session.execute(delete(CallbackJob).where(CallbackJob.id.in_(ids)).execution_options(synchronize_session=False))
    # Their rows a list skipped as duplicates stay counted in their campaign's report, without their number or cells.
    session.execute(
        update(CampaignSkippedRow)
        .where(CampaignSkippedRow.number.in_(forms))
        .values(number=None, written=None, cells=None)
        .execution_options(synchronize_session=False)
    )
    for campaign_id, rows in listed.items():
        # Its summary counts the clients it has (the jobs left); `jobs` is the list's length as imported, kept equal.
        session.execute(
            update(CallCampaign)
            .where(CallCampaign.id == campaign_id)
            .values(jobs=case((CallCampaign.jobs > rows, CallCampaign.jobs - rows), else_=0))
        )
    for key in keys:
        session.delete(key)
    for event in events:
        event.details = _redacted(event.details, found, pattern)
        event.target = _redacted(event.target, found, pattern)
    session.flush()
    # The hash depends on the default country (a national number's one form): a ledger of these events is matched
    # again under the country it names (persistence.erasure_ledger).
    details = {
        **report.counts(),
        "tests_in_versions": [{"slug": each.slug, "version": each.version} for each in report.tests_in_versions],
        ERASURE_COUNTRY: configured_default_country(),
    }
    record_event(session, actor=actor, action=ERASURE_ACTION, target=found.label, details=details, now=now)
    return report


def erase(database: Database, *, number: str, actor: str, dry_run: bool = False) -> ErasureReport:
    """`erase_subject` in a transaction of its own, committed, on a `maintenance_session`: on SQLite the erased
    rows' bytes are overwritten and the write-ahead log truncated afterwards."""
    with maintenance_session(database) as session:
        _install_key(session)
        session.commit()  # a dry run's hash is the one the erasure will record: its key is kept, made or not
        report = erase_subject(session, number=number, actor=actor, dry_run=dry_run)
        if not dry_run:
            session.commit()
    return report


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    return (ids[start : start + _AT_ONCE] for start in range(0, len(ids), _AT_ONCE))
