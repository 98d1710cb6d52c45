# ruff: noqa: RUF001, RUF002  -- the Russian and Kazakh names are Cyrillic on purpose
"""A scenario search ignores case in Cyrillic whatever the database's locale, and finds ё typed as е."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from persistence import scenarios
from persistence.db import Database


def _found(database: Database, query: str) -> list[str]:
    with database.session() as session:
        return [scenario.slug for scenario in scenarios.list_scenarios(session, query=query)[0]]


@pytest.mark.postgres
def test_cyrillic_case_is_ignored_on_a_database_whose_locale_is_c(c_locale_database: Database) -> None:
    """Review of a Russian contact centre: on PostgreSQL with LC_CTYPE 'C', lower() left Cyrillic capitals as they
    were, so "напоминание" did not find "Напоминание о платеже"."""
    with c_locale_database.engine.connect() as connection:
        ctype = connection.execute(text("SELECT datctype FROM pg_database WHERE datname = current_database()"))
        assert ctype.scalar() == "C"
        assert connection.execute(text("SELECT lower('Напоминание')")).scalar() == "Напоминание"  # what it was
    with c_locale_database.session() as session:
        scenarios.create_scenario(session, slug="reminder", name="Напоминание о платеже", actor="ana")
        scenarios.create_scenario(session, slug="kazakh", name="ҚАРЫЗ ТУРАЛЫ ЕСКЕРТУ", actor="ana")
        scenarios.create_scenario(session, slug="spanish", name="Menú ÑANDÚ", actor="ana")
    for query in ("напоминание", "НАПОМИНАНИЕ", "о Платеже"):
        assert _found(c_locale_database, query) == ["reminder"], query
    assert _found(c_locale_database, "қарыз") == ["kazakh"]
    assert _found(c_locale_database, "ñandú") == ["spanish"]


def test_e_finds_yo_and_yo_finds_e(database: Database) -> None:
    """Russians type е for ё: "прием" finds "Приём заявок", and "ЁЛКА" finds "Елка" typed without the dots."""
    with database.session() as session:
        scenarios.create_scenario(session, slug="intake", name="Приём заявок", actor="ana")
        scenarios.create_scenario(session, slug="tree", name="Ёлочный базар", actor="ana")
        scenarios.create_scenario(session, slug="fir", name="Елка", actor="ana")
    assert _found(database, "прием") == ["intake"]
    assert _found(database, "ПРИЁМ") == ["intake"]
    assert _found(database, "елочный") == ["tree"]
    assert sorted(_found(database, "ёл")) == ["fir", "tree"]


@pytest.mark.postgres
def test_e_finds_yo_on_a_database_whose_locale_is_c(c_locale_database: Database) -> None:
    with c_locale_database.session() as session:
        scenarios.create_scenario(session, slug="intake-c", name="ПРИЁМ ЗАЯВОК", actor="ana")
    assert _found(c_locale_database, "прием") == ["intake-c"]
