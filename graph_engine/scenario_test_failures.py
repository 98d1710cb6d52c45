"""Each way a scenario test can fail, as data: a stable `code`, the `params` its words are made of (JSON values) and
the English `text` that `ivrgraph test` prints and API clients read in `failures`.

A client says a failure in another language from its code and params (the designer does, in English, Spanish and
Russian, naming blocks by their labels), and shows `text` for a code it has no words for. The codes are those of
`FailureCode`; docs/scenario-format.md ("Scenario test failures") lists them with their params, and a test keeps
the two in step. Block names in params are as a test names them: `menu` for the tested scenario's, `slug:menu`
for a block of a scenario a Go To Scenario continued in.

Some failures quote the test's own JSON, in words built where it is read (scenario_test_format,
scenario_test_reach): their params name the field or value, and `text` holds the rest (what the field must be,
the name it likely stands for).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph_engine.block import ERROR_EXIT
from graph_engine.scenario_test_format import likely_meant, unknown


class FailureCode(enum.StrEnum):
    # The test could not run: its JSON, or what it names, is not what the format takes.
    UNRUNNABLE = "unrunnable"  # not read as a test at all (`meta.tests` no list)
    TEST_REFUSED = "test_refused"  # a field of the wrong shape, an unknown field, no expectation... (text says)
    UNKNOWN_DATA_SOURCE = "unknown_data_source"
    FORCED_EXIT_REFUSED = "forced_exit_refused"
    COULD_NOT_RUN = "could_not_run"
    # The expectations as written.
    UNKNOWN_EXPECTATION = "unknown_expectation"
    EXPECTATION_MALFORMED = "expectation_malformed"
    UNKNOWN_NODE = "unknown_node"
    UNKNOWN_VARIABLE = "unknown_variable"
    # What the call did, against what the test expects.
    PATH_MISMATCH = "path_mismatch"
    NOT_VISITED = "not_visited"
    VISITED_FORBIDDEN = "visited_forbidden"
    CALL_FAILED = "call_failed"
    OUTCOME_FAILED = "outcome_failed"
    OUTCOME_MISMATCH = "outcome_mismatch"
    VARIABLE_MISMATCH = "variable_mismatch"
    NEVER_SAID = "never_said"
    CALLBACK_COUNT = "callback_count"
    DIALED_MISMATCH = "dialed_mismatch"
    # `expect.scheduled`, callback by callback (`callback`: its place, from 1).
    SCHEDULED_NOT_LIST = "scheduled_not_list"
    SCHEDULED_COUNT = "scheduled_count"
    CALLBACK_UNKNOWN_FIELD = "callback_unknown_field"
    CALLBACK_MISMATCH = "callback_mismatch"
    CALLBACK_DUE_UNREADABLE = "callback_due_unreadable"
    CALLBACK_DUE_OUTSIDE = "callback_due_outside"
    CALLBACK_VARIABLES_NOT_OBJECT = "callback_variables_not_object"
    CALLBACK_VARIABLE_MISSING = "callback_variable_missing"
    CALLBACK_VARIABLE_MISMATCH = "callback_variable_mismatch"
    CALLBACK_CARRIED_NOT_LIST = "callback_carried_not_list"
    CALLBACK_CARRIED_MISMATCH = "callback_carried_mismatch"
    # The script the call left unused, and the errors its blocks recorded.
    KEYS_UNUSED = "keys_unused"
    TIMED_KEYS_UNUSED = "timed_keys_unused"
    TRANSFERS_UNUSED = "transfers_unused"
    FORCED_EXIT_UNREACHED = "forced_exit_unreached"
    STEP_ERROR = "step_error"


@dataclass(frozen=True, slots=True)
class Failure:
    code: FailureCode
    text: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": str(self.code), "params": dict(self.params), "text": self.text}


def _json(value: object) -> Any:
    """`value` as a JSON value: a call's variable may hold what JSON has no word for (a date, a decimal)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def refused(code: FailureCode, text: str, **params: Any) -> Failure:
    """A failure whose English words were built where the test's JSON is read (see the module docstring)."""
    return Failure(code, text, {name: _json(value) for name, value in params.items()})


# -- what the call did ---------------------------------------------------------------------------------------------


