# ruff: noqa: RUF001, RUF002  -- the names are Cyrillic, Greek and Turkish on purpose
"""The register's caller-name search reads a folded name stored with the record (migration 0023), on SQLite and
PostgreSQL: every writer stores it, the search finds what the fold in the query found, PostgreSQL answers it from a
trigram index, and a record without it (an older node's, during a rolling upgrade) is still found.

Scale review (100,000 calls on PostgreSQL): the search folded each row's name in the query, which no index serves,
so a name found nowhere read the whole register (1.76 s quiet, 6.9 s under load).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event, select, text

from agi_server.records import CallRecord as RuntimeRecord
from agi_server.rejected import replay_spooled
from agi_server.spool import RecordSpool
from persistence import calls
from persistence.calls import CallFilter, CallRecordIn, CallRecordWriter
from persistence.db import Database
from persistence.folding import contains
from persistence.models import CallRecord
from tests.persistence import pg
from tests.persistence.named_calls import T0, write_named_calls

NAMES = ("ПЕТРОВА ЮЛИЯ", "Петров Пётр", "СЕМЁНОВ", "Семенова", "Ivanova Maria", "JUAN PÉREZ", "Nuñez ÑANDÚ",
         "ҚАРЫЗ Әлия", "Ο ΔΗΜΟΣ", "Łukasz Żółć", "VIP_100%", "A\\B", "")  # fmt: skip
SEARCHES = ("петрова", "Петров", "ПЁТР", "петр", "семенов", "Семёнов", "ivanOVA", "ова", "pérez", "PEREZ", "ñandú",
            "қарыз", "әлия", "δημο", "ŁUKASZ", "żółć", "_", "100%", "\\", "%", "a", "Смирнов", " ")  # fmt: skip


def _found(database: Database, **filters: object) -> list[str]:
    with database.session() as session:
        rows, _ = calls.list_calls(session, filters=CallFilter(**filters), limit=100)  # type: ignore[arg-type]
        return [row.id for row in rows]


def _folded_names(database: Database) -> dict[str, str | None]:
    with database.engine.connect() as conn:
        return dict(conn.execute(text("SELECT id, caller_name_folded FROM call_records")).all())


def _same_as_folding_in_the_query(database: Database) -> None:
    ids = write_named_calls(database, *NAMES)
    for typed in SEARCHES:
        with database.session() as session:
            query = select(CallRecord.id).where(CallRecord.id.in_(ids), contains(CallRecord.caller_name, typed))
            before = session.scalars(query).all()
        assert sorted(_found(database, caller_name=typed)) == sorted(before), typed
    assert _found(database, caller_name="семён") == ["call-3", "call-2"]  # the comparison is not vacuous
    assert _found(database, caller_name="ñandú") == ["call-6"]


def test_the_search_finds_what_folding_each_name_in_the_query_found(database: Database) -> None:
    """The same calls for accented, Cyrillic, Greek and mixed-case names as the former query, which folded each
    row's name as it read it (persistence.folding.contains). (Where PostgreSQL's lower() and Python's casefold
    differ, the stored name is Python's, as SQLite's search was: ß is found by "ss" and a final ς by σ there too,
    and İ by i, `test_a_turkish_dotted_capital_i_is_found_by_i`.)"""
    _same_as_folding_in_the_query(database)


@pytest.mark.postgres
def test_the_search_finds_the_same_on_a_database_whose_locale_is_c(c_locale_database: Database) -> None:
    _same_as_folding_in_the_query(c_locale_database)


def test_a_turkish_dotted_capital_i_is_found_by_i(database: Database) -> None:
    """PostgreSQL's lower() under a real locale made İ an i, and "istanbul" found "İSTANBUL" there; Python's
    casefold makes it i and a combining dot, which the stored folded name does not keep."""
    write_named_calls(database, "İSTANBUL ŞUBESİ", "Izmir")
    assert _found(database, caller_name="istanbul") == ["call-0"]
    assert _found(database, caller_name="İstanbul") == ["call-0"]
    assert _found(database, caller_name="şubesi") == ["call-0"]


def test_every_writer_stores_the_folded_name(database: Database, tmp_path: Path) -> None:
    """The FastAGI writer (CallRecordWriter, with the runtime's own record object) and a spool's replay."""
    write_named_calls(database, "ПЁТР Петров", "", "Straße ÑANDÚ")
    spool = RecordSpool(tmp_path / "spool")
    spool.put([RuntimeRecord(call_id="kept", scenario="debts", version=None, started_at=T0, ended_at=T0,
                             outcome="hung_up", facts={"caller_name": "СЕМЁНОВА Ё"})])  # fmt: skip
    assert replay_spooled(database, spool).complete
    cut = "Я" * 250  # longer than the name's column: the folded name is the stored name's
    CallRecordWriter(database).write_batch(
        [CallRecordIn(call_id="long", scenario="debts", started_at=T0, outcome="hung_up", caller_name=cut, trace={})]
    )
    assert _folded_names(database) == {
        "call-0": "петр петров",
        "call-1": "",
        "call-2": "strasse ñandú",
        "kept": "семенова е",
        "long": "я" * 200,
    }
    assert _found(database, caller_name="семенова") == ["kept"]


def test_a_record_an_older_node_wrote_without_the_folded_name_is_still_found(database: Database) -> None:
    """During a rolling upgrade a node of the release before 0023 writes no folded name: the search compares its
    name as written, folded in the query."""
    write_named_calls(database, "Петрова Анна", "Иванова")
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE call_records SET caller_name_folded = NULL WHERE id = 'call-0'"))
    assert _found(database, caller_name="ПЕТРОВА") == ["call-0"]
    assert _found(database, caller_name="ова") == ["call-1", "call-0"]
    assert _found(database, caller_name="смирнова") == []


def _plan(database: Database, typed: str, *settings: str) -> str:
    """PostgreSQL's plan of the register's first page for the name `typed`, as list_calls sends it."""
    sent: list[tuple[str, object]] = []

    def keep(conn: object, cursor: object, statement: str, parameters: object, *_: object) -> None:
        sent.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", keep)
    try:
        _found(database, caller_name=typed)
    finally:
        event.remove(database.engine, "before_cursor_execute", keep)
    [(statement, parameters)] = [(s, p) for s, p in sent if "FROM call_records" in s]
    with database.engine.begin() as conn:
        for setting in settings:
            conn.execute(text(f"SET LOCAL {setting}"))
        rows = conn.exec_driver_sql(f"EXPLAIN {statement}", parameters).scalars().all()  # type: ignore[arg-type]
    return "\n".join(rows)


@pytest.mark.postgres
def test_postgresql_answers_the_name_search_from_its_trigram_index(postgres_url: str) -> None:
    database = Database(postgres_url)
    try:
        write_named_calls(database, *(f"Caller {n} Петрова" for n in range(200)), "Смирнова Ольга")
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE call_records"))
        plan = _plan(database, "смирнова", "enable_seqscan = off", "enable_indexscan = off")
        assert _found(database, caller_name="смирнова") == ["call-200"]
    finally:
        pg.empty_tables(database)
        database.dispose()
    # The name by its trigrams, and the few calls with no folded name by their partial index: nothing else read.
    assert "Bitmap Index Scan on ix_call_records_caller_name_trgm" in plan, plan
    assert "Bitmap Index Scan on ix_call_records_name_unfolded" in plan, plan
    assert "ix_call_records_started" not in plan, plan
