"""What the SQL block's data sources hand back: money and flags as numbers and true/false, the rows a write
affected, and the names and URLs a source may have (review of the SQL block's values, 2026-12-06)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from api.schemas import DataSourceCreate
from blocks import default_registry
from blocks.builtin.sql import SqlBlock
from graph_engine.document import parse_document
from graph_engine.interpreter import run_call
from graph_engine.scripted import ScriptedChannel
from graph_engine.services import Services
from graph_engine.validation import validate
from persistence import datasources
from persistence.datasources import DatabaseDataSources
from persistence.db import Database, make_engine
from persistence.errors import InvalidDataSource
from persistence.publishing import document_problems
from tests.persistence import test_datasources

# Fixtures: a `debts` database on SQLite, PostgreSQL and MariaDB, and the sources "crm" and "crm_rw" over it.
crm_url = test_datasources.crm_url
sources = test_datasources.sources
POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)
MARIADB = pytest.param("mariadb", marks=pytest.mark.mariadb)


def _run(url: str, *statements: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    engine.dispose()


# -- money ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("crm_url", [POSTGRES], indirect=True)
async def test_a_postgresql_money_column_is_a_number(sources: DatabaseDataSources, crm_url: str) -> None:
    """It came as the server's locale text ("$1,234.50"), which money() in a phrase refuses as 'not a number'."""
    _run(crm_url, "CREATE TABLE owed (phone VARCHAR(20), amount money)",
         "INSERT INTO owed VALUES ('a', 1234.50), ('b', -0.5), ('c', 12), ('d', NULL)",
         "INSERT INTO owed VALUES ('e', '-92233720368547758.08')")  # fmt: skip
    rows = await sources.query("crm", "SELECT phone, amount FROM owed ORDER BY phone", {}, timeout=3, max_rows=10)
    assert [row["amount"] for row in rows] == [1234.5, -0.5, 12, None, -92233720368547758.08]
    assert type(rows[2]["amount"]) is int  # a whole amount is an integer, as a DECIMAL's is


# -- booleans ------------------------------------------------------------------------------------


@pytest.mark.parametrize("crm_url", [MARIADB], indirect=True)
async def test_a_mariadb_boolean_is_true_or_false_as_on_postgresql(sources: DatabaseDataSources, crm_url: str) -> None:
    """MariaDB's BOOLEAN is TINYINT(1) and came as 1/0, so a Switch case `true` never matched a VIP flag."""
    _run(crm_url, "CREATE TABLE flags (n INT, vip BOOLEAN, tiny TINYINT, digit INT(1))",
         "INSERT INTO flags VALUES (1, TRUE, 1, 1), (2, FALSE, 0, 0), (3, NULL, 7, 7)")  # fmt: skip
    rows = await sources.query("crm", "SELECT vip, tiny, digit, vip + 0 AS sum FROM flags ORDER BY n", {}, timeout=3,
                               max_rows=10)  # fmt: skip
    # As JSON, where true is not 1: Python's True == 1 would hide the difference.
    assert json.dumps(rows) == json.dumps([
        {"vip": True, "tiny": 1, "digit": 1, "sum": 1},  # only TINYINT(1) is a flag: numbers stay numbers
        {"vip": False, "tiny": 0, "digit": 0, "sum": 0},
        {"vip": None, "tiny": 7, "digit": 7, "sum": None},
    ])  # fmt: skip


# -- writes --------------------------------------------------------------------------------------


async def test_a_statement_without_rows_tells_how_many_rows_it_affected(sources: DatabaseDataSources) -> None:
    """The count was thrown away: every write looked like one that matched nothing. A row an UPDATE matches counts
    even when its values stay the same (MariaDB counts changed rows unless asked for found ones)."""
    same = await sources.query("crm_rw", "UPDATE debts SET amount = amount WHERE phone = :p", {"p": "+34600111222"},
                               timeout=3, max_rows=1)  # fmt: skip
    nobody = await sources.query("crm_rw", "DELETE FROM debts WHERE phone = :p", {"p": "+34999"}, timeout=3,
                                 max_rows=1)  # fmt: skip
    added = await sources.query("crm_rw", "INSERT INTO debts VALUES (:p, 1, NULL)", {"p": "+34999"}, timeout=3,
                                max_rows=1)  # fmt: skip
    assert [(list(same), same.rows_affected), (list(nobody), nobody.rows_affected)] == [([], 2), ([], 0)]
    assert added.rows_affected == 1
    read = await sources.query("crm", "SELECT phone FROM debts WHERE phone = :p", {"p": "+34999"}, timeout=3,
                               max_rows=5)  # fmt: skip
    assert read == [{"phone": "+34999"}] and read.rows_affected is None  # rows, not a count


