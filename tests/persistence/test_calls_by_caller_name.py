"""The call register finds calls by part of the caller's CallerID name, on SQLite and PostgreSQL.

A Russian contact centre's review: supervisors look a client's calls up by name ("Петрова"), and the register
searched numbers only. The name is a substring search, folded as the scenario search folds (persistence.folding).
"""

from __future__ import annotations

from datetime import timedelta

from persistence import calls
from persistence.calls import CallFilter
from persistence.db import Database
from tests.persistence.named_calls import T0, write_named_calls


def _found(database: Database, **filters: object) -> list[str]:
    with database.session() as session:
        rows, _ = calls.list_calls(session, filters=CallFilter(**filters), limit=100)  # type: ignore[arg-type]
        return [row.id for row in rows]


def test_part_of_the_name_in_any_case_finds_the_call(database: Database) -> None:
    write_named_calls(database, "ПЕТРОВА ЮЛИЯ", "Петров Пётр", "Ivanova Maria", "", "Сидорова")
    assert _found(database, caller_name="петрова") == ["call-0"]
    assert _found(database, caller_name="Петров") == ["call-1", "call-0"]  # newest first
    assert _found(database, caller_name="ivanOVA") == ["call-2"]
    assert _found(database, caller_name="ова") == ["call-4", "call-0"]  # Cyrillic letters: not Ivanova's Latin ones
    assert _found(database, caller_name="Смирнов") == []


def test_e_and_yo_are_one_letter_in_a_name(database: Database) -> None:
    """Russians type "Петр" for "Пётр", and a trunk may send the name either way."""
    write_named_calls(database, "Петров Пётр", "СЕМЁНОВ", "Семенова")
    assert _found(database, caller_name="петр") == ["call-0"]
    assert _found(database, caller_name="ПЁТР") == ["call-0"]
    assert _found(database, caller_name="семенов") == ["call-2", "call-1"]
    assert _found(database, caller_name="Семёнов") == ["call-2", "call-1"]


def test_percent_and_underscore_are_searched_as_themselves(database: Database) -> None:
    write_named_calls(database, "VIP_100%", "VIPX1000", "A\\B")
    assert _found(database, caller_name="_") == ["call-0"]
    assert _found(database, caller_name="100%") == ["call-0"]
    assert _found(database, caller_name="\\") == ["call-2"]
    assert _found(database, caller_name="%") == ["call-0"]


def test_the_name_combines_with_the_other_filters(database: Database) -> None:
    write_named_calls(database, "Петрова", "Петрова", "Петрова", "Иванова")
    write_named_calls(database, "Петрова", "Петрова", scenario="sales", prefix="sale")
    assert _found(database, caller_name="петрова", since=T0 + timedelta(minutes=1)) == ["call-2", "sale-1", "call-1"]
    assert _found(database, caller_name="петрова", scenario="debts", since=T0 + timedelta(minutes=1)) == [
        "call-2",
        "call-1",
    ]
    assert _found(database, caller_name="петрова", caller="+79160000001") == ["sale-1", "call-1"]
    assert _found(database, caller_name="петрова", caller="+79160000001", scenario="sales") == ["sale-1"]
    assert _found(database, caller_name="иванова", caller="+79160000001") == []


def test_name_search_pages_by_keyset_and_exports_every_match(database: Database) -> None:
    """A page holds `limit` matches however many other calls lie between them; the next page starts after the
    last one shown, and the CSV's iteration returns every match once."""
    write_named_calls(database, *("Петрова Юлия" if n % 3 == 0 else f"Caller {n}" for n in range(30)))
    matching = [f"call-{n}" for n in reversed(range(0, 30, 3))]
    pages: list[list[str]] = []
    cursor: str | None = None
    with database.session() as session:
        while True:
            rows, cursor = calls.list_calls(session, filters=CallFilter(caller_name="юлия"), limit=4, after=cursor)
            pages.append([row.id for row in rows])
            if cursor is None:
                break
        exported = [row.id for row in calls.iter_calls(session, filters=CallFilter(caller_name="юлия"), chunk=3)]
    assert pages == [matching[:4], matching[4:8], matching[8:]]
    assert exported == matching
