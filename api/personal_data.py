"""Callers' and clients' personal data in the API's answers: shown whole to a user with `sees_personal_data`, masked
for everyone else, whatever their role; and who read it, in the audit log.

Every route that answers with a call, a callback job or a report of them passes its answer through here, so what a
user without the permission reads is decided in this one module:

- a phone number (a caller's, the number a call rang, a job's): `+34*******56`. The leading `+` and the two digits
  after it (the country, mostly) and the last two digits stay, every other digit is a `*`, separators stay, so the
  length shows. A number of seven digits or fewer keeps only its last two; one of two or fewer keeps none. Text with a
  letter in it (`anonymous`, a SIP URI) is `[hidden]`;
- a CallerID name: `[hidden]` (an empty one stays empty: "no name was sent" holds nothing);
- a channel's name (`Local/34600111256@callees-0000002a;1`: a Local channel names the number it dialled): each run
  in it that may be a number masked as a number, found as the logs find them (agi_server.logs.rewrite_number_runs);
  the technology, trunk and context names and the unique suffix stay, so support still finds it in Asterisk's log;
- any other value (a variable, the keys pressed, a text said, a value an event noted, an error message): the mask the
  engine writes for a sensitive variable (graph_engine.sensitive.mask: `[hidden: 4 characters]`), which the designer
  says in the analyst's language. A value the engine masked already is left as it is. The keys keep the terminator
  between entries (`[hidden: 2 characters]#[hidden: 4 characters]`), so the story still tells tries apart;
- a call list's cell (a field of `contact`, in a job or a call; a job's variable a column filled; a report's cell):
  `[hidden]`, without the length the engine's mask tells (it told a debt's size, security review); empty stays empty.

What stays: ids, times, durations, statuses and outcomes, the flow's `result`, the nodes and exits a call took, what
events note of the flow (a Switch's case, the rows an SQL block counted, a transfer's outcome, and its target but for
the numbers in it, as a channel's name; a callback's due time), and the names of variables and of a call list's
columns. Filters still compare the real values on the server: `?caller=+34600111222` finds that caller's calls for a
supervisor who reads them masked.

The audit side (`record_access`): reading one call's detail (`read_call`), an export (`export_calls`,
`export_campaign`), a lookup by number (`lookup_number`) and a search by name (`lookup_name`) each leave one event per
request, naming a number only by the subject's keyed hash (persistence.privacy.subject_hash), the target an erasure
and a subject access request use, and a name by its length only.

A search whose answers would tell what a user reads masked is refused to them (api.errors.PersonalDataHidden):
which calls a name search finds tells the name, a letter at a time. A number lookup is not: it finds the calls of a
number the user already has, and leaves its event.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, TypeVar

from sqlalchemy.orm import Session

from agi_server.logs import rewrite_number_runs
from api.schemas import CallbackJobOut, CallDetail, CallSummary
from graph_engine.sensitive import HIDDEN, mask
from persistence import audit, privacy
from persistence.call_list_values import CONTACT
from persistence.phone_numbers import phone_number
from persistence.users import Principal
from voice.service import TTS_FOLDER

# Variables every call has that say nothing about the caller; `result` is the register's own column.
KEPT_VARIABLES: Final = frozenset(
    {"call_id", "channel_language", "language", "result", "callback_job_id", "origin_call_id"}
)
NUMBER_VARIABLES: Final = frozenset({"caller_id", "dialed_number", "callback_number"})
CHANNEL_VARIABLES: Final = frozenset({"channel"})
NAME_VARIABLES: Final = frozenset({"caller_name"})

# What a trace event (`ctx.note(kind, ...)`, a `failure`'s params) holds of the flow rather than of the caller.
KEPT_EVENT_FIELDS: Final = frozenset(
    {
        "kind", "code", "attempt", "terminator", "reason", "case", "outcome", "talk_seconds",
        "caller_name_unset", "scenario", "version", "local_time", "open", "source", "rows", "rows_affected", "job_id",
        "due", "merged", "status", "skipped", "expression", "part", "line", "node_id", "column", "columns",
        "field", "variable", "variables", "timezone", "exit", "engine", "method", "exception",
    }
)  # fmt: skip
NUMBER_EVENT_FIELDS: Final = frozenset({"number", "to", "caller_id", "callback_number"})
NAME_EVENT_FIELDS: Final = frozenset({"caller_name"})
# A transfer's target is a dial string (`PJSIP/+34600111256@trunk`): its numbers masked as a channel's are, so a
# department's extension or queue still shows and a client's mobile does not.
DIAL_STRING_EVENT_FIELDS: Final = frozenset({"target"})

# The register's export columns (api.routes.calls.CSV_COLUMNS) that hold a number or a name.
REGISTER_NUMBERS: Final = frozenset({"caller_id", "dialed_number"})
REGISTER_NAMES: Final = frozenset({"caller_name"})
REGISTER_CHANNELS: Final = frozenset({"channel"})

# graph_engine.sensitive's masks, as the designer reads them (designer_ui/src/lib/hiddenText.ts).
_ENGINE_MASK: Final = re.compile(r"\[hidden(?:: \d+ (?:characters?|items?|fields?))?\]")
_KEY_RUN: Final = re.compile(r"[^#]+")  # keys between terminators
_COUNTRY_DIGITS: Final = 2  # after a leading +: +34, +79...; the start of a longer code
_DIGITS_SHOWN: Final = 2  # at the end: enough to tell calls apart, not to call anyone back
_SHORT_NUMBER: Final = 7  # digits; up to here only the last two show (an extension, a short code)
# What Asterisk appends to a channel's name to make it unique: eight hex digits, and a Local channel's half (;1 ;2).
_CHANNEL_SUFFIX: Final = re.compile(r"-[0-9a-f]{8}(?:;[12])?$")

Call = TypeVar("Call", CallSummary, CallDetail)
Job = TypeVar("Job", bound=CallbackJobOut)


# -- masks -----------------------------------------------------------------------------------------------------


def masked_number(text: str) -> str:
    """A phone number as a user without the permission reads it: `+34600111256` is `+34*******56` (module doc)."""
    if not text:
        return text
    if any(char.isalpha() for char in text):
        return HIDDEN
    digits = sum(char.isdigit() for char in text)
    lead = _COUNTRY_DIGITS if text.startswith("+") and digits > _SHORT_NUMBER else 0
    tail = _DIGITS_SHOWN if digits > _DIGITS_SHOWN else 0
    shown: list[str] = []
    seen = 0
    for char in text:
        if char.isdigit():
            shown.append(char if seen < lead or seen >= digits - tail else "*")
            seen += 1
        else:
            shown.append(char)
    return "".join(shown)


def masked_channel(text: str) -> str:
    """A channel's name with the numbers in it masked (module doc): `Local/+34*******56@callees-0000002a;1`. Its
    unique suffix (`-0000002a;1`) is kept apart first: after an extension (`PJSIP/101-00000001`) it would read as
    the rest of one number."""
    suffix = _CHANNEL_SUFFIX.search(text)
    cut = suffix.start() if suffix else len(text)
    return rewrite_number_runs(text[:cut], masked_number) + text[cut:]


def masked_name(text: str) -> str:
    return HIDDEN if text else text


def masked_value(value: Any) -> Any:
    """The engine's mask of `value` (`[hidden: 4 characters]`); None, and a mask already, as they are."""
    if value is None or (isinstance(value, str) and _is_mask(value)):
        return value
    return mask(value)


