"""What a scenario test may say, and each way one can say something else, in words that name the field.

Tests are written by hand, in JSON, by people who are not programmers. Whatever they write, a test either runs or
fails saying what is wrong with it: it never crashes the run, and it never passes by ignoring what it was told. A
misspelt input ("kyes") would run a call with no keys at all; a string where a list belongs would be read letter by
letter (`"said": "Hola"` checks that "H", "o", "l" and "a" were said, and passes); a value of the wrong type crashed
the whole run with a traceback. So, refused here too: a test that expects nothing (it passed whatever the call did),
an `at` without its UTC offset (it was read as UTC, an hour or more off the moment meant) and keys after the
caller's `hangup` (never pressed). What a test names in its scenarios (nodes, exits, data sources) is checked against
them by scenario_test_reach.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from graph_engine.channel import TRANSFER_OUTCOMES
from graph_engine.scripted import HANGUP
from graph_engine.trace import CallOutcome

# A test's own fields: its name, the inputs `simulation_input` reads, and its expectations.
TEST_FIELDS: Final = (
    "name",
    "keys",
    "timed_keys",
    "caller_id",
    "caller_name",
    "dialed_number",
    "at",
    "variables",
    "data_rows",
    "transfers",
    "hangup_at",
    "hangup_in",
    "scheduler",
    "exits",
    "expect",
)
# What `expect` may check, in the order the checks run.
EXPECTATIONS: Final = (
    "path",
    "visits",
    "not_visits",
    "outcome",
    "variables",
    "said",
    "callbacks",
    "scheduled",
    "transfers",
)
# How many data sources and SQL blocks a test gives rows for, and how long each name is, at most (security review,
# 2026-12: nothing capped them, and each is checked against every SQL block the call can reach).
MAX_DATA_ROWS_KEYS: Final = 200
MAX_DATA_ROWS_KEY: Final = 200
_EXAMPLE_TEST: Final = '{"name": "pays", "keys": ["1"], "expect": {"outcome": "hung_up"}}'
# A forced exit (`exits`) is the exit's name, or the exit and the variables the block sets on it: forced, the block
# runs nothing, so what it guarantees on that exit (`variables_written_on`) is the test's to give.
FORCED_EXIT_KEYS: Final = ("exit", "set")
_EXAMPLE_EXIT: Final = '{"sms": "failed"}'
_EXAMPLE_EXIT_NAME: Final = '"failed"'
_EXAMPLE_EXIT_SETTING: Final = '{"exit": "duplicate", "set": {"ticket_id": "T-9"}}'


def likely_meant(key: str, known: Sequence[str]) -> str | None:
    """The name in `known` a misspelt or shortened `key` likely stands for: one it begins ("data" for `data_rows`,
    which spelling alone takes for `at`), else the closest in spelling ("kyes" for `keys`), else None."""
    lowered = key.lower()
    begun = [name for name in known if lowered and name.startswith(lowered)]
    return next(iter(begun or difflib.get_close_matches(lowered, known, n=1)), None)


def unknown(what: str, key: object, known: Sequence[str]) -> str:
    """`unknown <what> 'key'`, with the name it likely stands for when there is one."""
    meant = likely_meant(str(key), known)
    return f"unknown {what} {key!r}" + (f" (did you mean {meant!r}?)" if meant else "")


def described(value: object) -> str:
    """What a JSON value is, and the value, for saying what was found instead of what belongs: `a string: "12"`."""
    if value is None or isinstance(value, bool):  # its kind would only repeat it
        return json.dumps(value)
    shown = json.dumps(value, ensure_ascii=False, default=str)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    return f"{_json_kind(value)}: {shown}"


def _json_kind(value: object) -> str:
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


@dataclass(frozen=True, slots=True)
class Shape:
    """What a field's value must be: `accepts` it, and `wanted`, the words for what is accepted."""

    accepts: Callable[[Any], bool]
    wanted: str

    def problem(self, field: str, value: object) -> str | None:
        return None if self.accepts(value) else f"{field} must be {self.wanted}; it is {described(value)}"


def _string(value: object) -> bool:
    return isinstance(value, str)


