"""Variables a scenario declares `sensitive`, over the real FastAGI path: the call uses the real value, its record
keeps only the mask (graph_engine.sensitive).

Data-protection review: a caller typed account 123456789 and PIN 4321 into IVR captures, and the record kept the
digits three times (the step's keys, its variables_changed, the final variables), for every role to read. Here a
fake Asterisk calls a real server over TCP; an SQL block looks the account up in a real SQLite data source, bound
with the real PIN (the call takes `found`, which only the real PIN matches); the record is written to a real SQLite
call store, read back through the persistence layer, and written to the spool and the rejected file as a node
keeps them when the database is away or refuses them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from agi_server.records import CallRecord, RecordsRejected
from agi_server.scenarios import CachedScenarioSource, PublishedScenario
from agi_server.server import AgiServer, AgiServerConfig
from agi_server.spool import RecordSpool
from blocks import default_registry
from graph_engine.document import parse_document
from graph_engine.services import FixedClock, Services
from persistence import calls, datasources
from persistence.calls import CallRecordWriter
from persistence.datasources import DatabaseDataSources
from persistence.db import Database
from persistence.migrate import upgrade
from tests.agi_server.conftest import call
from tests.conftest import make_document
from tests.fakes.asterisk import CallerScript, default_env

ACCOUNT, PIN = "123456789", "4321"
BALANCE = 1532.75
SLUG = "balance-line"
# The caller first types 43 (too short: the record must still say how long it was), then the PIN.
CALLER = CallerScript(keys=[f"{ACCOUNT}#", "43#", PIN])
# Fixed, so that no time or duration in the record can hold the digits by chance.
MOMENT = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def balance_line(source: str) -> dict[str, Any]:
    """Account, then PIN (both sensitive), an SQL lookup bound with both, and the balance said back."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "account",
                "type": "ivr",
                "label": "Account",
                "config": {
                    "mode": "capture",
                    "prompt": {"text": "Marque su número de cuenta y almohadilla"},
                    "variable": "account",
                    "min_length": 6,
                    "max_length": 12,
                },
            },
            {
                "id": "pin",
                "type": "ivr",
                "label": "PIN",
                "config": {
                    "mode": "capture",
                    "prompt": {"text": "Marque su PIN"},
                    "variable": "pin",
                    "min_length": 4,
                    "max_length": 4,
                },
            },
            {
                "id": "lookup",
                "type": "sql",
                "label": "Check PIN",
                "config": {
                    "source": source,
                    "query": "SELECT name, balance FROM accounts WHERE account = :account AND pin = :pin",
                    "columns": {"name": "client_name", "balance": "balance"},
                },
            },
            {"id": "found", "type": "say_phrase", "label": "Balance", "config": {"text": _SAID}},
            {"id": "wrong", "type": "say_phrase", "label": "Wrong", "config": {"text": "PIN incorrecto"}},
            {"id": "bye", "type": "hangup"},
        ],
        [
            ("start", "next", "account"),
            ("account", "next", "pin"),
            ("pin", "next", "lookup"),
            ("lookup", "found", "found"),
            ("lookup", "not_found", "wrong"),
            ("found", "next", "bye"),
            ("wrong", "next", "bye"),
        ],
        variables=[
            {"name": "account", "sensitive": True},
            {"name": "pin", "sensitive": True},
            {"name": "balance", "type": "number", "sensitive": True},
            {"name": "client_name"},
        ],
    )


_SAID = "Hola {{ client_name }}, su saldo es {{ balance }} euros"


@pytest.fixture
def bank(tmp_path: Path) -> str:
    """The bank's own database: one account, its PIN and balance."""
    path = tmp_path / "bank.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE accounts (account TEXT, pin TEXT, name TEXT, balance REAL)")
        conn.execute("INSERT INTO accounts VALUES (?, ?, 'María García López', ?)", (ACCOUNT, PIN, BALANCE))
    conn.close()
    return f"sqlite:///{path}"


@pytest.fixture
def database(tmp_path: Path, bank: str) -> Iterator[Database]:
    """The node's database (call records, data sources), with the bank configured as data source `bank`."""
    url = f"sqlite:///{tmp_path / 'ivrgraph.sqlite3'}"
    upgrade(url)
    database = Database(url)
    with database.session() as session:
        datasources.create_data_source(session, name="bank", url=bank)
    yield database
    database.dispose()


def _source(document: dict[str, Any]) -> CachedScenarioSource:
    source = CachedScenarioSource()
    source.publish(PublishedScenario(SLUG, 1, parse_document(document)))
    return source


async def _one_call(database: Database, **server: Any) -> None:
    sources = DatabaseDataSources(database)
    agi = AgiServer(
        AgiServerConfig(port=0, shutdown_deadline=2.0),
        source=_source(balance_line("bank")),
        registry=default_registry(),
        services=Services(clock=FixedClock(MOMENT), data_sources=sources),
        **server,
    )
    await agi.start()
    try:
        await call(agi, SLUG, CALLER, env=default_env(SLUG))
    finally:
        await agi.stop(deadline=5.0)
        sources.close()