def masked_cell(cell: Any) -> Any:
    """A call list's cell: `[hidden]` (module doc); an empty one, or none, as it is."""
    return cell if cell is None or cell == "" else HIDDEN


def _is_mask(text: str) -> bool:
    return _ENGINE_MASK.fullmatch(text) is not None


def masked_keys(keys: str) -> str:
    """Keys pressed: each run between terminators masked, the engine's masks and the `#` between entries kept."""
    parts: list[str] = []
    at = 0
    for found in _ENGINE_MASK.finditer(keys):
        parts.append(_KEY_RUN.sub(_masked_run, keys[at : found.start()]))
        parts.append(found.group())
        at = found.end()
    parts.append(_KEY_RUN.sub(_masked_run, keys[at:]))
    return "".join(parts)


def _masked_run(found: re.Match[str]) -> str:
    return str(mask(found.group()))


def masked_variables(variables: Mapping[str, Any]) -> dict[str, Any]:
    """A call's or a job's variables: each value masked, those of KEPT_VARIABLES as they are; an object (a call
    list's row, `contact`) field by field, so its columns still show; `contact`'s cells as masked_cell."""
    return {name: _masked_variable(name, value) for name, value in variables.items()}


def _masked_variable(name: str, value: Any) -> Any:
    if name in KEPT_VARIABLES:
        return value
    if isinstance(value, str) and name in NUMBER_VARIABLES:
        return masked_number(value)
    if isinstance(value, str) and name in NAME_VARIABLES:
        return masked_name(value)
    if isinstance(value, str) and name in CHANNEL_VARIABLES:
        return masked_channel(value)
    if isinstance(value, Mapping):
        masked = masked_cell if name == CONTACT else masked_value
        return {str(field): masked(inner) for field, inner in value.items()}
    return masked_value(value)


