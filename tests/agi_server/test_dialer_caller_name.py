"""A call the dialer placed for a list's client is named after the client in the call register, over real TCP (the
fake Asterisk brings the callee's FastAGI request, "debt-reminder?job=<id>", to a node wired as `ivrgraph serve`
wires one) on SQLite and PostgreSQL.

Review (a contact centre's supervisor): a client said she was called about a debt; the Calls page's name search
found nothing under her name, as an originated call's CallerID is the dialer's own and its name was empty, though
the list held her name."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from agi_server.job_contacts import contact_name
from agi_server.node import DatabaseRuntime
from agi_server.scenarios import folder_source
from agi_server.server import AgiServer, AgiServerConfig
from blocks import default_registry
from graph_engine.services import FixedClock, Services, SilentTts
from persistence import call_lists, callbacks, calls
from persistence.db import Database
from persistence.folding import fold
from persistence.models import CallRecord
from tests.agi_server.conftest import EXAMPLES
from tests.fakes.asterisk import CallerScript, FakeAsterisk, default_env
from tests.persistence.published import migrated_database

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday, 11:00 in Madrid: inside debt-reminder's hours


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with migrated_database(request.param, tmp_path, "caller_name", "debt-reminder") as database:
        yield database


def _scheduled(database: Database, rows: list[dict[str, Any]]) -> list[str]:
    campaign = call_lists.Campaign(due=NOW)
    planned = call_lists.plan_jobs(rows, number_column="phone", declared={"debt_amount": "number"}, campaign=campaign)
    with database.session() as session:
        _, ids = call_lists.schedule(session, scenario="debt-reminder", jobs=planned, campaign=campaign)
    with database.session() as session:  # the dialer claims them, and rings them
        callbacks.claim_due_jobs(session, now=NOW, limit=len(ids), node_id="n1")
    return ids


async def _answered(database: Database, job_ids: list[str], env: dict[str, str] | None = None) -> None:
    """Each callee answers and hangs up at once, on a node's own wiring (its resolver and its record writer)."""
    runtime = DatabaseRuntime(database, tts=SilentTts())
    clock = FixedClock(NOW)
    agi = AgiServer(
        AgiServerConfig(port=0, shutdown_deadline=2.0),
        source=folder_source(EXAMPLES),
        registry=default_registry(),
        services=Services(clock=clock),
        write_batch=runtime.write_batch,
        resolve_inputs=runtime.resolve_inputs,
    )
    await agi.start()
    try:
        for job_id in job_ids:
            script = CallerScript(hangup_at_command=1)
            callee = FakeAsterisk(
                "127.0.0.1", agi.port, env={**default_env(f"debt-reminder?job={job_id}"), **(env or {})}, script=script
            )
            await callee.run(timeout=10)
    finally:
        await agi.stop(deadline=2.0)  # the calls' records are written by then
        await runtime.close_services()
        runtime.close()


def _names(database: Database) -> dict[str | None, tuple[str, str | None]]:
    with database.session() as session:
        return {
            record.callback_job_id: (record.caller_name, record.caller_name_folded)
            for record in session.query(CallRecord)
        }


async def test_a_list_clients_call_is_named_after_the_client_and_found_by_a_name_search(database: Database) -> None:
    rows = [{"phone": "600111222", "Nombre": "Ana Núñez", "debt_amount": "120"},
            {"phone": "600111333", "name": "ПЁТР Иванов", "debt_amount": "80"},
            {"phone": "600111444", "debt_amount": "50"}]  # fmt: skip
    ana, petr, nameless = _scheduled(database, rows)
    # Asterisk's env names the dialer's own CallerID on an originated call, never the callee's.
    await _answered(database, [ana, petr, nameless], env={"agi_calleridname": "Banco Ejemplo"})

    assert _names(database) == {
        ana: ("Ana Núñez", fold("Ana Núñez")),
        petr: ("ПЁТР Иванов", fold("ПЁТР Иванов")),
        # No column names the client: no name, not the dialer's own (the register shows the call as ours, "outbound
        # → <name>", where "Banco Ejemplo" read as the client's: review, 2026-12-07).
        nameless: ("", ""),
    }
    with database.session() as session:
        found, _ = calls.list_calls(session, filters=calls.CallFilter(caller_name="NÚÑEZ"))
        assert [call.callback_job_id for call in found] == [ana]
        found, _ = calls.list_calls(session, filters=calls.CallFilter(caller_name="петр"))  # Cyrillic yo read as ye
        assert [call.callback_job_id for call in found] == [petr]


def test_the_name_is_the_lists_name_column_cleaned_as_a_caller_name_is() -> None:
    assert contact_name({"contact": {"phone": "600111222", "nombre": " Ana\nNúñez\t"}}) == "Ana Núñez"
    assert contact_name({"contact": {"Full Name": "Eva Gil", "name": ""}}) == "Eva Gil"
    assert contact_name({"contact": {"ФИО": "Иванов Пётр"}}) == "Иванов Пётр"
    assert contact_name({"contact": {"name": 12}}) == ""  # a number is nobody's name
    assert contact_name({"contact": "Ana"}) == "" and contact_name({}) == ""
    # A column the list did not have is the scenario's default ("cliente"), nobody's name.
    assert contact_name({"contact": {"nombre": "cliente", "phone": "600"}}, columns=["phone"]) == ""
    # A callback a Callback block promised, carrying the caller's name along.
    assert contact_name({"caller_name": "Luis"}) == "Luis"