def _promise(source: str, query: str) -> dict[str, Any]:
    return {
        "format": "ivrgraph.scenario/1",
        "name": "promise",
        "nodes": [
            {"id": "start", "type": "start", "config": {}},
            {"id": "q", "type": "sql", "config": {"source": source, "query": query, "rows_variable": "rows"}},
        ],
        "edges": [{"source": "start", "exit": "next", "target": "q"}],
    }


async def test_a_write_that_changed_the_callers_row_leaves_by_found(sources: DatabaseDataSources) -> None:
    scenario = parse_document(_promise("crm_rw", "UPDATE debts SET amount = 0 WHERE phone = :caller_id"))
    outcomes = []
    for caller in ["+34600111222", "+34999999999"]:
        facts = {"caller_id": caller, "caller_name": "", "dialed_number": "", "channel": "x"}
        result = await run_call(scenario, ScriptedChannel(()), default_registry(), Services(data_sources=sources),
                                facts=facts)  # fmt: skip
        step = result.steps[1]
        outcomes.append((step.exit, [e for e in step.events if e["kind"] == "sql"], result.variables["rows"]))
    assert outcomes == [
        ("found", [{"kind": "sql", "source": "crm_rw", "rows": 0, "rows_affected": 2}], []),
        ("not_found", [{"kind": "sql", "source": "crm_rw", "rows": 0, "rows_affected": 0}], []),
    ]


# -- names and URLs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "possible"),
    [("crm", True), ("crm_main2", True), ("_crm", True), ("x" * 64, True),
     ("crm-main", False), ("crm.eu", False), ("1crm", False), ("x" * 65, False), ("", False)],
)  # fmt: skip
def test_the_block_names_only_sources_that_can_exist(database: Database, name: str, possible: bool) -> None:
    """The block took `crm-main` and `crm.eu`, which no data source can be called: the scenario published with a
    'not configured yet' warning, and the admin could never configure it."""
    document = _promise(name, "SELECT 1 AS one")
    block_takes = not [issue for issue in validate(document, default_registry()) if issue.code == "config"]
    api_takes = True
    try:
        DataSourceCreate(name=name, url="sqlite://")
    except ValueError:
        api_takes = False
    with database.session() as session:
        try:
            datasources.create_data_source(session, name=name, url="sqlite://")
            service_takes = True
        except InvalidDataSource:
            service_takes = False
        codes = {issue.code: issue.severity.value for issue in document_problems(
            session, document, default_registry(), slug="promise")}  # fmt: skip
        session.rollback()
    assert (block_takes, api_takes, service_takes) == (possible, possible, possible)
    if not possible:  # publishing refuses it, and says why once: not also "until it is configured"
        assert codes.get("config") == "error" and "sql_unknown_source" not in codes
    assert SqlBlock.config_schema["properties"]["source"]["pattern"] == datasources.NAME_PATTERN


@pytest.mark.parametrize(
    "url",
    ["postgresql://crm:p@ss@db.local/crm", "mysql://crm:a@b:c@db.local:3306/crm", "postgresql://crm:@@db.local/x"],
)
def test_a_raw_at_sign_in_the_password_is_refused(database: Database, url: str) -> None:
    """`p@ss` typed as is was stored with host `ss@db.local`: the API's password-free target showed part of the
    password, and every call failed with 'cannot be reached now'."""
    with database.session() as session, pytest.raises(InvalidDataSource) as refused:
        datasources.create_data_source(session, name="crm", url=url)
    assert refused.value.problems[0]["path"] == "$.url"
    assert "%40" in refused.value.problems[0]["message"]
    with database.session() as session:
        source = datasources.create_data_source(session, name="crm", url="postgresql://crm:ok@db.local/crm")
        with pytest.raises(InvalidDataSource):
            datasources.update_data_source(session, source_id=source.id, url=url)


