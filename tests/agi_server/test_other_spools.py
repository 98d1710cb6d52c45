"""Spool folders no node replays: those left under another URL of the database (SRE review: records spooled while
a node used `...@127.0.0.1:8625/db` stayed on disk for good after it restarted with the same database at `:5432`,
a failover or a pgbouncer; nothing said at start, the spool gauge at 0, no command to replay them, and the
retention purge never reached them although they held callers' numbers).

A node names them at start and exports how many records they hold; `ivrgraph records replay` writes them (claimed,
a record stored already counted as such, what the database refuses set aside); the retention purge removes their
old files. On real files in a temporary spool root, and real SQLite and PostgreSQL databases."""

from __future__ import annotations

import logging
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from agi_server.metrics import AgiMetrics
from agi_server.node import DatabaseRuntime
from agi_server.records import CallRecord, RecordWriter
from agi_server.spool import RecordSpool, database_spools, spool_for
from api.serve import _purge_once
from graph_engine.services import SilentTts
from ivrgraph.cli import main
from persistence.calls import CallRecordWriter
from persistence.db import Database
from persistence.migrate import upgrade
from persistence.retention import RetentionPolicy
from tests.agi_server.conftest import exposition_samples
from tests.api.serve_process import IVRGRAPH, ROOT, clean_env
from tests.persistence import pg
from tests.persistence.statements import run_statements

T0 = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)


def _record(call_id: str, *, refused: bool = False) -> CallRecord:
    record = CallRecord(call_id=call_id, scenario="s", version=1, started_at=T0, ended_at=T0, outcome="hung_up")
    if refused:  # the column is NOT NULL: the database refuses the record for what it holds, on every backend
        record.outcome = None  # type: ignore[assignment]
    return record


@pytest.fixture
def spool_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "spool"
    monkeypatch.setenv("IVRGRAPH_SPOOL_DIR", str(root))
    return root


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with pg.throwaway_database("other_spools") as url:
        upgrade(url)
        yield url


def _at_port(url: str, port: int) -> str:
    """The same database at another address: what a node used before a failover, or before a pgbouncer."""
    return make_url(url).set(port=port).render_as_string(hide_password=False)


def _stored(url: str) -> list[str]:
    return [str(row[0]) for row in run_statements(url, ("SELECT id FROM call_records ORDER BY id", {}))]


def _kept(spool: RecordSpool) -> list[str]:
    """The call ids of every batch waiting in `spool`'s folder, claimed ones too."""
    return sorted(record.call_id for path in spool.folder.glob("*records-*.jsonl") for record in spool.load(path))


def _aged(spool: RecordSpool, days: int) -> Path:
    """A batch in `spool` written `days` ago, as its name says (`RecordSpool._write`)."""
    path = spool.put([_record(f"aged-{days}")])
    written = int((datetime.now(UTC) - timedelta(days=days)).timestamp() * 1e9)
    return path.rename(path.with_name(f"records-{written:020d}-1-000001.jsonl"))