def path_mismatch(path: Sequence[str], expected: Sequence[str]) -> Failure:
    """The call's path is not the one expected; said with where they part (`step`, from 1: what the test expected
    there, `wanted`, and where the call went, `went`; None for the call's end): in two paths of a dozen blocks each
    the one that differs is not found at a glance."""
    step = next((at for at, (went, wanted) in enumerate(zip(path, expected, strict=False)) if went != wanted), None)
    step = min(len(path), len(expected)) if step is None else step
    went = path[step] if step < len(path) else None
    wanted = expected[step] if step < len(expected) else None
    expected_there = "the call to end" if wanted is None else repr(wanted)
    it_did = "it ended" if went is None else f"it went to {went!r}"
    return Failure(
        FailureCode.PATH_MISMATCH,
        f"path was {list(path)}, expected {list(expected)}: differs at step {step + 1}: expected {expected_there}, "
        f"{it_did}",
        {"path": list(path), "expected": list(expected), "step": step + 1, "went": went, "wanted": wanted},
    )


def not_visited(node: str, path: Sequence[str]) -> Failure:
    text = f"did not visit {node!r} (in this order) - path was {list(path)}"
    return Failure(FailureCode.NOT_VISITED, text, {"node": node, "path": list(path)})


def visited_forbidden(node: str) -> Failure:
    return Failure(FailureCode.VISITED_FORBIDDEN, f"visited {node!r}, which it should not", {"node": node})


def why_failed_text(reason: Mapping[str, Any]) -> str:
    """A failed call's reason (`reason` params: the block that took an error exit leading nowhere, else the call's
    error, else none) in words."""
    if "node" in reason:
        return (
            f"block {reason['node']!r} ({reason['block_type']}) took its error exit, which leads nowhere: "
            f"{reason['error']}"
        )
    return str(reason.get("error") or "no reason given")


def call_failed(reason: Mapping[str, Any]) -> Failure:
    text = f'the call failed: {why_failed_text(reason)}; a test of a call that fails says so: expect.outcome "failed"'
    return Failure(FailureCode.CALL_FAILED, text, dict(reason))


def outcome_failed(expected: str, reason: Mapping[str, Any]) -> Failure:
    text = f"outcome was failed ({why_failed_text(reason)}), expected {expected}"
    return Failure(FailureCode.OUTCOME_FAILED, text, {"outcome": "failed", "expected": expected, **reason})


def outcome_mismatch(outcome: str, expected: str) -> Failure:
    text = f"outcome was {outcome}, expected {expected}"
    return Failure(FailureCode.OUTCOME_MISMATCH, text, {"outcome": outcome, "expected": expected})


def variable_mismatch(variable: str, actual: object, expected: object) -> Failure:
    text = f"variable {variable} was {actual!r}, expected {expected!r}"
    params = {"variable": variable, "actual": _json(actual), "expected": _json(expected)}
    return Failure(FailureCode.VARIABLE_MISMATCH, text, params)


def never_said(fragment: str, said: str) -> Failure:
    shown = said[:300]  # the call's whole speech could be pages long
    return Failure(
        FailureCode.NEVER_SAID, f"never said {fragment!r} (said: {shown!r})", {"fragment": fragment, "said": shown}
    )


def callback_count(count: int, expected: object) -> Failure:
    text = f"{count} callback(s) scheduled, expected {expected}"
    return Failure(FailureCode.CALLBACK_COUNT, text, {"count": count, "expected": _json(expected)})


def dialed_mismatch(dialed: Sequence[str], expected: Sequence[str]) -> Failure:
    text = f"dialed {list(dialed)}, expected {list(expected)}"
    return Failure(FailureCode.DIALED_MISMATCH, text, {"dialed": list(dialed), "expected": list(expected)})


# -- expect.scheduled ----------------------------------------------------------------------------------------------


def scheduled_not_list() -> Failure:
    return Failure(FailureCode.SCHEDULED_NOT_LIST, "expect.scheduled must be a list of objects, one per callback")


def scheduled_count(count: int, described: int) -> Failure:
    text = f"{count} callback(s) scheduled, expect.scheduled describes {described}"
    return Failure(FailureCode.SCHEDULED_COUNT, text, {"count": count, "expected": described})


def _callback(code: FailureCode, callback: int, text: str, **params: Any) -> Failure:
    """A failure of the `callback`th callback (from 1): its words say which first."""
    return Failure(code, f"callback {callback}: {text}", {"callback": callback, **params})


def callback_unknown_field(callback: int, key: str, known: Sequence[str]) -> Failure:
    meant = likely_meant(key, known)
    return _callback(
        FailureCode.CALLBACK_UNKNOWN_FIELD, callback, unknown("expectation", key, known), key=key, meant=meant
    )


def callback_mismatch(callback: int, field: str, actual: object, expected: object) -> Failure:
    text = f"{field} was {actual!r}, expected {expected!r}"
    return _callback(
        FailureCode.CALLBACK_MISMATCH, callback, text, field=field, actual=_json(actual), expected=_json(expected)
    )