def masked_trace(trace: Mapping[str, Any]) -> dict[str, Any]:
    """A call's trace (graph_engine.trace.CallResult as data): its steps, its final variables and its error masked;
    the path, exits, times and outcome as they are. A part not shaped as the engine writes it (a record from another
    node's release) is masked whole rather than shown."""
    shown = dict(trace)
    if "steps" in trace:
        shown["steps"] = _each(trace["steps"], _masked_step)
    if "variables" in trace:
        shown["variables"] = _variables_in(trace["variables"])
    if "error" in trace:
        shown["error"] = masked_value(trace["error"])
    return shown


def _each(items: Any, masked: Callable[[Mapping[str, Any]], dict[str, Any]]) -> Any:
    if not isinstance(items, list):
        return masked_value(items)
    return [masked(item) if isinstance(item, Mapping) else masked_value(item) for item in items]


def _variables_in(variables: Any) -> Any:
    return masked_variables(variables) if isinstance(variables, Mapping) else masked_value(variables)


def _masked_step(step: Mapping[str, Any]) -> dict[str, Any]:
    shown = dict(step)
    if "keys" in step:
        keys = step["keys"]
        shown["keys"] = masked_keys(keys) if isinstance(keys, str) else masked_value(keys)
    if "prompts" in step:
        shown["prompts"] = _each(step["prompts"], _masked_prompt)
    if "variables_changed" in step:
        shown["variables_changed"] = _variables_in(step["variables_changed"])
    if "events" in step:
        shown["events"] = _each(step["events"], _masked_event)
    if "error" in step:
        shown["error"] = masked_value(step["error"])
    return shown


def _masked_prompt(prompt: Mapping[str, Any]) -> dict[str, Any]:
    """A prompt said (`text`) is masked, and so is its audio's name, a hash of that text (a debt's few thousand
    amounts would find it); a recording played (`audio` alone) is the designer's file, named as it is."""
    shown = dict(prompt)
    if "text" in prompt:
        shown["text"] = masked_value(prompt["text"])
        if prompt.get("audio"):
            shown["audio"] = HIDDEN
    return shown


def _masked_event(event: Mapping[str, Any]) -> dict[str, Any]:
    return {str(field): _masked_event_field(str(field), value) for field, value in event.items()}


def _masked_event_field(field: str, value: Any) -> Any:
    if field in KEPT_EVENT_FIELDS or isinstance(value, bool):
        return value
    if field == "media" and isinstance(value, str):
        # A prompt Asterisk could not play (`media_not_played`): a recording's name is the designer's file, but a
        # spoken phrase's is the hash of its text (`ivrgraph/tts/<key>`), masked as a prompt's audio is
        # (`_masked_prompt`; security review: a debt found again from it offline).
        return HIDDEN if TTS_FOLDER in value.split("/") else value
    if field == "keys" and isinstance(value, str):
        return masked_keys(value)  # as the step's keys are, so the story still finds each try in them
    if field in NUMBER_EVENT_FIELDS and isinstance(value, str):
        return masked_number(value)
    if field in NUMBER_EVENT_FIELDS and isinstance(value, int):
        return value  # an IVR's `attempt` event names its try `number`
    if field in NAME_EVENT_FIELDS and isinstance(value, str):
        return masked_name(value)
    if field in DIAL_STRING_EVENT_FIELDS and isinstance(value, str):
        return masked_channel(value)
    if isinstance(value, Mapping):  # a Condition's variables read: their names, each value masked
        return {str(name): masked_value(inner) for name, inner in value.items()}
    return masked_value(value)


# -- answers -----------------------------------------------------------------------------------------------------


