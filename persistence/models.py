"""Tables as SQLAlchemy 2 typed models. Schema changes go through a migration in `persistence/migrations/`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from persistence.database_clock import DatabaseNow

# Named constraints keep migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JsonData = JSON().with_variant(JSONB(), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite stores no offset, so we put UTC back on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use timezone-aware values")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def fold_username(username: str) -> str:
    """A user name as names are compared: `ana`, `Ana` and `ANA` are one user, who signs in with any of them. Python's
    `str.casefold()` (Unicode full case folding, the same on every database, unlike SQL lower()): names the API takes
    are ASCII, where it lower-cases; a first admin named by IVRGRAPH_ADMIN_USER may be in any alphabet ("Straße" is
    "strasse"). Migration 0021 folded the names before it the same way: a change here needs a migration too."""
    return username.casefold()


class User(Base):
    __tablename__ = "users"
    __table_args__ = (Index("uq_users_username_folded", "username_folded", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)  # as it was typed, shown as it is
    # `fold_username(username)`, set with the name: unique, so no two users' names differ in case only. At most
    # three times as long (casefold turns one character into three at most).
    username_folded: Mapped[str] = mapped_column(String(300))
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id
    role: Mapped[str] = mapped_column(String(20))  # viewer | editor | publisher | admin
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Reads callers' and clients' data (numbers, names, variables, traces, list rows) unmasked: a permission of its own,
    # beside the role (persistence.users, api.personal_data). New users are made without it unless given it; an
    # admin always has it. Users from before migration 0020 kept the access they had.
    sees_personal_data: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @validates("username")
    def _fold(self, _key: str, username: str) -> str:
        self.username_folded = fold_username(username)
        return username


class ApiToken(Base):
    """Bearer tokens for integrations and login sessions for the designer. Only a SHA-256 of the secret is kept.
    An API token acts with its own `role` when that is below its user's current one, and reads personal data masked
    when made without `sees_personal_data` (persistence.users.resolve)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "api" | "session"
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str | None] = mapped_column(String(64))  # sessions only
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # viewer | editor | publisher | admin: the most an API token may do. None: its user's role (sessions, and API
    # tokens made before tokens had a role of their own).
    role: Mapped[str | None] = mapped_column(String(20))
    # Whether an API token may read personal data unmasked, and only while its user may (persistence.users
    # `token_reads_personal_data`). None: as its user (sessions, API tokens made without saying, and those made
    # before tokens had this of their own, migration 0025).
    sees_personal_data: Mapped[bool | None] = mapped_column(Boolean)
    # Many-to-one: loaded from the session's identity map when its user is there already (no query per token).
    user: Mapped[User] = relationship()


class Scenario(Base):
    """A scenario. A deleted one is kept with its published versions, which the calls that ran them still open
    (call_records.version_id), and is seen by nothing else (`deleted_at`): its slug becomes `~<id>-<slug>`, which
    no slug can be, so the slug is free for a new scenario and stays unique among the live ones. (A slug unique
    only where deleted_at is null would need SQLite to rebuild this table, and dropping it cascades into
    scenario_versions, the rows being kept.)"""

    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    draft_document: Mapped[dict[str, Any]] = mapped_column(JsonData)
    draft_revision: Mapped[int] = mapped_column(Integer, default=1)
    latest_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # None while it is live


class ScenarioVersion(Base):
    """A published document. Never updated: a rollback publishes an old document as a new version."""

    __tablename__ = "scenario_versions"
    __table_args__ = (
        UniqueConstraint("scenario_id", "number", name="uq_scenario_versions_scenario_number"),
        {"sqlite_autoincrement": True},  # never reuse a deleted row's id: it is the version stamp (migration 0002)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # grows with every publish: the version stamp
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JsonData)
    message: Mapped[str] = mapped_column(Text, default="")
    # A rollback: the number of the version whose document it published again (migration 0026); None for a publish.
    rolled_back_to: Mapped[int | None] = mapped_column(Integer)
    validation_summary: Mapped[dict[str, Any]] = mapped_column(JsonData)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="")


