"""Erasures made again after a restore (`ivrgraph privacy reapply-erasures FILE`).

A backup taken before an erasure still holds the person's calls and jobs, and restoring it brings them back. What
says who was erased since is the ledger kept outside the database: the audit log's `erasure` events, exported
before the loss (`GET /api/audit?action=erasure`), which name each subject by its keyed hash and never by the number
(persistence.privacy). The restored database holds the key (made with the schema since migration 0029, so every
backup carries it), so each number it holds can be hashed as the erasure hashed it: every number whose hash the
ledger names is erased again (`privacy.erase_subject`, one transaction per subject, recorded as an `erasure` event as
any other). Nothing else of the lost database is needed, and running it again finds nothing more to erase.

The numbers hashed are those an erasure reaches: the call register's callers and numbers rung (as stored, and their
keys), the callback jobs' numbers, and in the audit events' and stored answers' details, the callback jobs'
variables and the calls' variables and traces (a number written inside another client's data) each text that is a
number as people type it, a number standing alone inside a text (the purge may have left only these of someone),
and each JSON number as long as a phone's (a CRM's numeric column): read as its digits, and as those digits after
the "+" a number cannot hold, as the erasure reads one (privacy._integer_forms).

A number's hash depends on the default country too (IVRGRAPH_DEFAULT_COUNTRY: in Spain 600123456 is hashed as
+34600123456, with none set as itself), so each erasure's details say the country it hashed under (null: none set).
A ledger whose erasures name countries and not the one this process compares numbers in is refused
(`HashedUnderAnotherCountry`), before anything is read of the database: run under another setting than the
server's, an erasure of a number written nationally matched no one, and the command said only "not in this
database" (security review). Refusing, rather than hashing under the ledger's country, keeps one country for the
whole run as for the servers (persistence.phone_numbers): the erasure made again finds the number in the forms that
country stores it in, and is recorded under the hash the ledger names. A ledger of several countries (the setting
changed between erasures) is run once under each. Erasures recorded before they said it (and a ledger kept by hand)
name none: `Ledger.unrecorded` counts them, for the command to warn when they matched no one.

A ledger is read from what an admin keeps (`read_ledger`): the JSON the audit route answers (one array, or several
pages appended, or one event a line), whose events other than `erasure` are skipped; or plain text, one
`subject:<hash>` (or the bare hash) a line, for a ledger kept by hand, `#` starting a comment. A byte order mark
in front (PowerShell's `>` writes one) is no part of it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from persistence.db import Database
from persistence.errors import Conflict, Refused
from persistence.models import AuditEvent, CallbackJob, CallRecord, IdempotencyKey
from persistence.phone_numbers import DEFAULT_COUNTRY_ENV, configured_default_country, phone_number
from persistence.privacy import (
    ERASURE_ACTION,
    ERASURE_COUNTRY,
    HASH_LENGTH,
    SHORTEST_INTEGER_MENTION,
    ErasureReport,
    SubjectBeingCalled,
    erase_subject,
    install_key_made_at,
    subject_hasher,
    whole_number_digits,
)
from persistence.retention import maintenance_session

_LABEL: Final = re.compile(rf"(?:subject:)?([0-9a-f]{{{HASH_LENGTH}}})")
# A number standing alone inside a text, as an erasure's redaction finds one (privacy._pattern): digits, maybe "+".
_IN_TEXT: Final = re.compile(r"(?<![0-9])\+?[0-9]{2,20}(?![0-9])")
_BATCH: Final = 1000  # rows read at a time from the big tables
_BOM: Final = "\ufeff"
_COUNTRY_CODE: Final = re.compile(r"[A-Z]{2}")  # as IVRGRAPH_DEFAULT_COUNTRY is kept (phone_numbers.default_country)


class LedgerUnreadable(Refused):
    """The file is no ledger of erasures; the message says where and why."""


def country_setting(country: str | None) -> str:
    """How IVRGRAPH_DEFAULT_COUNTRY is set to `country`: `IVRGRAPH_DEFAULT_COUNTRY=ES`, or unset (None)."""
    return f"{DEFAULT_COUNTRY_ENV}={country}" if country is not None else f"{DEFAULT_COUNTRY_ENV} unset"


class HashedUnderAnotherCountry(Refused):
    """The ledger's erasures hashed numbers under other default countries than this process compares them in
    (module docstring): the setting to run under is said."""

    def __init__(self, countries: dict[str | None, int], here: str | None) -> None:
        self.countries = sorted(countries, key=lambda country: country or "")
        if len(self.countries) == 1:
            ledger, run = country_setting(self.countries[0]), f"run it again with {country_setting(self.countries[0])}"
        else:
            ledger = " and ".join(f"{country_setting(each)} ({countries[each]} erasures)" for each in self.countries)
            run = "run it once with each of these settings"
        super().__init__(
            f"the ledger's erasures hashed numbers with {ledger} (the server's setting when it made them), and this "
            f"command runs with {country_setting(here)}, under which a number written without its country code "
            f"hashes otherwise: its subject would be found nowhere. Nothing was erased: {run}"
        )


class KeyMadeAfterTheLedger(Conflict):
    """The database's hash key is newer than the erasures of the ledger: it hashes no number as they were hashed."""

    def __init__(self, made: datetime, newest: datetime) -> None:
        super().__init__(
            f"this database's hash key was made at {made:%Y-%m-%d %H:%M:%S} UTC, after the newest erasure of the "
            f"ledger ({newest:%Y-%m-%d %H:%M:%S} UTC): it was restored from a backup that did not carry the key "
            "(one taken before ivrgraph made it at install, when no erasure had been made yet), so no number here "
            "hashes as the ledger names it. Nothing was erased: erase each person again by their number "
            "(ivrgraph privacy erase), from the request they made"
        )


