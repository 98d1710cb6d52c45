from __future__ import annotations

import contextlib
import json
import multiprocessing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from persistence import users
from persistence.db import Database, make_engine
from persistence.errors import InvalidCredentials
from persistence.migrate import (
    SchemaMismatch,
    alembic_config,
    current_revision,
    head_revision,
    require_current,
    upgrade,
)
from persistence.models import Base, CallCampaign
from persistence.users import Role
from tests.persistence import pg
from tests.persistence.statements import run_statements


def test_migrations_create_exactly_the_models(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_every_model_table_exists_after_upgrade(database: Database) -> None:
    tables = set(inspect(database.engine).get_table_names())
    assert {table.name for table in Base.metadata.sorted_tables} <= tables
    assert current_revision(database.url) is not None


def test_upgrade_twice_is_harmless(database_url: str) -> None:
    before = current_revision(database_url)
    upgrade(database_url)
    assert current_revision(database_url) == before


def _old_database(stack: contextlib.ExitStack, tmp_path: Path, backend: str) -> str:
    """The URL of an empty database of `backend` for a migration test to take through the old revisions."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'old.sqlite3'}"
    return stack.enter_context(pg.throwaway_database("mig"))


def _version_row(number: int) -> tuple[str, dict[str, object]]:
    return ("INSERT INTO scenario_versions (scenario_id, number, document, message, validation_summary, created_at, "
            "created_by) VALUES (1, :n, '{}', '', '{}', '2026-01-01', 'x')", {"n": number})  # fmt: skip


def test_0002_keeps_the_versions_and_never_reuses_their_ids(tmp_path: Path) -> None:
    """A database made before 0002: its versions survive the rebuild, and a deleted newest id is not handed out
    again (the version stamp other nodes poll)."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0001")
    scenario = ("INSERT INTO scenarios (id, slug, name, description, draft_document, draft_revision, created_at, "
                "created_by, updated_at, updated_by) VALUES (1, 's', 'S', '', '{}', 1, '2026-01-01', 'x', "
                "'2026-01-01', 'x')")  # fmt: skip
    run_statements(url, (scenario, {}), _version_row(1), _version_row(2))
    upgrade(url, "0002")
    assert current_revision(url) == "0002"
    assert run_statements(url, ("SELECT id, number FROM scenario_versions ORDER BY id", {})) == [(1, 1), (2, 2)]
    newest = run_statements(
        url,
        ("DELETE FROM scenario_versions WHERE id = 2", {}),
        _version_row(3),
        ("SELECT max(id) FROM scenario_versions", {}),
    )
    assert newest == [(3,)]