@pytest.mark.postgres
async def test_records_spooled_under_the_old_address_are_named_at_start_counted_and_replayed(
    postgres_url: str, spool_root: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    old = spool_for(_at_port(postgres_url, 8625))  # the node's spool before it restarted at :5432
    old.put([_record("a1"), _record("a2")])
    old.reject([_record("a3")])
    (spool_root / "lost+found").mkdir()  # a spool root on a volume of its own: not a spool folder
    database = Database(postgres_url)
    try:
        with caplog.at_level(logging.WARNING, logger="agi_server.spool"):
            runtime = DatabaseRuntime(database, tts=SilentTts())
        metrics = AgiMetrics()
        RecordWriter(runtime.write_batch, spool=runtime.spool, metrics=metrics)
        samples = exposition_samples(metrics.exposition().decode())
        assert samples["ivrgraph_agi_call_records_in_spool"] == 0  # its own folder: empty
        assert samples["ivrgraph_agi_call_records_in_other_spools"] == 2

        [warning] = [record for record in caplog.records if record.name == "agi_server.spool"]
        said = warning.getMessage()
        assert warning.levelname == "WARNING"
        assert said.startswith(f"3 call records wait in other spool folders under {spool_root}, ")
        assert f": {old.folder.name} (2 to write, 1 set aside). " in said
        assert "ivrgraph records replay --spool DIR" in said and "lost+found" not in said

        assert main(["records", "replay", "--all-spools", "--database", postgres_url]) == 0
        out = capsys.readouterr().out
        assert f"{old.folder} into " in out and ": 2 written, 0 already stored, 0 refused; 1 files removed" in out
        assert _stored(postgres_url) == ["a1", "a2"]
        assert exposition_samples(metrics.exposition().decode())["ivrgraph_agi_call_records_in_other_spools"] == 0
        assert old.rejected_files()  # set aside: `replay-rejected --spool` once the cause is fixed, not this
        runtime.close()
    finally:
        database.dispose()


@pytest.mark.postgres
def test_replaying_all_spools_takes_the_databases_folders_only_and_counts_what_was_stored(
    postgres_url: str, spool_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The node's own folder and the old address's are written; a record stored since it was spooled, and one a
    shutdown kept in two files, are counted as already stored and written once; one the database refuses is set
    aside in that folder. A folder named after another database is listed, and left as it was."""
    own = spool_for(postgres_url)
    own.put([_record("n1")])
    old = spool_for(_at_port(postgres_url, 8625))
    first = old.put([_record("a1"), _record("a2"), _record("a3", refused=True)])
    twice = old.put([_record("a1")])
    other_name = make_url(postgres_url).set(database="another_db").render_as_string(hide_password=False)
    another = spool_for(other_name)
    another.put([_record("x1")])
    database = Database(postgres_url)
    try:
        CallRecordWriter(database).write_batch([_record("a2")])  # the node's write went through after all
    finally:
        database.dispose()

    assert main(["records", "replay", "--all-spools", "--database", postgres_url]) == 1  # a3 is not in
    out = capsys.readouterr().out.splitlines()

    assert _stored(postgres_url) == ["a1", "a2", "n1"]
    assert _kept(own) == [] and _kept(old) == [] and _kept(another) == ["x1"]
    [aside] = old.rejected_files()
    assert [record.call_id for record in old.load(aside)] == ["a3"]
    assert f"{first.name}: 1 written, 1 already stored, 1 refused (set aside in {aside.name}); removed" in out
    assert f"{twice.name}: 0 written, 1 already stored, 0 refused; removed" in out
    assert [line for line in out if "call_id=a3 refused:" in line and "outcome" in line]  # the database's reason
    assert any(line.startswith(f"{old.folder} into ") and line.endswith(
        ": 1 written, 2 already stored, 1 refused; 2 files removed, 0 kept") for line in out)  # fmt: skip
    assert f"  the refused records are set aside: once the cause is fixed, `ivrgraph records replay-rejected --spool " \
           f"{old.folder}`" in out  # fmt: skip
    assert any(line.startswith(f"{another.folder}: skipped: its name is not that of ") for line in out)

    assert main(["records", "replay", "--all-spools", "--database", postgres_url]) == 0
    again = capsys.readouterr().out.splitlines()
    assert f"no call records waiting in {old.folder}" in again and f"no call records waiting in {own.folder}" in again
    assert _stored(postgres_url) == ["a1", "a2", "n1"] and _kept(another) == ["x1"]


def test_a_named_folder_is_replayed_into_an_sqlite_file_and_a_file_with_an_unreadable_line_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--spool DIR` writes the folder it names, whatever its name says; a line that cannot be read keeps its file
    (claimed no more: a node or the next run finds it)."""
    url = f"sqlite:///{tmp_path / 'calls.sqlite3'}"
    upgrade(url)
    named = RecordSpool(tmp_path / "spool" / "postgresql-10.0.0.5-5432-ivrgraph")
    whole = named.put([_record("b1"), _record("b2")])
    damaged = named.put([_record("b3")])
    with damaged.open("a", encoding="utf-8") as out:
        out.write("{torn\n")

    assert main(["records", "replay", "--database", url, "--spool", str(named.folder)]) == 1
    out = capsys.readouterr().out.splitlines()

    assert _stored(url) == ["b1", "b2", "b3"]
    assert not whole.exists() and damaged.exists() and named.files() == [damaged]
    assert f"{whole.name}: 2 written, 0 already stored, 0 refused; removed" in out
    assert f"{damaged.name}: 1 written, 0 already stored, 0 refused; kept" in out
    assert "  1 lines cannot be read (see the log above): the file is kept for them" in out


def test_replay_refuses_settings_that_cannot_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'calls.sqlite3'}"
    upgrade(url)
    assert main(["records", "replay", "--database", url, "--spool", str(tmp_path / "nope")]) == 2
    assert f"ivrgraph records replay: error: no spool folder {tmp_path / 'nope'}" in capsys.readouterr().err
    assert not (tmp_path / "nope").exists()
    with pytest.raises(SystemExit):  # one folder or all of them, not both
        main(["records", "replay", "--database", url, "--spool", str(tmp_path), "--all-spools"])


@pytest.mark.parametrize(
    ("folder", "names_it"),
    [
        ("postgresql-127.0.0.1-8625-ivrgraph", True),
        ("postgresql-db-1.example.com-6432-ivrgraph", True),  # a host with a dash in its name
        ("postgresql---ivrgraph", True),  # a Unix socket: no host, no port
        ("postgresql-127.0.0.1-5432-prod-ivrgraph", False),  # the database `prod-ivrgraph`
        ("postgresql-127.0.0.1-5432-ivrgraph_old", False),
        ("mysql-127.0.0.1-3306-ivrgraph", False),
    ],
)
def test_all_spools_takes_the_folders_named_after_the_same_database_at_any_address(
    tmp_path: Path, folder: str, names_it: bool
) -> None:
    root = tmp_path / "spool"
    RecordSpool(root / folder).put([_record("c1")])
    found = database_spools("postgresql://ivrgraph@10.0.0.9:5432/ivrgraph", {"IVRGRAPH_SPOOL_DIR": str(root)})
    assert found.own == []  # this node never spooled anything
    assert (found.same_name, found.other) == (([root / folder], []) if names_it else ([], [root / folder]))


@pytest.mark.postgres
def test_the_command_purge_removes_old_files_of_other_spool_folders(postgres_url: str, spool_root: Path) -> None:
    old = spool_for(_at_port(postgres_url, 8625))
    aged, recent = _aged(old, 40), old.put([_record("recent")])
    done = _purge(postgres_url, spool_root)
    assert done.returncode == 0, done.stderr
    assert "  spool_files: 1 removed" in done.stdout.splitlines()
    assert not aged.exists() and recent.exists()


@pytest.mark.postgres
def test_the_daily_purge_removes_old_files_of_other_spool_folders(
    postgres_url: str, spool_root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old = spool_for(_at_port(postgres_url, 8625))
    aged, recent = _aged(old, 40), old.put([_record("recent")])
    database = Database(postgres_url)
    try:
        with caplog.at_level(logging.INFO, logger="agi_server.spool"):
            _purge_once(database, RetentionPolicy(calls=timedelta(days=30)), spool_for(postgres_url), threading.Event())
    finally:
        database.dispose()
    assert not aged.exists() and recent.exists()
    said = [record.getMessage() for record in caplog.records if record.name == "agi_server.spool"]
    assert any(line.startswith("retention: 1 call-record files older than ") and str(old.folder) in line
               for line in said), said  # fmt: skip


def _purge(url: str, root: Path) -> subprocess.CompletedProcess[str]:
    env = clean_env(IVRGRAPH_DATABASE_URL=url, IVRGRAPH_RETAIN_CALLS="30d", IVRGRAPH_SPOOL_DIR=str(root))
    return subprocess.run([*IVRGRAPH, "records", "purge"], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=120)  # fmt: skip


def test_an_sqlite_nodes_spool_has_no_other_folders(tmp_path: Path, spool_root: Path) -> None:
    """An SQLite file's spool sits beside it: the folders under IVRGRAPH_SPOOL_DIR are other nodes' business."""
    RecordSpool(spool_root / "postgresql-127.0.0.1-5432-ivrgraph").put([_record("p1")])
    spool = spool_for(f"sqlite:///{tmp_path / 'calls.sqlite3'}")
    assert spool.others is None and spool.waiting_elsewhere() is None