def _without_chance_digits(text: str, *chance: str) -> str:
    """`text` without what a run makes up (the call's id, random hex; the peer's port; when the database stored the
    record, to the microsecond), any of which may hold four given digits by chance."""
    for made_up in chance:
        text = text.replace(made_up, "<made up>")
    return text


def _stored(database: Database) -> dict[str, Any]:
    with database.session() as session:
        (record,), _ = calls.list_calls(session, filters=calls.CallFilter(scenario=SLUG))
        return {column.name: getattr(record, column.name) for column in record.__table__.columns}


async def test_the_call_uses_the_real_pin_and_its_record_keeps_only_masks(database: Database) -> None:
    await _one_call(database, write_batch=CallRecordWriter(database))
    stored = _stored(database)
    steps = {step["node"]: step for step in stored["trace"]["steps"]}
    # Only the real account and PIN find the row: the SQL block was bound with them.
    assert steps["lookup"]["exit"] == "found" and "wrong" not in steps
    assert steps["found"]["prompts"][0]["text"] == "Hola María García López, su saldo es [hidden: 7 characters] euros"
    text = _without_chance_digits(json.dumps(stored, default=str), stored["id"], str(stored["recorded_at"]))
    for secret in (PIN, ACCOUNT, "1532"):
        assert secret not in text
    # What an analyst still needs: how long each entry was, each try apart.
    assert steps["account"]["keys"] == "[hidden: 9 characters]#"
    assert steps["pin"]["keys"] == "[hidden: 2 characters]#[hidden: 4 characters]"
    assert [e.get("keys") for e in steps["pin"]["events"] if e["kind"] == "invalid"] == ["[hidden: 2 characters]"]
    assert steps["pin"]["variables_changed"] == {"pin": "[hidden: 4 characters]"}
    assert steps["lookup"]["variables_changed"] == {
        "client_name": "María García López",
        "balance": "[hidden: 7 characters]",
    }
    for variables in (stored["variables"], stored["trace"]["variables"]):
        assert (variables["account"], variables["pin"], variables["balance"]) == (
            "[hidden: 9 characters]",
            "[hidden: 4 characters]",
            "[hidden: 7 characters]",
        )
    assert stored["outcome"] == "hung_up"


class _Away:
    """A call store that is down: each batch goes to the spool."""

    async def write_batch(self, records: list[CallRecord]) -> None:
        raise ConnectionRefusedError("the database is away")


class _Refusing:
    """A call store that refuses what the records hold: each is set aside in a rejected file."""

    async def write_batch(self, records: list[CallRecord]) -> None:
        raise RecordsRejected("value too long")


@pytest.mark.parametrize(("store", "kept"), [(_Away, "records-*.jsonl"), (_Refusing, "rejected-*.jsonl")])
async def test_the_spool_and_the_rejected_file_keep_only_masks(
    database: Database, tmp_path: Path, store: type[_Away | _Refusing], kept: str
) -> None:
    """The spool and the rejected file serialize the whole record (trace, variables, AGI inputs) to local disk, where
    it may lie for days: grep them as an operator would."""
    spool = RecordSpool(tmp_path / "spool")
    await _one_call(database, write_batch=store().write_batch, spool=spool)
    files = sorted(spool.folder.glob(kept))
    assert files, sorted(p.name for p in spool.folder.iterdir())
    for path in files:
        [record] = spool.load(path)
        text = _without_chance_digits(path.read_text(encoding="utf-8"), record.call_id, record.peer)
        assert PIN not in text and ACCOUNT not in text
        assert '"pin": "[hidden: 4 characters]"' in text
        assert record.trace["steps"][3]["exit"] == "found"  # the real PIN matched


async def test_an_agi_argument_filling_a_sensitive_variable_is_masked_in_the_record(database: Database) -> None:
    """A dialplan may hand the account over (`AGI(agi://.../balance-line?account=...)`): the call has it, the record's
    inputs and variables only its mask."""
    document = make_document(
        [{"id": "start", "type": "start"}, {"id": "say", "type": "say_phrase", "config": {"text": "Hola"}}],
        [("start", "next", "say")],
        variables=[{"name": "account", "sensitive": True}],
    )
    records: list[CallRecord] = []

    async def keep(batch: list[CallRecord]) -> None:
        records.extend(batch)

    agi = AgiServer(
        AgiServerConfig(port=0, shutdown_deadline=2.0),
        source=_source(document),
        registry=default_registry(),
        services=Services(clock=FixedClock(MOMENT)),
        write_batch=keep,
    )
    await agi.start()
    try:
        await call(agi, f"{SLUG}?account={ACCOUNT}&line=main", env=default_env(f"{SLUG}?account={ACCOUNT}&line=main"))
    finally:
        await agi.stop(deadline=5.0)
    [record] = records
    assert record.inputs == {"account": "[hidden: 9 characters]", "line": "main"}
    assert record.trace["variables"]["account"] == "[hidden: 9 characters]"
    assert ACCOUNT not in json.dumps(record.trace)
