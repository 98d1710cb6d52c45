"""A node's spool of call records (agi_server.spool) is its owner's alone whatever the umask, and batches older than
the call records' retention go (data-protection review, 2026-12: spool and set-aside files were 0644 under the
units' umask 022, and a node that never restarts kept them for good)."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agi_server.records import CallRecord
from agi_server.spool import RecordSpool, existing_spools, spool_for

T0 = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def umask_022() -> Iterator[None]:
    before = os.umask(0o022)
    yield
    os.umask(before)


def _record(call_id: str) -> CallRecord:
    return CallRecord(call_id=call_id, scenario="s", version=1, started_at=T0, ended_at=T0, outcome="hung_up",
                      facts={"caller_id": "+34600123456"})  # fmt: skip


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_spooled_and_set_aside_batches_and_a_new_spool_folder_are_private(tmp_path: Path) -> None:
    spool = RecordSpool(tmp_path / "spool")
    spooled, rejected = spool.put([_record("a")]), spool.reject([_record("b")])
    assert (_mode(spooled), _mode(rejected), _mode(tmp_path / "spool")) == (0o600, 0o600, 0o700)
    assert [record.call_id for record in spool.load(spooled)] == ["a"]


def test_batches_written_before_the_cutoff_go_and_later_or_claimed_ones_stay(tmp_path: Path) -> None:
    spool = RecordSpool(tmp_path)
    old_spooled, old_rejected = spool.put([_record("a")]), spool.reject([_record("b")])
    claimed = spool.claim(spool.put([_record("c")]))  # being replayed now: its replay removes it
    time.sleep(0.05)
    cutoff = datetime.now(UTC)
    time.sleep(0.05)
    new = spool.put([_record("d")])
    assert claimed is not None

    assert spool.remove_older_than(cutoff, dry_run=True) == 2
    assert old_spooled.exists() and old_rejected.exists()
    assert spool.remove_older_than(cutoff) == 2

    assert not old_spooled.exists() and not old_rejected.exists()
    assert claimed.exists() and new.exists()
    assert spool.remove_older_than(cutoff - timedelta(days=1)) == 0


def test_a_batch_file_named_otherwise_is_dated_by_its_modification_time(tmp_path: Path) -> None:
    spool = RecordSpool(tmp_path)
    copied = tmp_path / "records-copied-by-hand.jsonl"
    copied.write_text("{}\n", encoding="utf-8")
    os.utime(copied, (T0.timestamp(), T0.timestamp()))
    assert spool.remove_older_than(T0 + timedelta(seconds=1)) == 1 and not copied.exists()


def test_the_purge_finds_a_databases_spools_without_making_any(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql+psycopg://ivr@db.example:5432/ivrgraph"
    monkeypatch.setenv("IVRGRAPH_SPOOL_DIR", str(tmp_path / "spools"))
    assert existing_spools(url) == [] and not (tmp_path / "spools").exists()
    made = spool_for(url)  # a node spooled there
    assert [spool.folder for spool in existing_spools(url)] == [made.folder]
