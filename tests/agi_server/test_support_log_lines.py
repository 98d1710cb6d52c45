"""What a support engineer finds in the log of a call, over real TCP (fake Asterisk -> AgiServer -> data sources).

Support review: the call's first line gave Asterisk's uniqueid only and "call ended" neither it nor the channel,
while Asterisk's full log is keyed by the channel's name; a callback's line named the dialer's own CallerID, not
the job or whom it rang; a data source refusing its login warned without the call, one not configured and an SQL
block's error exit said nothing; a hangup during a slow lookup left `hangup_during` empty.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pymysql
import pytest
from sqlalchemy.engine import make_url

from agi_server.logs import JsonLinesFormatter, LogSettings, configure_logging
from agi_server.scenarios import CachedScenarioSource, PublishedScenario
from agi_server.server import ResolvedInputs, SystemClock
from graph_engine.document import parse_document
from graph_engine.services import Services
from persistence import datasources
from persistence.datasources import DatabaseDataSources
from persistence.db import Database
from persistence.migrate import upgrade
from tests.agi_server.conftest import MemoryRecords, StartServer, call
from tests.conftest import make_document
from tests.fakes.asterisk import CallerScript, default_env
from tests.persistence import pg

CHANNEL = "PJSIP/trunk-0000046b"
UNIQUEID = "1795295104.117"
GREETING = make_document(
    [{"id": "start", "type": "start"}, {"id": "hello", "type": "say_phrase", "config": {"text": "Hola"}}],
    [("start", "next", "hello")],
)


def _source(slug: str, document: dict[str, Any]) -> CachedScenarioSource:
    source = CachedScenarioSource()
    source.publish(PublishedScenario(slug, 1, parse_document(document)))
    return source


def _lookup(source: str, query: str, **config: Any) -> dict[str, Any]:
    """Start, then an SQL block `lookup` on `source`; its error exit says sorry, its others are not wired (the call
    ends after it). A failed lookup so ends the call normally: the block's own line is the one that says why."""
    sql = {"id": "lookup", "type": "sql", "config": {"source": source, "query": query, **config}}
    sorry = {"id": "sorry", "type": "say_phrase", "config": {"text": "Lo sentimos"}}
    return make_document(
        [{"id": "start", "type": "start"}, sql, sorry], [("start", "next", "lookup"), ("lookup", "error", "sorry")]
    )


def _records(caplog: pytest.LogCaptureFixture, call_id: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "agi_server.server" and getattr(r, "call_id", None) == call_id]


def _lines(caplog: pytest.LogCaptureFixture, call_id: str) -> list[str]:
    return [record.getMessage() for record in _records(caplog, call_id)]


# -- the call's first and last lines ------------------------------------------------------------------------------


async def test_the_first_and_last_lines_name_the_channel_and_uniqueid(
    start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="agi_server")
    server = await start_server(source=_source("greet", GREETING))
    await call(server, env=default_env("greet", agi_channel=CHANNEL, agi_uniqueid=UNIQUEID))
    await server.stop()
    call_id = records.records[0].call_id
    first, *_, last = _lines(caplog, call_id)
    names = f"channel='{CHANNEL}' uniqueid='{UNIQUEID}'"
    assert first.startswith(f"call_id={call_id} call from '5551234' on scenario greet v1 (Asterisk 127.0.0.1:")
    assert first.endswith(f", {names})")
    assert last == f"call_id={call_id} call ended: ended at hello ({names})"
    # JSON: fields of their own, to search by.
    started, *_, ended = _records(caplog, call_id)
    fields = [json.loads(JsonLinesFormatter().format(record)) for record in (started, ended)]
    assert [(f["call_id"], f["channel"], f["uniqueid"]) for f in fields] == [(call_id, CHANNEL, UNIQUEID)] * 2