def test_0003_callback_jobs_keep_their_window_and_older_jobs_none(tmp_path: Path) -> None:
    """Jobs made before 0003 keep their row, with no hours kept (their window_end stays final)."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0002")
    job = ("INSERT INTO callback_jobs (id, due, number, scenario, variables, attempts, max_attempts, status, "
           "created_at) VALUES ('j', '2026-01-01', '+34600111222', 'cb', '{}', 0, 3, 'pending', "
           "'2026-01-01')")  # fmt: skip
    run_statements(url, (job, {}))
    upgrade(url, "0003")
    assert current_revision(url) == "0003"
    assert run_statements(url, ("SELECT id, allowed_hours FROM callback_jobs", {})) == [("j", None)]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_0004_copies_each_calls_result_out_of_its_variables(tmp_path: Path, backend: str) -> None:
    """Calls recorded before 0004 can be filtered by their result too: it is copied out of their variables."""
    with contextlib.ExitStack() as stack:
        url = _old_database(stack, tmp_path, backend)
        upgrade(url, "0003")
        call = ("INSERT INTO call_records (id, scenario, caller_id, caller_name, dialed_number, channel, node, "
                "started_at, duration_ms, outcome, status, variables, trace) VALUES (:id, 's', '', '', '', '', '', "
                "'2026-01-01', 0, 'hung_up', 'answered', :v, '{}')")  # fmt: skip
        variables = {"a": '{"result": "will_pay"}', "b": '{"result": 3}', "c": '{"result": ""}', "d": "{}",
                     "e": '{"result": {"x": 1}}'}  # fmt: skip
        run_statements(url, *((call, {"id": call_id, "v": value}) for call_id, value in variables.items()))
        upgrade(url)
        rows = run_statements(url, ("SELECT id, result FROM call_records ORDER BY id", {}))
    assert rows == [("a", "will_pay"), ("b", "3"), ("c", None), ("d", None), ("e", None)]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_0006_makes_a_campaign_of_each_list_imported_before_it(tmp_path: Path, backend: str) -> None:
    """Lists imported before 0006 are still listed and reported: each gets its campaign, made from its jobs (the
    scenario, when the first was created, how many) and from the audit log (who imported it)."""
    with contextlib.ExitStack() as stack:
        url = _old_database(stack, tmp_path, backend)
        upgrade(url, "0005")
        job = ("INSERT INTO callback_jobs (id, due, number, scenario, variables, attempts, max_attempts, status, "
               "created_at, campaign_id, campaign_row) VALUES (:id, '2026-01-01', '600', 'debts', '{}', 0, 3, "
               "'pending', :at, :campaign, :row)")  # fmt: skip
        audit = ("INSERT INTO audit_events (at, actor, action, target, details) VALUES ('2026-01-01', 'ana', "
                 "'call_list', 'campaign:c1', '{}')")  # fmt: skip
        run_statements(
            url,
            (job, {"id": "j1", "at": "2026-01-02 10:00:00", "campaign": "c1", "row": 1}),
            (job, {"id": "j2", "at": "2026-01-02 09:59:59", "campaign": "c1", "row": 2}),
            (job, {"id": "j3", "at": "2026-01-03 08:00:00", "campaign": "c2", "row": 1}),
            (job, {"id": "j4", "at": "2026-01-03 08:00:00", "campaign": None, "row": None}),  # a single callback
            (audit, {}),
        )
        upgrade(url)
        rows = run_statements(url, ("SELECT id, scenario, name, created_by, jobs FROM campaigns ORDER BY id", {}))
        database = Database(url)
        with database.session() as session:
            first = session.get(CallCampaign, "c1")
            assert first is not None
            created_at, settings = first.created_at, first.settings
        database.dispose()
    assert rows == [("c1", "debts", "", "ana", 2), ("c2", "debts", "", None, 1)]
    assert created_at == datetime(2026, 1, 2, 9, 59, 59, tzinfo=UTC) and settings == {}


_ANSWERED_TRANSFER = json.dumps(
    {"steps": [{"node": "sales", "type": "transfer", "exit": "answered",
                "events": [{"kind": "transfer", "target": "queue:sales", "outcome": "answered"}]},
               {"node": "bye", "type": "say_phrase", "exit": "hangup", "events": []}]}
)  # fmt: skip
_CUT_SHORT_TRANSFER = json.dumps({"steps": [{"node": "sales", "type": "transfer", "exit": "hangup", "events": []}]})


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_0011_tells_callers_who_abandoned_waiting_for_an_operator_from_those_who_left_the_menu(
    tmp_path: Path, backend: str
) -> None:
    """Calls whose caller hung up during a transfer were all `abandoned_in_menu`: one that never connected them
    (a Dial the caller cancelled, a queue they left) reads `abandoned_waiting`, one where they talked to the
    operator and then hung up reads `transferred`. Other statuses, and hangups in the menu, stay as they were."""
    with contextlib.ExitStack() as stack:
        url = _old_database(stack, tmp_path, backend)
        upgrade(url, "0010")
        call = ("INSERT INTO call_records (id, scenario, caller_id, caller_name, dialed_number, channel, node, "
                "started_at, duration_ms, outcome, status, hangup_during, variables, trace) VALUES (:id, 's', '', "
                "'', '', '', '', '2026-01-01', 0, :outcome, :status, :during, '{}', :trace)")  # fmt: skip
        rows = {
            "a": ("caller_hangup", "abandoned_in_menu", "transfer", _CUT_SHORT_TRANSFER),
            "b": ("caller_hangup", "abandoned_in_menu", "transfer", _ANSWERED_TRANSFER),
            "c": ("caller_hangup", "abandoned_in_menu", "play", _ANSWERED_TRANSFER),
            "d": ("caller_hangup", "abandoned_in_menu", None, _CUT_SHORT_TRANSFER),
            "e": ("caller_hangup", "callback_scheduled", "transfer", _CUT_SHORT_TRANSFER),
            "f": ("caller_hangup", "missed", "transfer", _CUT_SHORT_TRANSFER),
            "g": ("transferred", "transferred", "transfer", _ANSWERED_TRANSFER),
            "h": ("caller_hangup", "abandoned_in_menu", "transfer", "{}"),
        }
        run_statements(url, *((call, {"id": i, "outcome": o, "status": s, "during": d, "trace": t})
                    for i, (o, s, d, t) in rows.items()))  # fmt: skip
        upgrade(url, "0011")
        assert current_revision(url) == "0011"
        upgraded = run_statements(url, ("SELECT id, status FROM call_records ORDER BY id", {}))
        command.downgrade(alembic_config(url), "0010")
        downgraded = run_statements(url, ("SELECT id, status FROM call_records ORDER BY id", {}))
    assert upgraded == [("a", "abandoned_waiting"), ("b", "transferred"), ("c", "abandoned_in_menu"),
                        ("d", "abandoned_in_menu"), ("e", "callback_scheduled"), ("f", "missed"),
                        ("g", "transferred"), ("h", "abandoned_waiting")]  # fmt: skip
    # An older ivrgraph knows neither reading: the calls go back to what it would have written.
    assert downgraded == [(i, s) for i, (_, s, _, _) in rows.items()]


def _upgrade_in_a_process(url: str) -> None:
    upgrade(url)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_processes_migrating_one_fresh_database_at_once_all_succeed(tmp_path: Path, backend: str) -> None:
    """Review, 2026-12-05: of nodes started together on a fresh database, one died (PostgreSQL: a duplicate type;
    SQLite: a revision half done by the other). The upgrade now runs under a lock, one process at a time."""
    with contextlib.ExitStack() as stack:
        url = _old_database(stack, tmp_path, backend)
        context = multiprocessing.get_context("spawn")  # separate interpreters, as separate nodes are
        processes = [context.Process(target=_upgrade_in_a_process, args=(url,)) for _ in range(3)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(120)
        assert [process.exitcode for process in processes] == [0, 0, 0]
        assert current_revision(url) == head_revision()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_database_newer_or_older_than_the_code_is_refused_in_words(tmp_path: Path, backend: str) -> None:
    with contextlib.ExitStack() as stack:
        url = _old_database(stack, tmp_path, backend)
        with pytest.raises(SchemaMismatch, match="has no ivrgraph schema, and this ivrgraph runs on"):
            require_current(url)
        upgrade(url, "0007")
        with pytest.raises(SchemaMismatch, match=r"is at schema revision 0007.*run `ivrgraph db upgrade`"):
            require_current(url)  # a node that does not migrate, on code newer than the database
        upgrade(url)
        require_current(url)
        run_statements(url, ("UPDATE alembic_version SET version_num = '9999'", {}))  # a newer ivrgraph migrated it
        with pytest.raises(SchemaMismatch, match="at schema revision 9999, newer than this ivrgraph knows"):
            upgrade(url)
        with pytest.raises(SchemaMismatch, match=r"newer than this ivrgraph knows .*upgrade ivrgraph on this node"):
            require_current(url)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_0009_reads_calls_the_server_failed_as_failed(tmp_path: Path, backend: str) -> None:
    """Calls to an unknown scenario or on a broken AGI session were stored with the status their ANSWER gave them
    (review of 2026-12-05); a callback the flow scheduled stays one, and records written before keep no UNIQUEID."""
    with contextlib.ExitStack() as stack:
        url = _old_database(stack, tmp_path, backend)
        upgrade(url, "0008")
        call = ("INSERT INTO call_records (id, scenario, caller_id, caller_name, dialed_number, channel, node, "
                "started_at, duration_ms, outcome, status, variables, trace) VALUES (:id, 's', '', '', '', '', '', "
                "'2026-01-01', 0, :outcome, :status, '{}', '{}')")  # fmt: skip
        rows = {"a": ("unknown_scenario", "answered"), "b": ("protocol_error", "abandoned_in_menu"),
                "c": ("protocol_error", "callback_scheduled"), "d": ("hung_up", "answered"),
                "e": ("unknown_scenario", "missed")}  # fmt: skip
        run_statements(url, *((call, {"id": i, "outcome": o, "status": s}) for i, (o, s) in rows.items()))
        upgrade(url)
        query = "SELECT id, status, asterisk_uniqueid, hangup_during FROM call_records ORDER BY id"
        stored = run_statements(url, (query, {}))
    assert stored == [("a", "failed", "", None), ("b", "failed", "", None), ("c", "callback_scheduled", "", None),
                      ("d", "answered", "", None), ("e", "failed", "", None)]  # fmt: skip


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_0012_traces_each_call_to_the_version_row_it_ran_where_that_is_sure(tmp_path: Path, backend: str) -> None:
    """Calls recorded before 0012 name their version by slug and number: traced to the version row when the
    slug's scenario was there when the call started. A call older than the scenario now under its slug ran one
    deleted since (its versions are gone) and is traced to none, as is a call of a slug nobody has any more."""
    with contextlib.ExitStack() as stack:
        url = _old_database(stack, tmp_path, backend)
        upgrade(url, "0011")
        scenario = ("INSERT INTO scenarios (id, slug, name, description, draft_document, draft_revision, "
                    "latest_version, created_at, created_by, updated_at, updated_by) VALUES (:id, :slug, 'S', '', "
                    "'{}', 1, :latest, :at, 'x', :at, 'x')")  # fmt: skip
        version = ("INSERT INTO scenario_versions (id, scenario_id, number, document, message, validation_summary, "
                   "created_at, created_by) VALUES (:id, :scenario, :n, :doc, '', '{}', :at, 'x')")  # fmt: skip
        call = ("INSERT INTO call_records (id, scenario, version, caller_id, caller_name, dialed_number, channel, "
                "node, started_at, duration_ms, outcome, status, variables, trace) VALUES (:id, :slug, :v, '', '', "
                "'', '', '', :at, 0, 'hung_up', 'answered', '{}', '{}')")  # fmt: skip
        run_statements(
            url,
            (scenario, {"id": 1, "slug": "sales", "latest": 2, "at": "2026-01-01"}),
            (version, {"id": 1, "scenario": 1, "n": 1, "doc": '{"v": "sales 1"}', "at": "2026-01-01"}),
            (version, {"id": 2, "scenario": 1, "n": 2, "doc": '{"v": "sales 2"}', "at": "2026-01-15"}),
            # `again` was deleted and created anew on 2026-03-01: its v1 is not the v1 of February's calls.
            (scenario, {"id": 2, "slug": "again", "latest": 1, "at": "2026-03-01"}),
            (version, {"id": 3, "scenario": 2, "n": 1, "doc": '{"v": "again 1"}', "at": "2026-03-01"}),
            *((call, {"id": i, "slug": slug, "v": v, "at": at}) for i, slug, v, at in [
                ("a", "sales", 1, "2026-01-10"), ("b", "sales", 2, "2026-02-01"), ("c", "again", 1, "2026-02-01"),
                ("d", "again", 1, "2026-04-01"), ("e", "sales", None, "2026-02-01"), ("f", "gone", 1, "2026-02-01"),
            ]),
        )  # fmt: skip
        upgrade(url, "0012")
        traced = run_statements(url, ("SELECT id, version_id FROM call_records ORDER BY id", {}))
        versions = run_statements(url, ("SELECT id FROM scenario_versions ORDER BY id", {}))
        live = run_statements(url, ("SELECT slug FROM scenarios WHERE deleted_at IS NULL ORDER BY slug", {}))
        # A scenario deleted under 0012 is kept with its versions; going back, it goes with them, and no other does.
        run_statements(url, ("UPDATE scenarios SET deleted_at = '2026-05-01', slug = '~1-sales' WHERE id = 1", {}))
        command.downgrade(alembic_config(url), "0011")
        after_downgrade = run_statements(url, ("SELECT scenario_id, id FROM scenario_versions ORDER BY id", {}))
        engine = make_engine(url)
        columns = {column["name"] for column in inspect(engine).get_columns("call_records")}
        engine.dispose()
    assert traced == [("a", 1), ("b", 2), ("c", None), ("d", 3), ("e", None), ("f", None)]
    assert versions == [(1,), (2,), (3,)]
    assert live == [("again",), ("sales",)]
    assert after_downgrade == [(2, 3)]
    assert "version_id" not in columns


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_0014_tokens_made_before_act_with_their_users_role_and_a_downgrade_drops_the_narrower_ones(
    tmp_path: Path, backend: str
) -> None:
    """Tokens made before 0014 get their user's role as it is then: they act with it, capped by a demotion, and a
    promotion does not widen them (security review, 2026-12-05). Going back, a token made with less than its user's
    role goes (the code before 0014 would let it act with all of it); the others stay."""
    with contextlib.ExitStack() as stack:
        url = _old_database(stack, tmp_path, backend)
        upgrade(url, "0013")
        user = ("INSERT INTO users (id, username, password_hash, role, active, created_at) VALUES (:id, :name, 'x', "
                ":role, :active, '2026-01-01')")  # fmt: skip
        run_statements(
            url,
            (user, {"id": 1, "name": "pub", "role": "publisher", "active": True}),
            (user, {"id": 2, "name": "gone", "role": "admin", "active": False}),
            (user, {"id": 3, "name": "boss", "role": "admin", "active": True}),  # so user 1 may be demoted again
            *(("INSERT INTO api_tokens (user_id, kind, name, token_hash, created_at) VALUES (:user, 'api', 'old', "
               ":hash, '2026-01-01')", {"user": u, "hash": users.digest(secret)})
              for u, secret in ((1, "old-secret"), (2, "gone-secret"))),
        )  # fmt: skip
        upgrade(url)  # through 0014 and on: the code under test reads the users as the newest revision has them
        database = Database(url)
        with database.session() as session:
            assert users.resolve(session, secret="old-secret", kind="api").role is Role.PUBLISHER
            with pytest.raises(InvalidCredentials):  # a deactivated user's token stays refused
                users.resolve(session, secret="gone-secret", kind="api")
            assert [users.acting_role(t) for t in users.list_api_tokens(session, user_id=1)] == [Role.PUBLISHER]
            narrow = users.create_api_token(session, user_id=1, name="viewer", role="viewer").secret
            same = users.create_api_token(session, user_id=1, name="publisher").secret
        with database.session() as session:
            users.update_user(session, user_id=1, role="editor")
        with database.session() as session:
            assert users.resolve(session, secret="old-secret", kind="api").role is Role.EDITOR
            assert users.resolve(session, secret=same, kind="api").role is Role.EDITOR
            assert users.resolve(session, secret=narrow, kind="api").role is Role.VIEWER
        with database.session() as session:  # a promotion widens no token, one made before 0014 included
            users.update_user(session, user_id=1, role="admin")
        with database.session() as session:
            assert users.resolve(session, secret="old-secret", kind="api").role is Role.PUBLISHER
            assert users.resolve(session, secret=same, kind="api").role is Role.PUBLISHER
        with database.session() as session:
            users.update_user(session, user_id=1, role="publisher")
        database.dispose()
        command.downgrade(alembic_config(url), "0013")
        kept = run_statements(url, ("SELECT user_id, name FROM api_tokens ORDER BY id", {}))
    assert kept == [(1, "old"), (2, "old"), (1, "publisher")]
