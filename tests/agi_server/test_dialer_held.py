"""A node started on a restored backup dials nobody until an admin resumes dialling, and says why where monitoring
looks.

Disaster-recovery drill: a backup taken while a campaign was dialling, the machine lost, the backup restored: within
seconds of its start the restored node re-dialled every client the lost machine had called after the backup (their
rows still said pending). Now the copy `ivrgraph db backup` writes holds dialling (persistence.dialling_hold): the
node's claims take nothing, `ivrgraph_dialer_held` reads 1, a WARNING says why and what to do (a reminder once a
minute, `remind_every`, while it lasts), and once `ivrgraph dialling resume` lifts the hold the next pass dials, an
INFO line saying so.

Real components: `run_database_agi` on the SQLite copy with its metrics port, its dialer over TCP to the fake AMI
(tests/fakes/ami.py), the copy made and the hold lifted by `ivrgraph`'s own command line.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import httpx
import pytest

from ivrgraph.cli import main
from persistence import callbacks
from persistence.db import Database
from tests.agi_server.conftest import database_node, until_gauge
from tests.agi_server.test_shutdown_mid_campaign import Campaign, _until_originated, fake_asterisk
from tests.conftest import free_port

GAUGE = "ivrgraph_dialer_held"


def _job(url: str, job_id: str) -> tuple[str, int]:
    database = Database(url)
    try:
        with database.session() as session:
            job = callbacks.get_job(session, job_id=job_id)
            return job.status, job.attempts
    finally:
        database.dispose()


async def test_a_node_on_a_restored_backup_dials_nobody_until_dialling_is_resumed(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    quick_dialer: None,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.INFO, logger="agi_server.dialer")
    metrics_port = free_port()
    async with fake_asterisk(monkeypatch, time_scale=0.05) as fake:
        live = Campaign(tmp_path, fake, free_port())
        try:
            job = live.add_job("1123")  # waiting in the backup; the lost machine may have called it since
            monkeypatch.setenv("IVRGRAPH_DATABASE_URL", live.url)
            assert main(["db", "backup", str(tmp_path / "backup.sqlite3")]) == 0
        finally:
            live.database.dispose()
        restored = f"sqlite:///{tmp_path / 'backup.sqlite3'}"  # the machine lost: the copy is the database now

        async with database_node(restored, metrics_port=metrics_port):
            await asyncio.sleep(1.5)  # fifteen passes, two reminders' worth
            assert fake.actions("Originate") == []
            await until_gauge(metrics_port, GAUGE, 1)
            assert _job(restored, job) == ("pending", 0)
            ready = await asyncio.to_thread(httpx.get, f"http://127.0.0.1:{metrics_port}/readyz", timeout=5)
            assert ready.status_code == 200  # the node serves calls: only dialling waits

            # The admin cancelled the jobs already called (none here), then resumes.
            assert await asyncio.to_thread(main, ["dialling", "resume", "--database", restored]) == 0
            await _until_originated(fake)
            await until_gauge(metrics_port, GAUGE, 0)
    said = capsys.readouterr().out
    assert "dialling is held in the copy" in said and "dialling resumed (it was held since" in said

    lines = [
        (r.levelname, r.getMessage()) for r in caplog.records if "claim" in r.getMessage() and "held" in r.getMessage()
    ]
    levels = [level for level, _ in lines]
    assert levels[0] == "WARNING" and levels[-1] == "INFO", lines
    first, *reminders, resumed = lines
    assert "dialling is held for the whole database since" in first[1], first
    assert "(ivrgraph db backup)" in first[1] and "`ivrgraph dialling resume`" in first[1], first
    assert 1 <= len(reminders) <= 3, lines
    assert all(level == "WARNING" and "still claims no job" in said for level, said in reminders), lines
    assert "callback dialling resumed" in resumed[1], resumed