async def test_a_channel_name_from_the_wire_is_escaped_and_its_number_masked_as_numbers_are(
    start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture, root_logging: None
) -> None:
    """A Local channel's name holds the number it dialled; `--log-phone-numbers masked` hides it there too."""
    configure_logging(LogSettings(phone_numbers="masked"), stream=io.StringIO())
    caplog.set_level(logging.INFO, logger="agi_server")
    server = await start_server(source=_source("greet", GREETING))
    forged = "Local/79161234567@callees-00000001;1\x1b[2K\nINFO forged"
    await call(server, env=default_env("greet", agi_channel=forged, agi_uniqueid=UNIQUEID))
    await server.stop()
    first, *_, last = _lines(caplog, records.records[0].call_id)
    shown = "channel='Local/*********67@callees-00000001;1\\x1b[2K\\nINFO forged'"
    assert shown in first and shown in last
    assert not [line for line in (first, last) if "\n" in line or "\x1b" in line or "9161234567" in line]


@pytest.mark.parametrize(("mode", "callee"), [("full", "'+34600111222'"), ("masked", "'+*********22'")])
async def test_a_callbacks_line_names_its_job_and_whom_it_rang(
    start_server: StartServer,
    records: MemoryRecords,
    caplog: pytest.LogCaptureFixture,
    root_logging: None,
    mode: str,
    callee: str,
) -> None:
    """Grepping the log for the customer's number found nothing: the line named the dialer's own CallerID."""
    configure_logging(LogSettings(phone_numbers=mode), stream=io.StringIO())
    caplog.set_level(logging.INFO, logger="agi_server")

    async def resolve(slug: str, agi_inputs: Mapping[str, str]) -> ResolvedInputs | None:
        return ResolvedInputs(job_id="j1", origin_call_id="c0", dialed_number="+34600111222")

    server = await start_server(source=_source("cb", GREETING), resolve_inputs=resolve)
    # outbound-agi.txt: an originated call names the dialer's own CallerID and the dialplan's `s` extension.
    await call(server, env=default_env("cb?job=j1", agi_callerid="5550100", agi_extension="s", agi_channel=CHANNEL))
    await server.stop()
    first = _lines(caplog, records.records[0].call_id)[0]
    caller = "'5550100'" if mode == "full" else "'*****00'"
    assert f"call from {caller} on scenario cb v1: callback job 'j1' to {callee} (Asterisk " in first
    assert _records(caplog, records.records[0].call_id)[0].job_id == "j1"  # type: ignore[attr-defined]
    assert first.endswith(f"channel='{CHANNEL}' uniqueid='{UNIQUEID}')")


# -- data sources during a call -----------------------------------------------------------------------------------


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """The node's own database, which holds the data sources' settings."""
    url = f"sqlite:///{tmp_path / 'ivrgraph.sqlite3'}"
    upgrade(url)
    database = Database(url)
    yield database
    database.dispose()


def _configure(database: Database, name: str, url: str) -> None:
    with database.session() as session:
        datasources.create_data_source(session, name=name, url=url, read_only=True)


async def _call_with_sources(
    start_server: StartServer, database: Database, document: dict[str, Any], env: dict[str, str], **caller: Any
) -> None:
    sources = DatabaseDataSources(database)
    services = Services(clock=SystemClock(), data_sources=sources)
    try:
        server = await start_server(source=_source("lookup", document), services=services)
        await call(server, env=env, caller=CallerScript(**caller) if caller else None)
        await server.stop()
    finally:
        sources.close()


def _sql_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "blocks.builtin.sql" and r.levelno == logging.WARNING]


