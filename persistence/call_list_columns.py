"""The columns of a call list chosen for what the scenario reads from it (`contact.name`, `debt_amount`), whatever the
file calls them: a Russian CRM's `ФИО` and `Сумма долга` fill them without renaming a column in the file (review of
a collections supervisor: the list was refused, or called with every client greeted as "клиент").

Without a choice, a column fills what it is named like (`name` for `contact.name`, `debt_amount`), as before; a
choice adds to that and wins over it. One column may fill several variables. The list's own cells stay as the file
names them: the whole row is still `contact`, and the campaign's report keeps the file's columns; the campaign keeps
the choice, for its XLSX report to type a chosen column by the variable it filled (`variables_of`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from persistence.call_list_values import CONTACT

if TYPE_CHECKING:
    from persistence.call_lists import Needed

_CONTACT_FIELD = f"{CONTACT}."


@dataclass(frozen=True)
class ChosenColumns:
    """`chosen`: what the scenario reads (a `Needed`'s `reads`) -> the list's column that fills it. `sent`: whether
    the request chose at all (an empty choice is still one: the check then says to choose a column, not to rename
    one in the file)."""

    chosen: Mapping[str, str] = field(default_factory=dict)
    sent: bool = False

    @classmethod
    def of(cls, columns: Mapping[str, str] | None) -> ChosenColumns:
        return cls(dict(columns or {}), columns is not None)

    def fills(self, need: Needed, filled: Sequence[str]) -> bool:
        """Whether a column with a value in some row (`filled`) gives the scenario what `need` reads."""
        chosen = self.chosen.get(need.reads)
        return (chosen is not None and chosen in filled) or need.column in filled

    def empty_column(self, need: Needed, row: Mapping[str, Any]) -> str | None:
        """The list's column `row` leaves empty where the scenario reads `need` (the chosen column, else the one named
        like it), or None when the row gives it a value: from the chosen column, else from the one named like it, as
        `contact_fields` and `variable_cells` fill it."""
        chosen = self.chosen.get(need.reads)
        if (chosen is not None and _has_value(row, chosen)) or _has_value(row, need.column):
            return None
        return chosen or need.column

    def contact_fields(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """The fields of `contact` chosen columns fill for `row` (`{"name": row["ФИО"]}`), laid over the row. An
        empty cell fills nothing, as a missing column: the scenario's default stays (review: "Hola ." for a client
        with an empty ФИО, where the default "cliente" was meant)."""
        return {
            variable.removeprefix(_CONTACT_FIELD): row[column]
            for variable, column in self.chosen.items()
            if variable.startswith(_CONTACT_FIELD) and _has_value(row, column)
        }

    def variable_cells(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """`row` with the variables chosen columns fill (`{"debt_amount": row["Сумма долга"]}`) laid over it: what
        the variables are read from (`declared_values`), as a column named like each would have been. An empty
        cell fills nothing, as a missing column: the variable keeps its default."""
        chosen = {
            variable: row[column]
            for variable, column in self.chosen.items()
            if not variable.startswith(_CONTACT_FIELD) and _has_value(row, column)
        }
        return {**row, **chosen} if chosen else dict(row)

    def variables_of(self, column: str, named_like: Sequence[str]) -> list[str]:
        """What the scenario read from the list's `column`: the variables chosen for it, and the one named like it
        (among `named_like`) unless another column was chosen for that one (a choice wins over a name)."""
        chosen = [variable for variable, chosen in self.chosen.items() if chosen == column]
        by_name = column in named_like and column not in self.chosen
        return [*chosen, column] if by_name and column not in chosen else chosen

    def column_of(self, variable: str) -> str:
        """The list's column a variable is read from, as a problem names it: the one chosen, or its own name."""
        return self.chosen.get(variable, variable)

    def shown(self) -> str:
        """The choices as a check's warning names them: `debt_amount = 'Сумма долга'`."""
        return ", ".join(f"{variable} = {column!r}" for variable, column in self.chosen.items())


def without_empty_cells(row: Mapping[str, Any], defaulted: Collection[str]) -> dict[str, Any]:
    """`row` without its empty cells among `defaulted` (what the scenario gives a default): a row sent as JSON with
    `""` there keeps the default, as a file's empty cell (which its reader leaves out) does, instead of the client
    hearing "Hola ." or the list being refused for "'' is not a number". Other empty cells stay as sent."""
    return {column: cell for column, cell in row.items() if column not in defaulted or _has_value(row, column)}


def _has_value(row: Mapping[str, Any], column: str) -> bool:
    """Whether `row` has a value in `column`: a cell that is None or only whitespace is none."""
    cell = row.get(column)
    return cell is not None and not (isinstance(cell, str) and not cell.strip())