class AudioAsset(Base):
    __tablename__ = "audio_assets"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(20), default="en")
    media_name: Mapped[str] = mapped_column(String(300), unique=True)  # relative to the media folder
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(10))  # wav | gsm | ulaw | sln16 ...
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class DataSource(Base):
    """An external database the SQL block queries. `url` carries the password: the API never returns it."""

    __tablename__ = "data_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    url: Mapped[str] = mapped_column(Text)
    read_only: Mapped[bool] = mapped_column(Boolean, default=True)
    # Whether an editor's "Try query" may run on it (api/query_try.py): an admin's choice, by default a read-only
    # source's account only (migration 0031).
    tries_allowed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CallRecord(Base):
    __tablename__ = "call_records"
    __table_args__ = (
        # The call register lists newest first, usually filtered by one of these; (started_at, id) is the key.
        Index("ix_call_records_started", "started_at", "id"),
        Index("ix_call_records_scenario_started", "scenario", "started_at", "id"),
        Index("ix_call_records_status_started", "status", "started_at", "id"),
        Index("ix_call_records_caller_started", "caller_id", "started_at", "id"),
        Index("ix_call_records_dialed_started", "dialed_number", "started_at", "id"),  # a callback's client
        Index("ix_call_records_result_started", "result", "started_at", "id"),
        Index("ix_call_records_asterisk_uniqueid", "asterisk_uniqueid"),
        Index("ix_call_records_recorded", "recorded_at", "id"),  # what an integrator pulls: stored since a cursor
        # The number search looks the keys up (persistence.calls.number_key), on either end of the call.
        Index("ix_call_records_caller_key_started", "caller_key", "started_at", "id"),
        Index("ix_call_records_dialed_key_started", "dialed_key", "started_at", "id"),
        Index("ix_call_records_origin_started", "origin_call_id", "started_at", "id"),  # the attempts a call asked for
        # The calls where a step failed, newest first: a few among many, so only theirs are in the index.
        Index(
            "ix_call_records_errors_started",
            "started_at",
            "id",
            sqlite_where=text("error_steps > 0"),
            postgresql_where=text("error_steps > 0"),
        ),
        # The calls that asked for a job (persistence.calls._holds_text): PostgreSQL finds a job's id in the lists by
        # GIN (`@>`); SQLite has no index of a list's items, and reads this one, of the calls that asked for any.
        Index(
            "ix_call_records_scheduled_jobs",
            "scheduled_job_ids",
            postgresql_using="gin",
            postgresql_ops={"scheduled_job_ids": "jsonb_path_ops"},
            sqlite_where=text("scheduled_job_ids <> '[]'"),
        ),
        # The caller-name search (persistence.calls._name_contains), a substring of the folded names: PostgreSQL finds
        # it by trigrams (pg_trgm; migration 0023 leaves the index out where the extension cannot be created). SQLite
        # has no index that finds a substring: it reads the register, and this index holds no row there (WHERE 0).
        Index(
            "ix_call_records_caller_name_trgm",
            "caller_name_folded",
            postgresql_using="gin",
            postgresql_ops={"caller_name_folded": "gin_trgm_ops"},
            sqlite_where=text("0"),
        ),
        # The calls whose name is not folded (an older node's, during a rolling upgrade): none but those, so the name
        # search finds them by their name as written at no cost to the others.
        Index(
            "ix_call_records_name_unfolded",
            "started_at",
            "id",
            sqlite_where=text("caller_name_folded IS NULL"),
            postgresql_where=text("caller_name_folded IS NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the call id
    scenario: Mapped[str] = mapped_column(String(64))
    version: Mapped[int | None] = mapped_column(Integer)
    # The scenario_versions row the call ran: the slug and number alone name another document once the scenario
    # is deleted and created again. None when no scenario ran, and for records no version could be traced to.
    version_id: Mapped[int | None] = mapped_column(Integer)
    caller_id: Mapped[str] = mapped_column(String(80), default="")
    # The numbers as the search compares them (persistence.calls.number_key: cleaned, "00" as "+"), set as the
    # record is written. None only for a record an older node wrote during a rolling upgrade (migration 0022).
    caller_key: Mapped[str | None] = mapped_column(String(80))
    caller_name: Mapped[str] = mapped_column(String(200), default="")
    # The name as the name search compares it (persistence.folding.fold: case-folded in every alphabet), set as the
    # record is written; longer than the name when folding spells a letter out (ß as ss). None only for a record an
    # older node wrote during a rolling upgrade (migration 0023), which the search reads by its name as written.
    caller_name_folded: Mapped[str | None] = mapped_column(Text)
    dialed_number: Mapped[str] = mapped_column(String(80), default="")
    dialed_key: Mapped[str | None] = mapped_column(String(80))
    channel: Mapped[str] = mapped_column(String(200), default="")
    node: Mapped[str] = mapped_column(String(100), default="")  # which FastAGI node took the call
    # Asterisk's UNIQUEID of the channel (agi_uniqueid): what its CDR and CEL records carry, to join them to this.
    asterisk_uniqueid: Mapped[str] = mapped_column(String(150), default="")
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(30))  # graph_engine.trace.CallOutcome
    status: Mapped[str] = mapped_column(String(30))  # call-register status, derived when written
    last_node: Mapped[str | None] = mapped_column(String(100))
    # What the call was doing when the caller hung up (play, read_digits, transfer...), if they did.
    hangup_during: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)
    origin_call_id: Mapped[str | None] = mapped_column(String(64))  # the call that scheduled this callback
    callback_job_id: Mapped[str | None] = mapped_column(String(36), index=True)  # the job this call rang back for
    # The jobs this call's Callback blocks scheduled or joined (persistence.calls.scheduled_job_ids), [] for none;
    # and how many of its steps took their error exit. None: not known (migration 0022: a trace stripped before it).
    scheduled_job_ids: Mapped[list[str] | None] = mapped_column(JsonData)
    error_steps: Mapped[int | None] = mapped_column(Integer)
    # Whether a step of the call set `result` (persistence.calls.result_set_by_a_step): a campaign counts a client
    # who hung up before any did (campaign_reports.hung_up_early) without reading the trace. None: recorded before
    # migration 0032 and not a campaign's early hangup it filled in. Deferred: only that count reads it, and a
    # record loaded whole (the register) never asks a database migrated before 0032 for it.
    result_set_by_a_step: Mapped[bool | None] = mapped_column(Boolean, deferred=True)
    # The flow's `result` variable (a Hang Up or Set Variable block's), copied out of `variables` to be filtered on.
    result: Mapped[str | None] = mapped_column(String(64))
    variables: Mapped[dict[str, Any]] = mapped_column(JsonData)
    trace: Mapped[dict[str, Any]] = mapped_column(JsonData)
    # When the record was stored (persistence.calls.write_batch), which is when the call ended or, for a record kept
    # in a node's spool while the database was away, when it was replayed: the order an incremental pull follows.
    # Strictly later for each insert than for every one committed before it (ties only within one batch). The
    # database's clock stamps a record written without it: an older release's, in a rolling upgrade (0018).
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=DatabaseNow())