def call(answer: Call, who: Principal) -> Call:
    """A call of the register (its summary, or its detail with variables and trace) as `who` may read it."""
    if who.sees_personal_data:
        return answer
    update: dict[str, Any] = {
        "caller_id": masked_number(answer.caller_id),
        "caller_name": masked_name(answer.caller_name),
        "dialed_number": masked_number(answer.dialed_number),
    }
    if isinstance(answer, CallDetail):
        update |= {
            "channel": masked_channel(answer.channel),
            "error": masked_value(answer.error),
            "variables": masked_variables(answer.variables),
            "trace": masked_trace(answer.trace),
        }
    return answer.model_copy(update=update)


def callback_job(job: Job, who: Principal) -> Job:
    """A callback job (a call list's client among them) as `who` may read it: its number and variables; in a list
    client's job (one with a `contact`) every variable but the numbers, names and those that say nothing of the
    client a cell: a column filled it, under its own name or another the list's `columns` gave it (`deuda` from
    `Importe`), and the engine's mask would tell its length (security review: a debt's size; 2026-12-07: a column
    renamed kept it)."""
    if who.sees_personal_data:
        return job
    variables = masked_variables(job.variables)
    if isinstance(job.variables.get(CONTACT), Mapping):
        variables |= {name: masked_cell(value) for name, value in job.variables.items() if name not in _NOT_CELLS}
    return job.model_copy(update={"number": masked_number(job.number), "variables": variables})


# A list client's job variables masked otherwise than as a cell: what says nothing of the client, numbers and names
# (masked as such), and `contact`, whose every field is a cell already (masked_variables).
_NOT_CELLS: Final = KEPT_VARIABLES | NUMBER_VARIABLES | NAME_VARIABLES | CHANNEL_VARIABLES | {CONTACT}


def register_rows(
    rows: Iterable[Sequence[object]], columns: Sequence[str], who: Principal
) -> Iterable[Sequence[object]]:
    """The register's export rows (a cell each of `columns`) as `who` may read them: numbers, names and the numbers
    in a channel's name masked."""
    if who.sees_personal_data:
        return rows
    numbers = {index for index, column in enumerate(columns) if column in REGISTER_NUMBERS}
    names = {index for index, column in enumerate(columns) if column in REGISTER_NAMES}
    channels = {index for index, column in enumerate(columns) if column in REGISTER_CHANNELS}
    return (
        [
            masked_number(cell) if index in numbers and isinstance(cell, str)
            else masked_name(cell) if index in names and isinstance(cell, str)
            else masked_channel(cell) if index in channels and isinstance(cell, str)
            else cell
            for index, cell in enumerate(row)
        ]
        for row in rows
    )  # fmt: skip


def report_rows(
    rows: Iterable[Sequence[object]], columns: Sequence[str], who: Principal, *, number: str = "number"
) -> Iterator[Sequence[object]]:
    """A campaign report's rows: `columns` (the report's own: row, status, outcome, times, the call's result...),
    then the call list's columns. For `who` without the permission, the `number` column is masked as a number and
    every cell of the list's columns is `[hidden]` (the client's name, debt, DNI), without the length the engine's
    mask tells (`[hidden: 12 characters]` told a debt's size, security review), an empty one empty; the report's
    own stay."""
    if who.sees_personal_data:
        yield from rows
        return
    at = columns.index(number)
    own = len(columns)
    for row in rows:
        cells = list(row)
        client = cells[at]
        if isinstance(client, str):
            cells[at] = masked_number(client)
        cells[own:] = [masked_cell(cell) for cell in cells[own:]]
        yield cells


# -- who read it ---------------------------------------------------------------------------------------------------

READ_CALL: Final = "read_call"
EXPORT_CALLS: Final = "export_calls"
EXPORT_CAMPAIGN: Final = "export_campaign"
LOOKUP_NUMBER: Final = "lookup_number"
LOOKUP_NAME: Final = "lookup_name"


def subject_label(session: Session, number: str) -> str:
    """`subject:<hash>` of a number as a filter gave it, as persistence.privacy names a data subject (its erasure,
    its access request), so one audit query finds everyone who looked the person up. Text that is no phone number
    (`anonymous`) is hashed as given."""
    cleaned = phone_number(number) or number.strip()
    return f"subject:{privacy.subject_hash(session, cleaned)}"


def record_access(
    session: Session, who: Principal, *, action: str, target: str, details: Mapping[str, Any] | None = None
) -> None:
    """One audit event for one request that read personal data, saying whether `who` read it unmasked."""
    noted = {**(details or {}), "personal_data": who.sees_personal_data}
    audit.record_event(session, actor=who.username, action=action, target=target, details=noted)