def callback_due_unreadable(callback: int, field: str, value: object) -> Failure:
    text = f"{field} {value!r} is not an ISO 8601 date-time with an offset"
    return _callback(FailureCode.CALLBACK_DUE_UNREADABLE, callback, text, field=field, value=_json(value))


def callback_due_outside(callback: int, field: str, verb: str, due: str, bound: str) -> Failure:
    """`due` breaks the check `field` makes (`due`, `due_not_before`, `due_not_after`) of `bound`; `verb` says how."""
    text = f"due {due} {verb} {bound} ({field})"
    return _callback(FailureCode.CALLBACK_DUE_OUTSIDE, callback, text, field=field, due=due, bound=bound)


def callback_variables_not_object(callback: int) -> Failure:
    text = "variables must be an object: name -> value carried"
    return _callback(FailureCode.CALLBACK_VARIABLES_NOT_OBJECT, callback, text)


def callback_variable_missing(callback: int, variable: str, carried: Sequence[str]) -> Failure:
    text = f"does not carry {variable!r} (carries {sorted(carried)})"
    return _callback(FailureCode.CALLBACK_VARIABLE_MISSING, callback, text, variable=variable, carried=sorted(carried))


def callback_variable_mismatch(callback: int, variable: str, actual: object, expected: object) -> Failure:
    text = f"carries {variable}={actual!r}, expected {expected!r}"
    return _callback(
        FailureCode.CALLBACK_VARIABLE_MISMATCH,
        callback,
        text,
        variable=variable,
        actual=_json(actual),
        expected=_json(expected),
    )


def callback_carried_not_list(callback: int) -> Failure:
    return _callback(FailureCode.CALLBACK_CARRIED_NOT_LIST, callback, "carried must be a list of variable names")


def callback_carried_mismatch(callback: int, carried: Sequence[str], expected: Sequence[str]) -> Failure:
    text = f"carries {sorted(carried)}, expected exactly {sorted(expected)}"
    return _callback(
        FailureCode.CALLBACK_CARRIED_MISMATCH, callback, text, carried=sorted(carried), expected=sorted(expected)
    )


# -- the script left unused, and the errors blocks recorded --------------------------------------------------------


def _listed(values: Sequence[str]) -> str:
    return ", ".join(repr(value) for value in values)


def _of(left: Sequence[object], given: int, noun: str) -> str:
    """`2 of the 4 keys were`, `1 of the 2 transfer outcomes was`."""
    return f"{len(left)} of the {given} {noun}{'s' if given != 1 else ''} {'was' if len(left) == 1 else 'were'}"


def _times(count: int) -> str:
    return {0: "never", 1: "once"}.get(count, f"{count} times")


def keys_unused(left: Sequence[str], given: int) -> Failure:
    text = (
        f"keys: {_of(left, given, 'key')} never used ({_listed(left)}): the call listened "
        f"{_times(given - len(left))}; give the keys it takes"
    )
    return Failure(FailureCode.KEYS_UNUSED, text, {"left": list(left), "given": given})


def timed_keys_unused(left: Sequence[tuple[float, str]], given: int) -> Failure:
    late = ", ".join(f"{key!r} at {at:g} s" for at, key in left)
    text = f"timed_keys: {_of(left, given, 'key')} never pressed ({late}): the call had ended"
    return Failure(FailureCode.TIMED_KEYS_UNUSED, text, {"left": [[at, key] for at, key in left], "given": given})


def transfers_unused(left: Sequence[str], given: int) -> Failure:
    text = (
        f"transfers: {_of(left, given, 'transfer outcome')} never used ({_listed(left)}): a Transfer "
        f"dialled {_times(given - len(left))}"
    )
    return Failure(FailureCode.TRANSFERS_UNUSED, text, {"left": list(left), "given": given})


def forced_exit_unreached(node: str, exit: str) -> Failure:
    text = f"exits: node {node!r} was never reached, so its exit {exit!r} was never forced"
    return Failure(FailureCode.FORCED_EXIT_UNREACHED, text, {"node": node, "exit": exit})


def step_error(node: str, block_type: str, exit: str | None, error: str) -> Failure:
    """A block of the call recorded `error`, leaving by `exit` (None: it stopped there)."""
    did = {ERROR_EXIT: "took its error exit", None: "failed"}.get(exit, f"failed, taking {exit!r}")
    text = f"block {node!r} ({block_type}) {did}: {error}"
    return Failure(FailureCode.STEP_ERROR, text, {"node": node, "block_type": block_type, "exit": exit, "error": error})