class PathCount(Base):
    """How the calls of one published version that started in one UTC hour went through one node, or took one of
    its exits: the canvas's flow statistics (persistence.path_counts), added in the transaction that stores the
    call records, so a month of calls is read as a few thousand rows instead of every call's trace.

    `node` "" (no node id is empty) is the row of the hour's calls; `exit` "" (no exit is named "") a node's own row,
    with its hangups and ended calls. Counts of one call are in one hour's rows only: they add up across hours."""

    __tablename__ = "path_counts"

    version_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # scenario_versions.id, as call_records'
    hour: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)  # the UTC hour the calls started
    node: Mapped[str] = mapped_column(String(64), primary_key=True)
    exit: Mapped[str] = mapped_column(String(64), primary_key=True)
    visits: Mapped[int] = mapped_column(Integer, default=0)  # steps: a call looping through a menu counts each time
    calls: Mapped[int] = mapped_column(Integer, default=0)  # distinct calls
    hangups: Mapped[int] = mapped_column(Integer, default=0)  # calls whose caller hung up at the node
    ended: Mapped[int] = mapped_column(Integer, default=0)  # calls whose path on this canvas ended at the node


class CallbackJob(Base):
    __tablename__ = "callback_jobs"
    __table_args__ = (
        Index("ix_callback_jobs_status_due", "status", "due"),
        Index("ix_callback_jobs_number_created", "number", "created_at"),  # a CRM's jobs of one client, newest first
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    due: Mapped[datetime] = mapped_column(UtcDateTime)
    window_end: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The allowed hours (blocks.timewindows.callback_window): a retry past window_end moves to their next opening.
    allowed_hours: Mapped[dict[str, Any] | None] = mapped_column(JsonData)
    number: Mapped[str] = mapped_column(String(80))
    scenario: Mapped[str] = mapped_column(String(64), index=True)
    variables: Mapped[dict[str, Any]] = mapped_column(JsonData)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending|dialing|done|failed|expired
    outcome: Mapped[str | None] = mapped_column(String(30))
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # When a FastAGI call named the job (the callee heard its scenario); None while none did.
    reached_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Until when the callee of its answered attempt may still be on the line (migration 0034): the dialer sets it
    # with the answer, its `settle_answer` at the hangup clears it. Meanwhile no other job rings that number.
    on_line_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    origin_call_id: Mapped[str | None] = mapped_column(String(64))
    campaign_id: Mapped[str | None] = mapped_column(String(36), index=True)  # the call list it came from
    campaign_row: Mapped[int | None] = mapped_column(Integer)  # its client's place in that list, from 1
    # The row of the list's file the client was read from (its header and empty rows counted), as the check named
    # it and the analyst's sheet shows it; None for lists sent without row numbers, and before they were kept.
    list_row: Mapped[int | None] = mapped_column(Integer)
    locked_by: Mapped[str | None] = mapped_column(String(100))
    lock_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CallCampaign(Base):
    """One imported call list: what the analyst called it, who started it, and when and how it is called. Its
    clients are the callback jobs with its `campaign_id`."""

    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    scenario: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")  # e.g. the list's file name; "" for none
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    jobs: Mapped[int] = mapped_column(Integer, default=0)  # clients in the list
    # The settings it was started with (due, until, hours, timezone, holidays, max_attempts); {} for lists imported
    # before campaigns were kept.
    settings: Mapped[dict[str, Any]] = mapped_column(JsonData)
    # When it was stopped; None while it runs. Its clients still being dialled then end `cancelled` after that
    # call instead of going back to pending (persistence.callbacks).
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # When a supervisor paused it and who (migration 0027); None while it calls. The dialer claims none of its
    # clients while it is paused; a call ringing then ends as usual (persistence.campaign_pause).
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    paused_by: Mapped[str | None] = mapped_column(String(100))


class CampaignSkippedRow(Base):
    """A row of a campaign's list left out for its number, which an earlier row has (`first_row`, the client
    called instead), when the list was scheduled with duplicates skipped (migration 0028), with its own number and
    cells (migration 0033): the campaign's report lists it in its place, as the file had it, so every row of the
    file is accounted for and the supervisor sees which record was dropped. The same person's as the first row's
    (one phone): an erasure of that client clears them too (persistence.privacy)."""

    __tablename__ = "campaign_skipped_rows"

    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    # As the report's `row` names a client: the file's row, or the place among the rows sent without them.
    list_row: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    first_row: Mapped[int] = mapped_column(Integer)
    # The number as dialled (the first row's job's), which an erasure finds it by; as typed in the row (`written`);
    # and the row's cells, as a client's are kept in their job's `contact`. None: skipped before 0033, or erased.
    number: Mapped[str | None] = mapped_column(String(80))
    written: Mapped[str | None] = mapped_column(String(200))
    cells: Mapped[dict[str, Any] | None] = mapped_column(JsonData)


class CallbackAttempt(Base):
    __tablename__ = "callback_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("callback_jobs.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    outcome: Mapped[str] = mapped_column(String(30))  # answered | busy | no_answer | failed ...
    call_id: Mapped[str | None] = mapped_column(String(64))


class IdempotencyKey(Base):
    """An `Idempotency-Key` a user sent with a request that creates something (a callback, a call list), and what
    it answered: the same key again within a day answers that again instead of creating another (a CRM retrying
    after a timeout must not get its client called twice). One row per user and key: concurrent retries meet on
    the unique constraint, and only the first creates."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the endpoint and the request body: the same key sent for another request is refused.
    request_hash: Mapped[str] = mapped_column(String(64))
    endpoint: Mapped[str] = mapped_column(String(100))  # e.g. "POST /api/callbacks", named in a refusal
    # What was answered; None only inside the transaction that claimed the key and is creating the thing.
    status_code: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[dict[str, Any] | None] = mapped_column(JsonData)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))  # publish | rollback | delete | ...
    target: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JsonData)


class InstallSecret(Base):
    """A random secret of this installation, made on first use and shared by every node through the database:
    `privacy` keys the hash that stands for an erased data subject's number with it (persistence.privacy)."""

    __tablename__ = "install_secrets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class DiallingHold(Base):
    """While its one row is there, no node's dialer claims a job: dialling is held for the whole database, until
    an admin resumes it (persistence.dialling_hold). `reason`: `backup` (written into the copy `ivrgraph db backup`
    makes, so a restored database starts held) or `admin`."""

    __tablename__ = "dialling_hold"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    held_at: Mapped[datetime] = mapped_column(UtcDateTime)
    held_by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(20))