def _object(value: object) -> bool:
    return isinstance(value, Mapping)


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _seconds(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def _timed_keys(value: object) -> bool:
    return isinstance(value, list) and all(
        isinstance(pair, list) and len(pair) == 2 and _seconds(pair[0]) and isinstance(pair[1], str) for pair in value
    )


def _moment(value: object) -> datetime | None:
    """An ISO 8601 date-time (or a date alone), with or without its offset; None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _moment_with_offset(value: object) -> bool:
    moment = _moment(value)
    return moment is not None and moment.utcoffset() is not None


def _rows_by_source(value: object) -> bool:
    return isinstance(value, Mapping) and all(
        isinstance(rows, list) and all(isinstance(row, Mapping) for row in rows) for rows in value.values()
    )


def _one_of(values: Sequence[str]) -> Callable[[object], bool]:
    return lambda value: isinstance(value, str) and value in values


def _all_of(values: Sequence[str]) -> Callable[[object], bool]:
    return lambda value: isinstance(value, list) and all(isinstance(item, str) and item in values for item in value)


_CALL_OUTCOMES: Final = tuple(outcome.value for outcome in CallOutcome)
_INPUTS: Final = {
    "name": Shape(_string, "a string"),
    "keys": Shape(_strings, 'a list of key tokens (strings) such as ["1", "1234#", "-"]'),
    "timed_keys": Shape(_timed_keys, 'a list of [seconds, key] pairs such as [[3.5, "1"]]'),
    "caller_id": Shape(_string, 'a string such as "+34600111222"'),
    "caller_name": Shape(_string, "a string"),
    "dialed_number": Shape(_string, "a string"),
    "at": Shape(_moment_with_offset, 'an ISO 8601 date-time such as "2026-11-23T10:00:00+01:00"'),
    "variables": Shape(_object, "an object: variable name -> value"),
    "data_rows": Shape(_rows_by_source, "an object: data source name -> list of rows (objects)"),
    "transfers": Shape(
        _all_of(TRANSFER_OUTCOMES), f"a list of transfer outcomes, one per Transfer: {', '.join(TRANSFER_OUTCOMES)}"
    ),
    "hangup_at": Shape(lambda value: value is None or _count(value), "a channel operation's number (0 is the first)"),
    "hangup_in": Shape(lambda value: isinstance(value, str) and value != "", 'a node id such as "menu"'),
    "scheduler": Shape(_one_of(("accept", "fail")), '"accept" or "fail"'),
    "exits": Shape(_object, f"an object: node id -> the exit it takes without running, such as {_EXAMPLE_EXIT}"),
    "expect": Shape(_object, 'an object of expectations such as {"outcome": "hung_up"}'),
}
# Why a test checks nothing, by whether it has an `expect` at all.
_NO_EXPECTATION: Final = {
    False: 'it has no expect, such as "expect": {"outcome": "hung_up"}',
    True: "its expect is empty",
}
_CHECKS: Final = {
    "path": Shape(_strings, "a list of node ids (strings)"),
    "visits": Shape(_strings, "a list of node ids (strings)"),
    "not_visits": Shape(_strings, "a list of node ids (strings)"),
    "outcome": Shape(_one_of(_CALL_OUTCOMES), f"one of {', '.join(_CALL_OUTCOMES)}"),
    "variables": Shape(_object, "an object: variable name -> value expected"),
    "said": Shape(_strings, "a list of strings, each a fragment of what was said"),
    "callbacks": Shape(_count, "the number of callbacks scheduled"),
    "transfers": Shape(_strings, "a list of the destinations dialled (strings)"),
    # `scheduled` is checked callback by callback, where it is compared (see scenario_tests._check_scheduled).
}


def problems_before_running(test: object) -> list[str]:
    """What keeps `test` from running, each naming the field: not an object, a field of the wrong shape (an `at`
    without its offset said so), keys after the caller hung up, no expectation, a field the format does not know
    (with the one it likely meant, then the fields there are); empty when it can run."""
    if not isinstance(test, Mapping):
        return [f"a test must be an object such as {_EXAMPLE_TEST}; it is {described(test)}"]
    problems = [
        problem for key, shape in _INPUTS.items() if key in test and (problem := _problem(key, shape, test[key]))
    ]
    if isinstance(test.get("data_rows"), Mapping):
        problems += _data_rows_past_caps(test["data_rows"])
    if isinstance(test.get("exits"), Mapping):
        for node, forced in test["exits"].items():
            problems += _forced_exit_problems(node, forced)
    if not problems:
        problems += _keys_after_hangup(test.get("keys", []), test.get("timed_keys", []))
    if test.get("hangup_at") is not None and "hangup_in" in test:
        problems.append("hangup_at and hangup_in both say when the caller hangs up: give one")
    if "expect" not in test or test["expect"] == {}:
        # It passed whatever the call did: a test that cannot fail tests nothing.
        problems.append(f"a test must expect something: {', '.join(EXPECTATIONS)}; {_NO_EXPECTATION['expect' in test]}")
    unknown_fields = [unknown("field", key, TEST_FIELDS) for key in test if key not in TEST_FIELDS]
    if unknown_fields:
        unknown_fields.append(f"not run: a test's fields are {', '.join(TEST_FIELDS)}")
    return problems + unknown_fields


def _problem(field: str, shape: Shape, value: object) -> str | None:
    """What is wrong with the input `field` of a test: its shape; for a moment without its offset, in words that
    say so (the shape's would call it no date-time)."""
    if field == "at" and (moment := _moment(value)) is not None and moment.utcoffset() is None:
        return f"at needs a UTC offset, e.g. 2026-11-23T18:30:00+01:00; it is {described(value)}"
    return shape.problem(field, value)


def _data_rows_past_caps(rows: Mapping[str, Any]) -> list[str]:
    """`data_rows` naming more than MAX_DATA_ROWS_KEYS sources and blocks, or a name longer than MAX_DATA_ROWS_KEY."""
    if len(rows) > MAX_DATA_ROWS_KEYS:
        return [
            f"data_rows names {len(rows)} data sources and SQL blocks; at most {MAX_DATA_ROWS_KEYS} are given rows "
            "in one test"
        ]
    return [
        f"data_rows: a name of {len(name)} characters ({name[:20] + '...'!r}); at most {MAX_DATA_ROWS_KEY} are read"
        for name in map(str, rows)
        if len(name) > MAX_DATA_ROWS_KEY
    ]


def _forced_exit_problems(node: str, forced: object) -> list[str]:
    """What is wrong with the exit `exits` forces at `node`: an exit's name, or an object with `exit` and `set`."""
    field = f"exits.{node}"
    if isinstance(forced, str):
        return []
    if not isinstance(forced, Mapping):
        wanted = f"an exit's name such as {_EXAMPLE_EXIT_NAME}, or the exit and the variables it sets, such as "
        return [f"{field} must be {wanted}{_EXAMPLE_EXIT_SETTING}; it is {described(forced)}"]
    problems = [
        f"{field}: {unknown('key', key, FORCED_EXIT_KEYS)}; a forced exit's keys are {', '.join(FORCED_EXIT_KEYS)}"
        for key in forced
        if key not in FORCED_EXIT_KEYS
    ]
    if "exit" not in forced:
        problems.append(f"{field} must say the exit it takes, such as {_EXAMPLE_EXIT_SETTING}")
    elif not isinstance(forced["exit"], str):
        wanted = 'the name of the exit it takes, such as "duplicate"'
        problems.append(f"{field}.exit must be {wanted}; it is {described(forced['exit'])}")
    if "set" in forced and not isinstance(forced["set"], Mapping):
        problems.append(
            f'{field}.set must be an object: variable name -> value, such as {{"ticket_id": "T-9"}}; it is '
            f"{described(forced['set'])}"
        )
    return problems


def forced_exit(forced: str | Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """A forced exit as written (one `problems_before_running` let through): the exit, and the variables it sets."""
    if isinstance(forced, str):
        return forced, {}
    return str(forced["exit"]), dict(forced.get("set", {}))


def _keys_after_hangup(keys: Sequence[str], timed_keys: Sequence[Sequence[Any]]) -> list[str]:
    """Keys a test gives after its caller's `hangup`: the call is over by then, so they could never be pressed."""
    if HANGUP in keys and (after := keys[keys.index(HANGUP) + 1 :]):
        listed = ", ".join(repr(key) for key in after)
        return [
            f"keys: the caller hangs up at keys[{keys.index(HANGUP)}], so the {len(after)} key(s) after it "
            f"({listed}) could never be pressed"
        ]
    hangups = [float(moment) for moment, key in timed_keys if key == HANGUP]
    later = [
        f"{key!r} at {float(moment):g} s" for moment, key in timed_keys if hangups and float(moment) > min(hangups)
    ]
    if later:
        return [
            f"timed_keys: the caller hangs up at {min(hangups):g} s, so the {len(later)} key(s) after it "
            f"({', '.join(later)}) could never be pressed"
        ]
    return []


def sorted_expectations(expect: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The expectations of `expect` to check, and a failure for each one that cannot be: one the format does not
    know (with the one it likely meant) and one of the wrong shape, which would compare nothing meant."""
    checkable: dict[str, Any] = {}
    failures: list[str] = []
    for key, value in expect.items():
        if key not in EXPECTATIONS:
            failures.append(unknown("expectation", key, EXPECTATIONS))
        elif key in _CHECKS and (problem := _CHECKS[key].problem(f"expect.{key}", value)):
            failures.append(problem)
        else:
            checkable[key] = value
    return checkable, failures
