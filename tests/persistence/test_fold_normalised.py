# ruff: noqa: RUF001, RUF002  -- the names are Cyrillic, Turkish and full-width on purpose
"""The caller-name search finds a name however its letters are encoded, on SQLite, PostgreSQL and a PostgreSQL
database whose LC_CTYPE is 'C': "Zoë" stored with ë as one letter is found by "zoë" typed on a Mac (an e and a
combining diaeresis), and the other way round, and a name in full-width letters by the plain ones (security review).
`fold` normalises (NFKC) before and after casefold, and keeps what it did: Cyrillic case, ё as е, İ as i, ß as ss.
Migration 0024 folds the names recorded before it again, in batches; its downgrade folds them back as 0023 did."""

from __future__ import annotations

import contextlib
import unicodedata
from pathlib import Path

import pytest
from alembic import command

from persistence import calls
from persistence.calls import CallFilter
from persistence.db import Database
from persistence.folding import fold
from persistence.migrate import alembic_config, current_revision, upgrade
from tests.persistence import pg
from tests.persistence.named_calls import write_named_calls
from tests.persistence.statements import run_statements


def decomposed(text: str) -> str:
    return unicodedata.normalize("NFD", text)


ZOE = "Zoë Ramírez"
NAMES = (ZOE, decomposed("José Núñez"), "Ｐｅｔｒｏｖａ Ｏｌｇａ", "СЕМЁНОВ Пётр", "İSTANBUL Şubesi", "Straße 5",
         "ﬁnca")  # fmt: skip
# What each typed text finds, by the index of its name in NAMES.
FOUND = {
    "zoë": [0],
    decomposed("zoë"): [0],  # as a Mac sends it
    decomposed("ZOË RAMÍREZ"): [0],
    "josé": [1],  # the name stored decomposed, the search typed composed
    decomposed("núñez"): [1],
    "petrova": [2],
    "ＰＥＴＲＯＶＡ": [2],
    "olga": [2],
    "семенов": [3],
    decomposed("семёнов"): [3],
    "пётр": [3],
    "istanbul": [4],
    "şubesi": [4],
    "strasse": [5],
    "STRASSE 5": [5],
    "straße": [5],
    "fin": [6],
    "zoe": [],  # an accent is still a letter of its own
}


def test_fold_writes_each_letter_one_way_and_keeps_what_it_folded() -> None:
    assert fold(decomposed("Zoë")) == fold("Zoë") == "zoë"
    assert len(fold(decomposed("Zoë"))) == 3
    assert fold("Ｐｅｔｒｏｖａ") == "petrova"
    assert fold("ﬁnca") == "finca"
    assert fold("СЕМЁНОВ Пётр") == fold(decomposed("СЕМЁНОВ Пётр")) == "семенов петр"
    assert fold("İSTANBUL") == fold(decomposed("İSTANBUL")) == "istanbul"
    assert fold("Straße") == "strasse"
    assert fold("ΟΔΥΣΣΕΎΣ") == "οδυσσεύσ"
    assert fold("ǰ") == fold(decomposed("ǰ")) == "ǰ"  # casefold writes it apart: composed again
    for text in (*NAMES, *FOUND):
        assert fold(fold(text)) == fold(text), text


def _found(database: Database, typed: str, ids: list[str]) -> list[int]:
    with database.session() as session:
        rows, _ = calls.list_calls(session, filters=CallFilter(caller_name=typed), limit=100)
    return sorted(ids.index(row.id) for row in rows if row.id in ids)


def _finds_each_name_however_encoded(database: Database, prefix: str) -> None:
    ids = write_named_calls(database, *NAMES, prefix=prefix)
    for typed, wanted in FOUND.items():
        assert _found(database, typed, ids) == wanted, ascii(typed)


def test_the_search_finds_a_name_however_its_letters_are_encoded(database: Database) -> None:
    _finds_each_name_however_encoded(database, "enc")


@pytest.mark.postgres
def test_the_search_finds_them_on_a_database_whose_locale_is_c(c_locale_database: Database) -> None:
    _finds_each_name_however_encoded(c_locale_database, "enc-c")


def test_a_record_an_older_node_wrote_without_its_folded_name_is_found_by_a_decomposed_search(
    database: Database,
) -> None:
    """The search folds such a record's name in the query; the typed text is normalised first there too."""
    ids = write_named_calls(database, ZOE, "Luis", prefix="unfolded")
    with database.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE call_records SET caller_name_folded = NULL")
    assert _found(database, decomposed("zoë"), ids) == [0]
    assert _found(database, "ramírez", ids) == [0]


# -- migration 0024 ------------------------------------------------------------------------------------------------

