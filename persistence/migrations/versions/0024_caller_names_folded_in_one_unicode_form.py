# ruff: noqa: RUF001, RUF002  -- the Cyrillic and Turkish letters are what the fold maps, not look-alikes
"""The caller names kept folded for the name search (`call_records.caller_name_folded`, migration 0023) are folded
again, now in one Unicode form: NFKC before casefold (persistence.folding.fold).

A security review: a name stored "Zoë" (ë one letter, as most trunks and CRMs send it) was not found by "zoë" typed
on a Mac, which sends the ë as an e and a combining diaeresis; nor was a name written in full-width letters
(Ｐｅｔｒｏｖａ, as an East Asian input method types it) by "petrova". From this revision both the stored names
and the typed text are normalised (NFKC) before they are folded, and again after casefold, which writes a few
letters as a letter and a combining mark; the rest of the fold is as 0023's (casefold, ё as е, İ as i).

Existing records are folded again in Python, by the rule copied below as of this revision, in batches of `BATCH`
records by id; only those whose folded name changes are written (a name already in NFKC, as almost every name is,
keeps its value), and those an older node left without one (NULL: a node before 0023 during a rolling upgrade) get
theirs. The trigram index (PostgreSQL) is kept, and updated with the rows.

During a rolling upgrade a node of the release before this one still writes a name folded without the
normalisation: such a name, if written with combining marks or full-width letters, is found by the same marks only
until it is written again. Migrate once every node runs this release's code, or run no older node after it.

The downgrade folds the names back by 0023's rule, which the code before this revision compares its typed text
with.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 21:00:00
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator, Sequence
from typing import Final

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH: Final = 5000  # records read at a time

# Every node stopped first (persistence.migrate `stop_all_nodes`): a node of the release before it, still running,
# folds names without the normalisation, and those records stay unfound until `ivrgraph db refold-names`.
STOP_ALL_NODES: Final = "an older node still running stores caller names the name search does not find"

# persistence.folding.fold as of this revision, and as of 0023 (the downgrade's).
_DOTTED_CAPITAL_I: Final = str.maketrans({"İ": "i"})
_DOTS_DROPPED: Final = str.maketrans({"ё": "е", "Ё": "е"})


def _fold(text: str) -> str:
    def normalised(part: str) -> str:
        return unicodedata.normalize("NFKC", part)

    return normalised(normalised(text).translate(_DOTTED_CAPITAL_I).casefold()).translate(_DOTS_DROPPED)


def _fold_of_0023(text: str) -> str:
    return text.translate(_DOTTED_CAPITAL_I).casefold().translate(_DOTS_DROPPED)


def upgrade() -> None:
    _refold(op.get_bind(), _fold)


def downgrade() -> None:
    _refold(op.get_bind(), _fold_of_0023)


def _refold(bind: sa.Connection, fold: Callable[[str], str]) -> None:
    update = sa.text("UPDATE call_records SET caller_name_folded = :folded WHERE id = :id")
    for changed in _changed(bind, fold):
        if changed:
            bind.execute(update, changed)  # one statement for the batch (psycopg pipelines it)
    op.execute(sa.text("UPDATE call_records SET caller_name_folded = '' WHERE caller_name = '' "
                       "AND caller_name_folded IS NULL"))  # fmt: skip


def _changed(bind: sa.Connection, fold: Callable[[str], str]) -> Iterator[list[dict[str, str]]]:
    """A batch at a time, by id, of the records with a name: those whose folded name `fold` changes, with it."""
    read = sa.text(
        "SELECT id, caller_name, caller_name_folded FROM call_records WHERE id > :after AND caller_name <> '' "
        "ORDER BY id LIMIT :limit"
    )
    after = ""
    while rows := bind.execute(read, {"after": after, "limit": BATCH}).all():
        after = rows[-1][0]
        folded = ((call_id, kept, fold(name)) for call_id, name, kept in rows)
        yield [{"id": call_id, "folded": new} for call_id, kept, new in folded if new != kept]
