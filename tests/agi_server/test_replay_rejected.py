"""Call records set aside in a spool folder (`rejected-*.jsonl`): a node says so at start, and `ivrgraph records
replay-rejected` writes them once the database takes them (an administrator's review: in a rolling upgrade a node
of the previous release had every record refused, and the files stayed on disk for good, nothing said)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from agi_server.node import DatabaseRuntime, refusal
from agi_server.records import CallRecord, RecordsRejected, RecordWriter
from agi_server.spool import RecordSpool, spool_for
from graph_engine.services import SilentTts
from ivrgraph.cli import main
from persistence.calls import CallRecordWriter
from persistence.db import Database
from persistence.migrate import upgrade
from tests.persistence import pg
from tests.persistence.statements import run_statements

T0 = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _record(call_id: str, *, refused: bool = False) -> CallRecord:
    record = CallRecord(call_id=call_id, scenario="s", version=1, started_at=T0, ended_at=T0, outcome="hung_up")
    if refused:  # the column is NOT NULL: the database refuses the record for what it holds, on every backend
        record.outcome = None  # type: ignore[assignment]
    return record


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of its own (a replay test looks at every row of it)."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'calls.sqlite3'}"
        else:
            url = stack.enter_context(pg.throwaway_database("replay"))
        upgrade(url)
        yield url


def _stored(url: str) -> list[str]:
    return [str(row[0]) for row in run_statements(url, ("SELECT id FROM call_records ORDER BY id", {}))]


def _replay(*args: str) -> int:
    return main(["records", "replay-rejected", *args])


def test_set_aside_records_are_written_and_only_files_wholly_in_go(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The spool folder nodes use for the database (found as they find it): a file whose records all go in is
    removed; one holding a record still refused is kept whole, and the record named with why. A record stored
    since it was set aside is counted as such, not written twice; a second run finds the same."""
    spool = spool_for(database_url)
    whole = spool.reject([_record("a1"), _record("a2")])
    mixed = spool.reject([_record("b1"), _record("b2", refused=True), _record("b3")])
    stored_since = spool.reject([_record("c1")])
    database = Database(database_url)
    try:
        CallRecordWriter(database).write_batch([_record("c1")])  # the node's writer retried it after all
    finally:
        database.dispose()

    assert _replay("--database", database_url) == 1  # one record is still not in
    out = capsys.readouterr().out.splitlines()

    assert _stored(database_url) == ["a1", "a2", "b1", "b3", "c1"]
    assert not whole.exists() and not stored_since.exists() and mixed.exists()
    assert f"{whole.name}: 2 written, 0 already stored, 0 still refused; removed" in out
    assert f"{mixed.name}: 2 written, 0 already stored, 1 still refused; kept" in out
    refused = [line for line in out if "call_id=b2 still refused:" in line]
    assert len(refused) == 1 and "outcome" in refused[0]  # the database's own reason: NOT NULL on outcome
    assert f"{stored_since.name}: 0 written, 1 already stored, 0 still refused; removed" in out
    assert out[-1].startswith(f"{spool.folder} into ") and out[-1].endswith(
        ": 4 written, 1 already stored, 1 still refused; 2 files removed, 1 kept"
    )

    assert _replay("--database", database_url) == 1
    again = capsys.readouterr().out.splitlines()
    assert f"{mixed.name}: 0 written, 2 already stored, 1 still refused; kept" in again
    assert _stored(database_url) == ["a1", "a2", "b1", "b3", "c1"]


def test_a_folder_with_nothing_set_aside_says_so_and_succeeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'calls.sqlite3'}"
    upgrade(url)
    assert _replay("--database", url, "--spool", str(tmp_path)) == 0
    assert capsys.readouterr().out.strip() == f"no set-aside call records in {tmp_path}"