def test_a_percent_encoded_at_sign_is_a_password(database: Database) -> None:
    with database.session() as session:
        source = datasources.create_data_source(session, name="crm", url="postgresql://crm:p%40ss@db.local/crm")
        assert make_url(source.url).password == "p@ss"
        assert datasources.public_target(source.url) == "postgresql://db.local/crm"
        datasources.create_data_source(session, name="files", url="sqlite:////srv/crm@2026@eu.sqlite3")  # no host


def test_the_target_of_a_url_stored_before_never_shows_a_password() -> None:
    assert (
        datasources.public_target("postgresql+psycopg://crm:p@ss@db.local:5433/crm") == "postgresql://db.local:5433/crm"
    )


# -- a Switch on a query's values ----------------------------------------------------------------


def _switched(query: str, cases: list[dict[str, Any]]) -> dict[str, Any]:
    """An SQL block that writes its `v` column into `v`, and a Switch on it."""
    sql = {"source": "crm", "query": query, "columns": {"v": "v"}}
    return {
        "format": "ivrgraph.scenario/1",
        "name": "switched",
        "nodes": [
            {"id": "start", "type": "start", "config": {}},
            {"id": "q", "type": "sql", "config": sql},
            {"id": "sw", "type": "switch", "config": {"value": "v", "cases": cases}},
        ],
        "edges": [{"source": "start", "exit": "next", "target": "q"}, {"source": "q", "exit": "found", "target": "sw"}],
    }


async def _case_taken(sources: DatabaseDataSources, document: dict[str, Any], caller: str = "+34600111222") -> str:
    facts = {"caller_id": caller, "caller_name": "", "dialed_number": "", "channel": "x"}
    result = await run_call(parse_document(document), ScriptedChannel(()), default_registry(),
                            Services(data_sources=sources), facts=facts)  # fmt: skip
    # The block has its rows before the driver lets the cursor go: let it, before the test drops the database.
    await test_datasources._until_no_thread_queries("crm", within=10)
    assert [step.exit for step in result.steps[:2]] == ["next", "found"], result.steps
    return str(result.steps[2].exit)


@pytest.mark.parametrize(
    "expression",
    [
        "EXISTS (SELECT 1 FROM debts WHERE phone = :caller_id)",
        "(SELECT COUNT(*) FROM debts WHERE phone = :caller_id) > 0",
        "(SELECT COUNT(*) FROM debts WHERE phone = :caller_id) > 0 AND TRUE",
    ],
)
async def test_a_switch_on_a_yes_or_no_the_query_computes_branches_alike_on_every_database(
    sources: DatabaseDataSources, expression: str
) -> None:
    """MariaDB gives EXISTS(...), a comparison and TRUE as 1 or 0 (an INT column of width 1, which the driver
    cannot tell from `SELECT 1`), PostgreSQL true or false; SQLite 1 or 0. The Switch's cases true and false took
    neither 1 nor 0 (default), where a Condition's `v == true` took 1."""
    document = _switched(
        f"SELECT {expression} AS v", [{"exit": "yes", "equals": True}, {"exit": "no", "equals": False}]
    )
    taken = [await _case_taken(sources, document, caller) for caller in ("+34600111222", "+34999999999")]
    assert taken == ["yes", "no"]


async def test_a_switch_case_typed_as_text_takes_a_decimal_column_with_a_fraction(sources: DatabaseDataSources) -> None:
    """A DECIMAL column's 19.99 reads as a float, and the case "19.99" compared it with the exact number the text
    reads (19.99 is 19.989999999999998436805981327779591083526611328125 as a float): default."""
    query = "SELECT CAST(19.99 AS DECIMAL(10,2)) AS v FROM debts WHERE phone = :caller_id ORDER BY due"
    cases = [{"exit": "cheap", "equals": "9.99"}, {"exit": "usual", "equals": "19.99"}]
    assert await _case_taken(sources, _switched(query, cases)) == "usual"