@pytest.mark.postgres
async def test_a_refused_login_warns_with_the_call_and_the_block_says_its_error_exit(
    start_server: StartServer, records: MemoryRecords, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with pg.throwaway_database("staff") as url:
        # A role the server does not have: its login is refused, as a changed password's is.
        _configure(database, "staff", make_url(url).set(username="no_such_role").render_as_string(False))
        query = "SELECT name FROM employees WHERE phone = :caller_id"
        await _call_with_sources(start_server, database, _lookup("staff", query), default_env("lookup"))
    call_id = records.records[0].call_id
    [refused] = [r for r in caplog.records if r.name == "persistence.datasources" and r.levelno == logging.WARNING]
    assert refused.call_id == call_id  # type: ignore[attr-defined]
    assert refused.getMessage().startswith(f"call_id={call_id} data source 'staff': cannot connect: ")
    [failed] = _sql_warnings(caplog)
    assert (failed.call_id, failed.node, failed.data_source) == (call_id, "lookup", "staff")  # type: ignore[attr-defined]
    assert failed.getMessage() == (
        f"call_id={call_id} SQL block 'lookup' on data source 'staff' took its error exit: \"data source 'staff' "
        'refused the login: an administrator should check its user name and password"'
    )


async def test_a_data_source_not_configured_is_logged_with_the_call_and_the_block(
    start_server: StartServer, records: MemoryRecords, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    await _call_with_sources(start_server, database, _lookup("ghost", "SELECT 1"), default_env("lookup"))
    call_id = records.records[0].call_id
    [failed] = _sql_warnings(caplog)
    assert failed.getMessage() == (
        f"call_id={call_id} SQL block 'lookup' on data source 'ghost' took its error exit: "
        "\"data source 'ghost' is not configured\""
    )


@pytest.mark.postgres
async def test_an_sql_failure_is_logged_without_the_bound_values(
    start_server: StartServer, records: MemoryRecords, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL quotes back the value it could not cast (`invalid input syntax for type integer: "..."`): the
    trace keeps the database's words, the log has the parameter's name in the value's place."""
    account = "ab12cd-secret"
    with pg.throwaway_database("staff") as url:
        _configure(database, "staff", url)
        document = _lookup("staff", "SELECT CAST(:account AS integer) AS n")
        await _call_with_sources(start_server, database, document, default_env(f"lookup?account={account}"))
    [failed] = _sql_warnings(caplog)
    assert 'invalid input syntax for type integer: ":account"' in failed.getMessage()
    assert not [r for r in caplog.records if account in r.getMessage()]
    [lookup] = [step for step in records.records[0].trace["steps"] if step["node"] == "lookup"]
    assert account in lookup["error"]  # the trace keeps the database's words; the register masks it by role


# -- a hangup while the SQL block waits for its database ----------------------------------------------------------


@pytest.fixture(
    params=[pytest.param("postgres", marks=pytest.mark.postgres), pytest.param("mariadb", marks=pytest.mark.mariadb)]
)
def slow_source(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """A database and a query on it that takes 5 s: (URL, query)."""
    if request.param == "postgres":
        with pg.throwaway_database("slow") as url:
            yield url, "SELECT pg_sleep(5) AS slept"
        return
    name = f"slow_{uuid.uuid4().hex[:8]}"
    try:
        admin = pymysql.connect(host="127.0.0.1", port=3306, user="root", autocommit=True)
    except pymysql.Error:
        pytest.skip("MariaDB is not running on 127.0.0.1:3306")
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    try:
        yield f"mysql+pymysql://root@127.0.0.1:3306/{name}", "SELECT SLEEP(5) AS slept"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE {name}")
        admin.close()


async def test_a_hangup_during_a_slow_lookup_says_so_in_the_record_and_the_step(
    start_server: StartServer,
    records: MemoryRecords,
    database: Database,
    slow_source: tuple[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    url, query = slow_source
    _configure(database, "slow", url)
    document = _lookup("slow", query, timeout=3)
    started = time.monotonic()
    await _call_with_sources(start_server, database, document, default_env("lookup"), hangup_after=0.6)
    assert time.monotonic() - started < 2.9  # the call ended at the hangup, not at the query's timeout
    (record,) = records.records
    assert (record.outcome, record.hangup_point, record.hangup_during) == ("caller_hangup", "lookup", "block:sql")
    lookup = next(step for step in record.trace["steps"] if step["node"] == "lookup")
    assert lookup["exit"] == "hangup"
    [event] = lookup["events"]
    assert (event["kind"], event["source"], event["cancelled"]) == ("sql", "slow", True)
    assert 400 <= event["elapsed_ms"] < 2900, event  # from the query's start to the hangup
    assert not _sql_warnings(caplog)  # a hangup is no failure of the block
    await _until_no_query_threads("slow", within=6.0)  # the statement's timeout ends it on the server


async def _until_no_query_threads(source: str, *, within: float) -> None:
    deadline = time.monotonic() + within
    while any(thread.name == f"data-source {source}" for thread in threading.enumerate()):
        assert time.monotonic() < deadline, f"a query on {source} still runs"
        await asyncio.sleep(0.05)