@dataclass(slots=True)
class Ledger:
    subjects: dict[str, datetime | None] = field(default_factory=dict)  # hash -> its newest erasure's time, if told
    entries: int = 0  # erasures read (a subject erased twice is two)
    skipped: int = 0  # audit events of other actions in the file
    hashed_under: dict[str | None, int] = field(default_factory=dict)  # default country -> its erasures (None: unset)
    unrecorded: int = 0  # erasures that do not say their country (recorded before erasures did; kept by hand)

    @property
    def newest(self) -> datetime | None:
        times = [at for at in self.subjects.values() if at is not None]
        return max(times) if times else None

    def add(self, subject: str, at: datetime | None) -> None:
        self.entries += 1
        known = self.subjects.get(subject)
        self.subjects[subject] = at if known is None or (at is not None and at > known) else known


def read_ledger(text: str) -> Ledger:
    """The erasures `text` names (module docstring for the forms taken); `LedgerUnreadable` saying why not."""
    ledger = Ledger()
    text = text.removeprefix(_BOM)
    if text.lstrip().startswith(("[", "{")):
        for event in _json_events(text):
            _add_event(ledger, event)
        return ledger
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        found = _LABEL.fullmatch(entry)
        if found is None:
            raise LedgerUnreadable(f"line {number}: {entry[:60]!r} is not subject:<hash> ({HASH_LENGTH} hex digits)")
        ledger.add(found[1], None)
        ledger.unrecorded += 1
    return ledger