async def test_records_refused_until_the_cause_is_fixed_are_all_written_then(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the review saw, start to end, through a node's own writer: the database refuses every record (here a
    trigger, there the new schema), the node sets them aside; the replay writes none of them while the cause
    lasts, and every one once it is gone, leaving no file."""
    url = f"sqlite:///{tmp_path / 'calls.sqlite3'}"
    upgrade(url)
    run_statements(url, ("CREATE TRIGGER refuse BEFORE INSERT ON call_records BEGIN "
                         "SELECT RAISE(ABORT, 'refused by the schema'); END", {}))  # fmt: skip
    database = Database(url)
    try:
        runtime = DatabaseRuntime(database, tts=SilentTts())
        writer = RecordWriter(runtime.write_batch, spool=runtime.spool, flush_interval=0)
        writer.start()
        for n in range(5):
            writer.submit_nowait(_record(f"r{n}"))
        await writer.close()
    finally:
        database.dispose()
    assert writer.rejected == 5 and writer.written == 0
    spool = spool_for(url)
    assert spool.rejected_files()

    assert _replay("--database", url) == 1  # still refused: every file kept
    assert _stored(url) == [] and spool.rejected_files()
    assert "still refused: refused by the schema" in capsys.readouterr().out

    run_statements(url, ("DROP TRIGGER refuse", {}))
    assert _replay("--database", url) == 0
    assert _stored(url) == [f"r{n}" for n in range(5)]
    assert spool.rejected_files() == []


def test_a_database_that_cannot_be_reached_leaves_every_file_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spool = RecordSpool(tmp_path / "spool")
    kept = spool.reject([_record("a1")])
    assert _replay("--database", "postgresql://nobody@127.0.0.1:1/none", "--spool", str(spool.folder)) == 1
    assert "cannot reach the database" in capsys.readouterr().err
    assert kept.exists()


def test_a_missing_database_file_or_spool_folder_is_refused_not_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'typo.sqlite3'}"
    assert _replay("--database", url, "--spool", str(tmp_path)) == 2
    assert f"there is no database file {tmp_path / 'typo.sqlite3'}" in capsys.readouterr().err
    assert not (tmp_path / "typo.sqlite3").exists()
    real = f"sqlite:///{tmp_path / 'calls.sqlite3'}"
    upgrade(real)
    assert _replay("--database", real, "--spool", str(tmp_path / "nope")) == 2
    assert f"no spool folder {tmp_path / 'nope'}" in capsys.readouterr().err
    assert not (tmp_path / "nope").exists()


def test_a_file_with_a_line_that_cannot_be_read_is_kept_after_its_other_records_are_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'calls.sqlite3'}"
    upgrade(url)
    spool = spool_for(url)
    damaged = spool.reject([_record("a1")])
    with damaged.open("a", encoding="utf-8") as out:
        out.write("{torn\n")
    assert _replay("--database", url) == 1
    assert _stored(url) == ["a1"] and damaged.exists()
    assert "1 lines cannot be read" in capsys.readouterr().out


async def test_a_node_starting_with_records_set_aside_says_where_how_many_and_what_to_run(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'calls.sqlite3'}"
    upgrade(url)
    database = Database(url)
    try:
        with caplog.at_level(logging.WARNING, logger="agi_server.spool"):
            DatabaseRuntime(database, tts=SilentTts())  # nothing set aside: nothing said
            assert not _spool_said(caplog)
            spool = spool_for(url)
            spool.reject([_record("a1"), _record("a2")])
            spool.reject([_record("b1")])
            DatabaseRuntime(database, tts=SilentTts())
    finally:
        database.dispose()
    [warning] = _spool_said(caplog)
    said = warning.getMessage()
    assert warning.levelname == "WARNING"
    assert said.startswith(
        f"3 call records the database refused are set aside in 2 rejected-*.jsonl files in {spool.folder}"
    )
    assert f"ivrgraph records replay-rejected --spool {spool.folder}" in said


def _spool_said(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "agi_server.spool"]


def test_the_refusal_a_node_sets_aside_is_the_one_a_replay_reports() -> None:
    """One reading of what is a refusal (for what records hold) and what an outage, for the node and the replay."""
    assert refusal(IntegrityError("INSERT", {}, Exception("NOT NULL constraint failed: x"))) == (
        "NOT NULL constraint failed: x"
    )
    assert refusal(OperationalError("INSERT", {}, Exception("database is locked"))) is None
    assert refusal(ConnectionError("refused")) is None
    assert refusal(RecordsRejected("x")) is None