FILLERS = 5_003  # more than one batch (`BATCH`, 5,000)
_INSERT = (
    "INSERT INTO call_records (id, scenario, caller_id, caller_name, caller_name_folded, dialed_number, channel, node, "
    "asterisk_uniqueid, started_at, ended_at, duration_ms, outcome, status, variables, trace) VALUES (:id, 'debts', "
    "'+34600111222', :name, :folded, '', 'PJSIP/1', 'n1', '', :at, :at, 1000, 'hung_up', 'answered', '{}', '{}')"
)


_DOTTED_CAPITAL_I: dict[str, str | int | None] = {"İ": "i"}
_DOTS: dict[str, str | int | None] = {"ё": "е", "Ё": "е"}


def _fold_of_0023(text: str) -> str:
    """persistence.folding.fold as of 0023, as that migration's copy has it."""
    return text.translate(str.maketrans(_DOTTED_CAPITAL_I)).casefold().translate(str.maketrans(_DOTS))


def _old_database(stack: contextlib.ExitStack, tmp_path: Path, backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'old.sqlite3'}"
    return stack.enter_context(pg.throwaway_database("mig0024"))


def _record_at_0023(url: str, names: dict[str, str], unfolded: set[str]) -> None:
    """Calls as the release of 0023 wrote them (their names folded its way), a second apart; those of `unfolded`
    as a node before 0023 wrote them, without a folded name."""
    rows = [
        {"id": call_id, "name": name, "folded": None if call_id in unfolded else _fold_of_0023(name),
         "at": f"2026-12-01 {n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}"}
        for n, (call_id, name) in enumerate(names.items())
    ]  # fmt: skip
    run_statements(url, (_INSERT, rows))  # type: ignore[arg-type]  # executemany: a list of rows


def _folded(url: str) -> dict[str, str | None]:
    rows = run_statements(url, ("SELECT id, caller_name_folded FROM call_records", {}))
    return {str(call_id): folded for call_id, folded in rows}  # type: ignore[misc]


def _found_at(url: str, typed: str) -> list[str]:
    database = Database(url)
    try:
        with database.session() as session:
            rows, _ = calls.list_calls(session, filters=CallFilter(caller_name=typed, scenario="debts"), limit=100)
            return sorted(row.id for row in rows)
    finally:
        database.dispose()


OLD_NAMES = {"zoe": decomposed(ZOE), "wide": "Ｐｅｔｒｏｖａ", "yo": "СЕМЁНОВ", "i": "İSTANBUL", "ss": "Straße",
             "plain": "Luis Gómez", "none": "", "older": decomposed("Núñez")}  # fmt: skip


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_0024_folds_the_names_recorded_before_it_again(tmp_path: Path, backend: str) -> None:
    with contextlib.ExitStack() as stack:
        url = _old_database(stack, tmp_path, backend)
        upgrade(url, "0023")
        fillers = {f"filler-{n:05d}": f"Caller ｎ{n}" for n in range(FILLERS)}  # full-width: each one refolded
        _record_at_0023(url, {**OLD_NAMES, **fillers}, unfolded={"older"})
        assert _found_at(url, "zoë") == []  # what the review found
        assert _found_at(url, "petrova") == []

        upgrade(url, "0024")
        assert current_revision(url) == "0024"
        stored = _folded(url)
        assert {call_id: stored[call_id] for call_id in OLD_NAMES} == {
            "zoe": "zoë ramírez",
            "wide": "petrova",
            "yo": "семенов",
            "i": "istanbul",
            "ss": "strasse",
            "plain": "luis gómez",
            "none": "",
            "older": "núñez",  # an older node's record, without one, gets its own
        }
        assert all(stored[call_id] == f"caller n{n}" for n, call_id in enumerate(fillers))  # every batch
        assert _found_at(url, "zoë") == ["zoe"]
        assert _found_at(url, decomposed("ZOË")) == ["zoe"]
        assert _found_at(url, "petrova") == ["wide"]
        assert _found_at(url, "семёнов") == ["yo"]
        assert _found_at(url, "núñez") == ["older"]
        assert _found_at(url, "caller n5002") == ["filler-05002"]  # the last batch's

        command.downgrade(alembic_config(url), "0023")
        assert current_revision(url) == "0023"
        folded_back = _folded(url)
        assert folded_back["zoe"] == _fold_of_0023(decomposed(ZOE))
        assert folded_back["wide"] == "ｐｅｔｒｏｖａ"
        assert folded_back["filler-05002"] == "caller ｎ5002"
        assert folded_back["older"] == _fold_of_0023(decomposed("Núñez"))
