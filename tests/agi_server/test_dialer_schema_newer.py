"""A node whose database a newer ivrgraph migrated stops dialling, and says so where monitoring looks.

Two-node chaos review: node B upgraded the shared database while node A ran the release before. A's claims were
refused (persistence.callbacks: it may not read what the new schema asks a dialer to respect), as designed, but only
one WARNING per revision per process said so: its metrics port's `/readyz` said `ready`, no metric moved, nothing
reminded while it lasted, and nothing said when dialling resumed. Now the claim tells the dialer why it took nothing
(`Claimed.schema_newer`): `ivrgraph_dialer_schema_newer` reads 1, `/readyz` answers 503 with the reason, a WARNING
reminds once a minute (`remind_every`) while it lasts, and an INFO line says when the dialer claims jobs again.

Real components: `run_database_agi` on SQLite with its metrics port, its dialer over TCP to the fake AMI
(tests/fakes/ami.py); the database stamped at an unknown revision as a later release's migration stamps it.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from persistence.db import Database
from persistence.migrate import head_revision
from tests.agi_server.conftest import database_node, until_gauge
from tests.agi_server.test_shutdown_mid_campaign import Campaign, _until_originated, fake_asterisk
from tests.conftest import free_port

NEWER = "9998"  # a revision this code does not know
GAUGE = "ivrgraph_dialer_schema_newer"


def _stamp(database: Database, revision: str) -> None:
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


async def _get(port: int, path: str) -> httpx.Response:
    return await asyncio.to_thread(httpx.get, f"http://127.0.0.1:{port}{path}", timeout=5)


async def test_a_dialer_a_newer_schema_stops_says_so_on_the_metrics_port_and_in_the_log_until_it_dials_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quick_dialer: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="agi_server.dialer")
    caplog.set_level(logging.INFO, logger="persistence.callbacks")
    metrics_port = free_port()
    async with fake_asterisk(monkeypatch, time_scale=0.05) as fake:
        campaign = Campaign(tmp_path, fake, free_port())
        try:
            async with database_node(campaign.url, metrics_port=metrics_port):
                await until_gauge(metrics_port, GAUGE, 0)
                assert (await _get(metrics_port, "/readyz")).json() == {"status": "ready"}
                _stamp(campaign.database, NEWER)  # the other node's upgrade
                job = campaign.add_job("1123")
                await until_gauge(metrics_port, GAUGE, 1)
                ready = await _get(metrics_port, "/readyz")
                assert ready.status_code == 503, ready.text
                said = ready.json()
                assert said["status"] == "schema newer than code"  # as the API's /readyz says it
                assert NEWER in said["dialer"] and head_revision() in said["dialer"]
                await asyncio.sleep(1.5)  # two reminders' worth
                assert fake.actions("Originate") == []
                assert campaign.job(job)[:2] == ("pending", 0)

                _stamp(campaign.database, head_revision())  # this node upgraded too (here: the stamp put back)
                await _until_originated(fake)
                await until_gauge(metrics_port, GAUGE, 0)
                assert (await _get(metrics_port, "/readyz")).json() == {"status": "ready"}
        finally:
            campaign.database.dispose()

    lines = [(r.levelname, r.getMessage()) for r in caplog.records if "schema revision" in r.getMessage()]
    levels = [level for level, _ in lines]
    assert levels[0] == "WARNING" and levels[-1] == "INFO", lines
    first, *reminders, resumed = lines
    assert NEWER in first[1] and head_revision() in first[1] and "upgrade ivrgraph on this node" in first[1]
    # A reminder at most once per `remind_every` (0.6 s here) over the ~1.5 s it lasted: not one per pass (0.1 s).
    assert 1 <= len(reminders) <= 3, lines
    assert all(level == "WARNING" and "still" in said and NEWER in said for level, said in reminders), lines
    assert "claims jobs again" in resumed[1], resumed
