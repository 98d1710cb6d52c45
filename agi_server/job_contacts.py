"""Whom a callback job calls, as the call register names a call placed for it.

The call register names a dialled call after its client (`contact_name`: the list's name column, `nombre`, `ФИО`),
and the number it rang, as an originated call's CallerID is the dialer's own: the node looks both up as it writes
the calls' records (`job_contacts`, agi_server.node), so the Calls page's name and number searches find the client's
calls, also those whose job could not be loaded when the callee answered (the dialplan's `s` was their number).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import select

from graph_engine.caller_name import shown_caller_name
from persistence.call_list_values import CONTACT
from persistence.db import Database
from persistence.models import CallbackJob, CallCampaign

# The columns of a list that name its client, as analysts head them in the designer's languages, compared casefolded
# without spaces, dots, dashes and underscores ("Full Name", "full_name", "ФИО"): the first a client's row fills.
NAME_COLUMNS: Final = ("name", "fullname", "nombre", "nombrecompleto", "имя", "фио", "clientname", "customername",
                       "contactname")  # fmt: skip
_NOT_IN_A_COLUMN_KEY: Final = re.compile(r"[\s._-]+")


def contact_name(variables: Mapping[str, Any], *, columns: Sequence[str] | None = None) -> str:
    """The name of the client a job calls, as the call register's caller name: their list's name column
    (NAME_COLUMNS) as a caller name is shown (graph_engine.caller_name: one line, its length bounded), else the
    `caller_name` a Callback block carried to the job; "" for none. `columns`: the list's own (its campaign's
    settings), so a `contact` field only the scenario's default fills ("cliente") names nobody."""
    contact = variables.get(CONTACT)
    if isinstance(contact, Mapping):
        keyed = {_column_key(str(column)): value for column, value in contact.items()
                 if columns is None or column in columns}  # fmt: skip
        for column in NAME_COLUMNS:
            value = keyed.get(column)
            if isinstance(value, str) and (name := shown_caller_name(value)):
                return name
    carried = variables.get("caller_name")
    return shown_caller_name(carried) if isinstance(carried, str) else ""


@dataclass(frozen=True, slots=True)
class JobContact:
    """Whom a callback job calls, as the call register names a call placed for it (agi_server.node)."""

    number: str  # the number the dialer rings
    name: str  # the client's name (`contact_name`); "" for none


def job_contacts(database: Database, job_ids: Sequence[str]) -> dict[str, JobContact]:
    """Whom each of `job_ids` calls: its number, and its client's name (the list's name column, by the list's own
    columns: `contact_name`); jobs gone left out. One query, in the caller's thread."""
    if not job_ids:
        return {}
    query = (
        select(CallbackJob.id, CallbackJob.number, CallbackJob.variables, CallCampaign.settings)
        .outerjoin(CallCampaign, CallCampaign.id == CallbackJob.campaign_id)
        .where(CallbackJob.id.in_(list(job_ids)))
    )
    contacts: dict[str, JobContact] = {}
    with database.session() as session:
        for job_id, number, variables, settings in session.execute(query):
            kept = (settings or {}).get("columns")
            columns = [str(column) for column in kept] if isinstance(kept, list) else None
            contacts[str(job_id)] = JobContact(number or "", contact_name(variables or {}, columns=columns))
    return contacts


def _column_key(column: str) -> str:
    return _NOT_IN_A_COLUMN_KEY.sub("", column.casefold())
