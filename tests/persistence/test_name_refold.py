# ruff: noqa: RUF001  -- the Cyrillic and full-width letters are what the fold maps, not look-alikes
"""Caller names an older node recorded after `ivrgraph db upgrade` are found once `ivrgraph db refold-names` has run
(ops review, upgrading 0023 to 0027 node by node: a name a Mac sent decomposed, recorded by a node of the release
before 0024, which folds without NFKC, was never found by the name search, and nothing refolded it later)."""

from __future__ import annotations

import unicodedata

from sqlalchemy import text

from persistence import calls
from persistence.calls import CallFilter
from persistence.db import Database
from persistence.name_refold import Refolded, refold_caller_names
from tests.persistence.named_calls import write_named_calls

_DOTTED_CAPITAL_I = str.maketrans({"İ": "i"})
_DOTS_DROPPED = str.maketrans({"ё": "е", "Ё": "е"})


def fold_of_0023(name: str) -> str:
    """How a node of the release before 0024 folds a name (migration 0023's rule): no NFKC."""
    return name.translate(_DOTTED_CAPITAL_I).casefold().translate(_DOTS_DROPPED)


def decomposed(name: str) -> str:
    return unicodedata.normalize("NFD", name)


def _as_an_old_node_wrote(database: Database, call_id: str, name: str, folded: str | None) -> None:
    with database.engine.begin() as conn:
        conn.execute(
            text("UPDATE call_records SET caller_name = :name, caller_name_folded = :folded WHERE id = :id"),
            {"name": name, "folded": folded, "id": call_id},
        )


def _found(database: Database, typed: str) -> list[str]:
    with database.session() as session:
        rows, _ = calls.list_calls(session, filters=CallFilter(caller_name=typed), limit=100)
    return sorted(row.id for row in rows)


def test_names_an_older_node_folded_its_own_way_are_found_once_refolded(database: Database) -> None:
    ids = write_named_calls(database, "x", "x", "x", "Ana Pérez", "", prefix="refold")
    zoe, jose, wide = ids[:3]
    _as_an_old_node_wrote(database, zoe, decomposed("Zoë Ramírez"), fold_of_0023(decomposed("Zoë Ramírez")))
    _as_an_old_node_wrote(database, jose, decomposed("José Núñez"), fold_of_0023(decomposed("José Núñez")))
    _as_an_old_node_wrote(database, wide, "Ｐｅｔｒｏｖａ", None)  # a node before 0023 writes no fold at all
    assert _found(database, "zoë") == _found(database, "josé") == []  # the review's finding

    heard: list[Refolded] = []
    done = refold_caller_names(database, batch=2, progress=heard.append)

    assert done == Refolded(read=5, refolded=3)
    assert [(step.read, step.refolded) for step in heard][-1] == (5, 3) and len(heard) == 3  # batches of 2
    assert _found(database, "zoë") == [zoe]
    assert _found(database, decomposed("ZOË")) == [zoe]
    assert _found(database, "josé") == [jose]
    assert _found(database, "petrova") == [wide]
    assert _found(database, "pérez") == [ids[3]]
    assert refold_caller_names(database) == Refolded(read=5, refolded=0)  # again: nothing left to do
