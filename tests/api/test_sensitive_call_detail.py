"""Over real HTTP, as a viewer reads it: a call whose caller typed an account number and a PIN into variables the
scenario declares sensitive shows only their masks, in the call's detail, the list and the CSV (data-protection
review: every role read "Pressed 4321, pin = 4321" in the Calls panel).

The call is a real FastAGI call from the fake Asterisk into a node that writes its record into the API's database;
its SQL block checks the PIN against a real SQLite data source, which only the real PIN matches.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from agi_server.scenarios import CachedScenarioSource, PublishedScenario
from agi_server.server import AgiServer, AgiServerConfig
from blocks import default_registry
from graph_engine.document import parse_document
from graph_engine.services import FixedClock, Services
from persistence import datasources
from persistence.calls import CallRecordWriter
from persistence.datasources import DatabaseDataSources
from persistence.db import Database
from tests.agi_server.conftest import call
from tests.agi_server.test_sensitive_calls import ACCOUNT, BALANCE, CALLER, PIN, balance_line
from tests.api.conftest import Client, Server
from tests.fakes.asterisk import default_env


def _bank(folder: Path) -> str:
    path = folder / "bank.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE accounts (account TEXT, pin TEXT, name TEXT, balance REAL)")
        conn.execute("INSERT INTO accounts VALUES (?, ?, 'María García López', ?)", (ACCOUNT, PIN, BALANCE))
    conn.close()
    return f"sqlite:///{path}"


async def _call_into(server: Server, scenario: str, source: str) -> None:
    database = Database(server.database_url)
    sources = DatabaseDataSources(database)
    published = CachedScenarioSource()
    published.publish(PublishedScenario(scenario, 1, parse_document(balance_line(source))))
    node = AgiServer(
        AgiServerConfig(port=0, shutdown_deadline=2.0),
        source=published,
        registry=default_registry(),
        services=Services(clock=FixedClock(datetime(2026, 12, 5, 10, 0, tzinfo=UTC)), data_sources=sources),
        write_batch=CallRecordWriter(database),
    )
    await node.start()
    try:
        await call(node, scenario, CALLER, env=default_env(scenario))
    finally:
        await node.stop(deadline=5.0)
        sources.close()
        database.dispose()


async def test_a_viewer_reads_the_call_with_masks_where_the_pin_was(
    server: Server, user_factory: Callable[[str], Client], slug: Callable[[str], str], tmp_path: Path
) -> None:
    scenario, source = slug("pin"), f"bank_{slug('src').replace('-', '_')}"
    database = Database(server.database_url)
    with database.session() as session:
        datasources.create_data_source(session, name=source, url=_bank(tmp_path))
    database.dispose()
    await _call_into(server, scenario, source)

    viewer = user_factory("viewer")
    listed = viewer.get("/api/calls", params={"scenario": scenario})
    assert listed.status_code == 200, listed.text
    [item] = listed.json()["items"]
    detail = viewer.get(f"/api/calls/{item['id']}")
    assert detail.status_code == 200, detail.text
    call_detail = detail.json()
    steps = {step["node"]: step for step in call_detail["trace"]["steps"]}
    assert steps["lookup"]["exit"] == "found"  # the real PIN was bound: only it finds the row
    assert steps["pin"]["keys"] == "[hidden: 2 characters]#[hidden: 4 characters]"
    assert steps["pin"]["variables_changed"] == {"pin": "[hidden: 4 characters]"}
    assert call_detail["variables"]["account"] == "[hidden: 9 characters]"
    # Everything the viewer can read of the call, but what a run makes up (the id; when it was stored).
    shown = json.dumps([listed.json(), call_detail]).replace(item["id"], "<id>").replace(item["recorded_at"], "<at>")
    exported = viewer.get("/api/calls.csv", params={"scenario": scenario}).text.replace(item["id"], "<id>")
    for secret in (PIN, ACCOUNT, "1532"):
        assert secret not in shown and secret not in exported
