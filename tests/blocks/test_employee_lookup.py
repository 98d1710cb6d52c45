"""The employee call-through example against a real staff table (SQLite, and PostgreSQL when it runs), mobiles
stored in E.164: an employee is found however the trunk writes their number, and one whose name is NULL is not
greeted as "None"."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from blocks import default_registry
from graph_engine.document import parse_document
from graph_engine.interpreter import run_call
from graph_engine.scripted import ScriptedChannel
from graph_engine.services import Services
from persistence import datasources
from persistence.datasources import DatabaseDataSources
from persistence.db import Database, make_engine
from persistence.migrate import upgrade
from tests.conftest import EXAMPLES
from tests.persistence import pg

STAFF = [
    "CREATE TABLE employees (name VARCHAR(40), extension VARCHAR(10), mobile VARCHAR(20), active INT)",
    "INSERT INTO employees VALUES ('Luis', '204', '+34600999888', 1)",
    "INSERT INTO employees VALUES (NULL, '205', '+34600111222', 1)",
    "INSERT INTO employees VALUES ('Marta', '206', '', 1)",
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def staff_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield _filled(f"sqlite:///{tmp_path / 'staff.sqlite3'}")
    else:
        with pg.throwaway_database("staff") as url:
            yield _filled(url)


def _filled(url: str) -> str:
    engine = make_engine(url)
    with engine.begin() as conn:
        for statement in STAFF:
            conn.exec_driver_sql(statement)
    engine.dispose()
    return url


@pytest.fixture
def staff(tmp_path: Path, staff_url: str) -> Iterator[DatabaseDataSources]:
    url = f"sqlite:///{tmp_path / 'ivrgraph.sqlite3'}"
    upgrade(url)
    database = Database(url)
    with database.session() as session:
        datasources.create_data_source(session, name="staff", url=staff_url, read_only=True)
    service = DatabaseDataSources(database)
    yield service
    service.close()
    database.dispose()


async def _greeting(staff: DatabaseDataSources, caller_id: str) -> tuple[list[str], list[str]]:
    """The exits the call took and what it said, for a call from `caller_id`."""
    document = json.loads((EXAMPLES / "employee-callthrough.json").read_text(encoding="utf-8"))
    facts: dict[str, Any] = {"caller_id": caller_id, "caller_name": "", "dialed_number": "", "channel": "x"}
    result = await run_call(
        parse_document(document), ScriptedChannel([]), default_registry(), Services(data_sources=staff), facts=facts
    )
    said = [prompt["text"] for step in result.steps for prompt in step.prompts if "text" in prompt]
    return [step.exit for step in result.steps], said


@pytest.mark.parametrize("caller_id", ["+34600999888", "0034600999888", "34600999888", "600999888"])
async def test_the_employee_is_found_whatever_the_trunk_format(staff: DatabaseDataSources, caller_id: str) -> None:
    exits, said = await _greeting(staff, caller_id)
    assert "found" in exits, exits
    assert said[:1] == ["Hola Luis. Cuelgue y le llamaremos para marcar su número."]


async def test_an_employee_whose_name_is_null_is_not_greeted_as_none(staff: DatabaseDataSources) -> None:
    exits, said = await _greeting(staff, "600111222")
    assert "found" in exits, exits
    assert said[:1] == ["Hola . Cuelgue y le llamaremos para marcar su número."]


@pytest.mark.parametrize("caller_id", ["", "anonymous", "6001112"])
async def test_an_unreadable_number_is_never_taken_for_an_employee(staff: DatabaseDataSources, caller_id: str) -> None:
    """Not for Marta, whose mobile is blank: the lookup is not even made."""
    exits, said = await _greeting(staff, caller_id)
    assert "found" not in exits and "not_found" not in exits, exits
    assert not any(text.startswith("Hola") for text in said)