def _json_events(text: str) -> Iterator[Any]:
    """Each event of one or more JSON values back to back (pages appended, one event a line)."""
    decoder = json.JSONDecoder()
    at = 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            return
        try:
            value, at = decoder.raw_decode(text, at)
        except json.JSONDecodeError as error:
            raise LedgerUnreadable(f"not JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
        except RecursionError:  # `[[[[...` deeper than the decoder goes: no audit export (exit 2, not a traceback)
            raise LedgerUnreadable("its JSON is nested too deeply to be an audit export") from None
        except MemoryError:
            raise LedgerUnreadable("its JSON is too big to be read") from None
        yield from value if isinstance(value, list) else [value]


def _add_event(ledger: Ledger, event: Any) -> None:
    if not isinstance(event, dict) or not isinstance(event.get("action"), str):
        raise LedgerUnreadable(f"{str(event)[:80]!r} is not an audit event (GET /api/audit answers them)")
    if event["action"] != ERASURE_ACTION:
        ledger.skipped += 1
        return
    target = event.get("target")
    found = _LABEL.fullmatch(target) if isinstance(target, str) and target.startswith("subject:") else None
    if found is None:
        raise LedgerUnreadable(f"an erasure whose target {str(target)[:60]!r} is not subject:<hash>")
    ledger.add(found[1], _time(event.get("at")))
    details = event.get("details")
    if not isinstance(details, dict) or ERASURE_COUNTRY not in details:
        ledger.unrecorded += 1
        return
    country = details[ERASURE_COUNTRY]
    if country is not None and not (isinstance(country, str) and _COUNTRY_CODE.fullmatch(country)):
        raise LedgerUnreadable(f"an erasure's {ERASURE_COUNTRY} {repr(country)[:20]} is no country code")
    ledger.hashed_under[country] = ledger.hashed_under.get(country, 0) + 1


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise LedgerUnreadable(f"an erasure's time {value[:40]!r} is not an ISO 8601 time") from None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at  # the API writes UTC, with its offset


@dataclass(slots=True)
class ReapplyReport:
    """What `reapply_erasures` erased (or, `dry_run`, would erase), subject by subject."""

    dry_run: bool
    subjects: int  # in the ledger
    erased: list[ErasureReport] = field(default_factory=list)  # one per subject found here
    refused: list[str] = field(default_factory=list)  # subjects with a callback being dialled now: ask again

    @property
    def not_here(self) -> int:
        """Subjects of the ledger this database holds no number of (erased before the backup, or never here)."""
        return self.subjects - len(self.erased) - len(self.refused)

    def totals(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for report in self.erased:
            for table, count in report.counts().items():
                totals[table] = totals.get(table, 0) + count
        return totals


def reapply_erasures(database: Database, ledger: Ledger, *, actor: str, dry_run: bool = False) -> ReapplyReport:
    """Erase again each subject of `ledger` this database holds a number of (module docstring), each in a
    transaction of its own, on a `maintenance_session`. Before anything is erased: `HashedUnderAnotherCountry` when
    the ledger's erasures say countries and not the one numbers are compared in here, `KeyMadeAfterTheLedger` when
    the database's key is newer than the ledger's erasures: either way it hashes nobody as they did."""
    here = configured_default_country()
    if ledger.hashed_under and here not in ledger.hashed_under:
        raise HashedUnderAnotherCountry(ledger.hashed_under, here)
    report = ReapplyReport(dry_run=dry_run, subjects=len(ledger.subjects))
    with maintenance_session(database) as session:
        hashed = subject_hasher(session)  # a database emptied of its key gets one: refused just below
        session.commit()
        made, newest = install_key_made_at(session), ledger.newest
        if made is not None and newest is not None and made > newest:
            raise KeyMadeAfterTheLedger(made, newest)
        found: dict[str, str] = {}  # subject -> one of their numbers, as cleaned
        for number in sorted(_stored_numbers(session)):
            subject = hashed(number)
            if subject in ledger.subjects:
                found.setdefault(subject, number)
        session.rollback()  # the reads' snapshot ends: each erasure reads afresh, under its own locks
        for subject, number in sorted(found.items()):
            try:
                erased = erase_subject(session, number=number, actor=actor, dry_run=dry_run)
            except SubjectBeingCalled:
                session.rollback()
                report.refused.append(subject)
                continue
            if dry_run:
                session.rollback()
            else:
                session.commit()
            report.erased.append(erased)
    return report


def _stored_numbers(session: Session) -> set[str]:
    """Every number an erasure could reach here (module docstring), cleaned as `privacy.subject` cleans one."""
    raw: set[str] = set()
    for column in (CallRecord.caller_id, CallRecord.dialed_number, CallRecord.caller_key, CallRecord.dialed_key,
                   CallbackJob.number):  # fmt: skip
        raw.update(value for value in session.scalars(select(column).distinct()) if value)
    for details in session.scalars(select(AuditEvent.details).execution_options(yield_per=_BATCH)):
        raw.update(_texts(details))
    answers = select(IdempotencyKey.response).where(IdempotencyKey.response.is_not(None))
    for response in session.scalars(answers.execution_options(yield_per=_BATCH)):
        raw.update(_texts(response))
    # A number written inside another client's data (privacy._mentioning_others): every row is read, a batch at a
    # time, as no number is known here to filter on.
    for json_column in (CallbackJob.variables, CallRecord.variables, CallRecord.trace):
        for value in session.scalars(select(json_column).execution_options(yield_per=_BATCH)):
            raw.update(_texts(value))
    return {number for value in raw if (number := phone_number(value)) is not None}


def _texts(value: Any) -> Iterator[str]:
    """Each text of JSON data `value` (keys too), each number standing alone inside one, and each JSON number as
    long as a phone's, whole as `privacy` reads one (`whole_number_digits`: `34600123456.0` too), as its digits and
    as the international number they may be."""
    if isinstance(value, str):
        yield value
        yield from _IN_TEXT.findall(value)
    elif (digits := whole_number_digits(value)) is not None:
        if digits.isdigit() and len(digits) >= SHORTEST_INTEGER_MENTION:  # not negative
            yield digits
            yield "+" + digits
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(key)
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
