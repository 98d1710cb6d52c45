"""Every problem carries `params`: the values its message is built from, by stable name, so a client can say the
same thing in another language. Each code's English message is rebuilt here from its params alone: a param that
is missing or differs from what the message names fails, and so does a documented code no document here emits."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from graph_engine.issues import Issue
from graph_engine.validation import validate
from tests.conftest import make_document

DOCS = Path(__file__).parents[2] / "docs" / "scenario-format.md"
# Codes the API adds, knowing the data sources: tests/persistence/test_source_problem_params.py checks them (and
# tests/persistence/test_sql_unknown_statement.py sql_unknown_statement's).
# The API's own checks, which know the installation: its data sources, its uploaded recordings (tests/api).
# block_not_ready: only a host's registry has blocks that are not ready (tests/plugins/test_readiness.py).
FROM_THE_API = {
    *("sql_unknown_source", "sql_writes_read_only", "sql_unknown_statement"),
    *("audio_missing", "block_not_ready", "studio_flow"),
}
# A plugin's own check raising: no built-in block does; its message and params are tested with a plugin that does
# (tests/plugins/test_broken_plugins.py).
FROM_PLUGINS = {"check_failed"}
PROMPT = {"audio": "menu"}

P = Mapping[str, Any]


def _name(p: P, prefix: str = "", suffix: str = "") -> str:
    return f'{p[f"{prefix}block_title{suffix}"]} "{p[f"{prefix}label{suffix}"]}"'


def _short(p: P, title: str) -> str:
    """Block checks name their node by a short title of their own (`IVR "Main menu"`)."""
    assert p["block_title"] and p["block_type"]
    return f'{title} "{p["label"]}"'


def _quoted(value: Any) -> str:
    return repr(value)


def _rule(p: P) -> str:
    """What `schema_messages` says of a broken rule, from the rule's params."""
    limit = p.get("limit")
    match p["rule"]:
        case "required":
            return f"{p['missing']} is required"
        case "minItems":
            return "choose at least one" if limit == 1 else f"needs at least {limit} entries"
        case "maxItems":
            return f"at most {limit} entries"
        case "minLength":
            return "must not be empty" if limit == 1 else f"needs at least {limit} characters"
        case "maxLength":
            return f"at most {limit} characters (this has {p['length']})"
        case "minimum" | "maximum":
            side = "below" if p["rule"] == "minimum" else "above"
            return f"{_quoted(p['value'])} is {side} the limit of {limit}"
        case "enum":
            return f"{_quoted(p['value'])} is not one of: {p['options']}"
        case "pattern" | "name_pattern":
            hint = f": {p['hint']}" if "hint" in p else ""
            if p["rule"] == "name_pattern":
                return f"the name {_quoted(p['value'])} does not match the form names take here{hint}"
            return f"{_quoted(p['value'])} does not match the form this field takes{hint}"
        case "choose":
            return "choose " + " or ".join(p["choices"].split("|"))
        case "not_both":
            return "either " + " or ".join(p["choices"].split("|")) + ", not both"
    return str(p["detail"])


def _invalid_value(p: P) -> str:
    where = {
        "node": lambda: f"{_name(p)}: {str(p['field']).capitalize()}",
        "variable": lambda: f"Variable {p['row']} {p['field']}",
        "scenario": lambda: f"Scenario {p['field']}",
        "result": lambda: f"Result {p['row']} {p['field']}",
        "path": lambda: str(p["path"]),
    }[p["where"]]()
    return f"{where}: {_rule(p)}"


def _structure(p: P) -> str:
    match p["rule"]:
        case "not_object":
            return "$: a scenario must be a JSON object"
        case "max_depth":
            return f"{p['path']}: nested more than {p['limit']} levels deep"
        case "required":
            return f"{p['path']}: {p['missing']!r} is a required property"
    return f"{p['path']}: {p['detail']}"


def _undefined_variable(p: P) -> str:
    if "setter_label" not in p:
        return f'{_name(p)} uses "{p["variable"]}", which may not be set yet when the call gets here'
    return (
        f'{_name(p)} uses "{p["variable"]}", which is not set when {_name(p, "setter_")} leaves by its '
        f'"{p["exit_label"]}" exit'
    )


def _unknown_variable(p: P) -> str:
    uses = f"{p['field']} uses" if "field" in p else "uses"
    meant = f'. Did you mean "{p["suggestion"]}"?' if "suggestion" in p else ""
    return (
        f'{_name(p)}: {uses} "{p["variable"]}", which no block sets and the scenario does not declare, so the block '
        f"fails on every call unless the dialplan passes it{meant}"
    )


def _unknown_type(p: P) -> str:
    """Not installed, or installed but left out as broken (`plugin`, `detail`: tests/plugins/test_broken_plugins.py)."""
    what = "which is not installed"
    if "detail" in p:
        what = f"whose plugin {p['plugin']!r} is installed but broken: {p['detail']}"
    return f'Block "{p["label"]}" is of type "{p["block_type"]}", {what}'


def _loop(p: P) -> str:
    names = ", ".join(_name(p, suffix=f"_{n}") for n in range(1, p["count"] + 1))
    return f"These blocks form a loop in which nothing waits for the caller, so the call would spin: {names}"


# Each code's English message, from its params only.
MESSAGES: dict[str, Callable[[P], str]] = {
    "structure": _structure,
    "invalid_value": _invalid_value,
    "duplicate_node_id": lambda p: f'Two blocks share the id "{p["node_id"]}"',
    "duplicate_variable": lambda p: f'The variable "{p["variable"]}" is declared twice',
    "duplicate_result": lambda p: f'The result "{p["result"]}" is declared twice',
    "undeclared_result": lambda p: (
        f'{_name(p)} records the result "{p["result"]}", which the scenario does not declare: reports show its code '
        "instead of a label"
    ),
    "studio_placeholder": lambda p: (
        f"{_name(p)} stands in for "
        + (f"the Twilio Studio widget {p['widget']}, which was" if "widget" in p else "a Twilio Studio widget that was")
        + " not converted: replace it with a block that does its work (its notes keep the widget's settings)"
    ),
    "no_start": lambda p: "The scenario has no Start block: calls would have nowhere to go",
    "multiple_starts": lambda p: f"{_name(p)}: a scenario has exactly one Start block",
    "unknown_type": _unknown_type,
    "block_version": lambda p: (
        f"{_name(p)} was made with a newer {p['block_title']} (version {p['node_version']}) than this server has "
        f"({p['block_version']})"
    ),
    "config": lambda p: f"{_name(p)}: {p['field']}: {_rule(p)}",
    "template_syntax": lambda p: f"{_name(p)}: {p['kind']} {p['detail']}",
    "dangling_edge": lambda p: f'A connection points to a block that does not exist ("{p["node_id"]}")',
    "unknown_exit": lambda p: f'{_name(p)} has no exit "{p["exit"]}"',
    "edge_from_terminal": lambda p: f"{_name(p)} has no exits",
    "duplicate_exit_edge": lambda p: f'{_name(p)}: exit "{p["exit"]}" is connected twice',
    "goto_missing_target": lambda p: f'{_name(p)} jumps to "{p["node_id"]}", which does not exist',
    "goto_unknown_scenario": lambda p: (
        f'{_name(p)} names the scenario "{p["scenario"]}", '
        + (
            "which is not published yet: calls cannot go there until it is"
            if p["state"] == "unpublished"
            else "which does not exist"
        )
    ),
    "fallback_missing": lambda p: f'The fallback block "{p["node_id"]}" does not exist',
    "loop_without_input": _loop,
    "unreachable": lambda p: (
        f"{_name(p)} can never be reached"
        + {0: "", 1: ", nor can the block after it"}.get(p["count"], f", nor can the {p['count']} blocks after it")
        + (": no connection leads into the loop it is in" if p["reason"] == "loop" else ": no connection leads to it")
    ),
    "unwired_exit": lambda p: (
        f"{_name(p)}: {p['exit_label']} leads nowhere: {p['meaning']}"
        + ("; to end the call here on purpose, connect it to a Hang Up block" if p["exit"] == "next" else "")
    ),
    "undefined_variable": _undefined_variable,
    "unknown_variable": _unknown_variable,
    "duplicate_key": lambda p: f"{_short(p, 'IVR')}: key {p['key']} is listed twice",
    "no_keys": lambda p: f"{_short(p, 'IVR')}: the menu offers no key",
    "capture_without_variable": lambda p: (
        f'{_short(p, "IVR")}: the typed number is not stored anywhere (set "{p["field"]}")'
    ),
    "bad_length": lambda p: (
        f"{_short(p, 'IVR')}: minimum digits is more than the maximum"
        if p["min_length"] > p["max_length"]
        else "min_length and max_length in order"
    ),
    "unknown_timezone": lambda p: f"{_name(p)}: unknown time zone {p['timezone']}",
    "no_hours": lambda p: (
        f"{_name(p)} has no hours: "
        + ("every call would be closed" if p["field"] == "hours" else "every callback would be rejected")
        + ". Add a period, e.g. Monday to Friday 09:00-18:00"
    ),
    "bad_case_name": lambda p: f'{_short(p, "Switch")}: case exit "{p["exit"]}" is used twice or is a reserved name',
    "sql_multiple_statements": lambda p: f"{_short(p, 'SQL')}: only one statement is allowed",
    "sql_unsafe_query": lambda p: f"{_short(p, 'SQL')}: {p['detail']}",
    "sql_template_braces": lambda p: (
        f"{_short(p, 'SQL')}: values go into a query as :name; {p['written']} reaches the database as typed"
        + (f": write {p['fix']}" if "fix" in p else "")
    ),
    "transfer_bad_target": lambda p: (
        f"{_short(p, 'Transfer')}: {p['target']!r} is not a destination that can be dialed (a number or "
        "extension, queue:NAME, or a channel such as PJSIP/101)"
    ),
    "transfer_bad_caller_id": lambda p: (
        f"{_short(p, 'Transfer')}: caller ID {p['caller_id']!r} is not a phone number (a name goes in "
        '"Caller name shown")'
    ),
    "sensitive_in_prompt": lambda p: (
        f'{_name(p)}: the phrase says "{p["variable"]}", a sensitive variable, and the voice engine "{p["engine"]}" '
        "is an online service: the text, with the value in it, is sent to it"
    ),
    "personal_data_to_online_tts": lambda p: (
        f'{_name(p)}: the phrase reads the call\'s data ({p["variables"]}), and the voice engine "{p["engine"]}" is '
        "an online service: the text, with those values in it, is sent to it"
    ),
    "sensitive_to_callback": lambda p: (
        f'{_name(p)}: the callback carries "{p["variable"]}", a sensitive variable: the callback job keeps its value '
        "in the database until it is dialled, and the call it makes starts with it"
    ),
    "date_spoken_raw": lambda p: (
        f'{_name(p)}: {p["field"]} speaks the date "{p["variable"]}" as it is stored (2026-12-15 is read out as '
        f"numbers): write {p['fix']} to have it said as a date"
    ),
    "single_brace_variable": lambda p: (
        f"{_name(p)}: {p['field']} has {p['written']} in single braces, which is kept as written, braces and all: "
        f'write {p["fix"]} to use the value of "{p["variable"]}"'
    ),
}


def _flow() -> dict[str, Any]:
    """One scenario with most of the flow's and the blocks' problems."""
    say = {"text": "Hola {{ client_name }} {{ debt }}"}
    menu = {"prompt": PROMPT, "options": [{"key": "1", "label": "Sales"}, {"key": "1"}, {"key": "3"}]}
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "start2", "type": "start", "label": "Second start"},
            {"id": "menu", "type": "ivr", "label": "Main menu", "config": menu},
            {"id": "empty", "type": "ivr", "label": "Empty menu", "config": {"prompt": PROMPT, "options": []}},
            {
                "id": "cap",
                "type": "ivr",
                "label": "Account",
                "config": {"prompt": PROMPT, "mode": "capture", "min_length": 8, "max_length": 4},
            },
            {
                "id": "look",
                "type": "sql",
                "label": "Look up client",
                "config": {
                    "source": "crm",
                    "query": "SELECT name FROM c; SELECT 1",
                    "columns": {"name": "client_name"},
                },
            },
            {"id": "say", "type": "say_phrase", "label": "Greeting", "config": say},
            {"id": "typo", "type": "say_phrase", "label": "Typo", "config": {"text": "Hola {{ client_nmae }}"}},
            {"id": "bad", "type": "say_phrase", "label": "Broken", "config": {"text": "Hola {{ name "}},
            {"id": "cond", "type": "condition", "label": "Check", "config": {"expression": "a ++ )"}},
            {
                "id": "sw",
                "type": "switch",
                "label": "By value",
                "config": {"value": "x", "cases": [{"exit": "a", "equals": 1}, {"exit": "a", "equals": 2}]},
            },
            {
                "id": "tr",
                "type": "transfer",
                "label": "Operator",
                "config": {"target": "Sales ext 101", "caller_id": "x"},
            },
            {
                "id": "sched",
                "type": "schedule",
                "label": "Hours",
                "config": {"timezone": "Mars/Base", "hours": [], "holidays": ["2026-25-12"]},
            },
            {"id": "jump", "type": "goto", "label": "Back", "config": {"target": "ghost"}},
            {"id": "other", "type": "goto_scenario", "label": "Other", "config": {"scenario": "nowhere"}},
            {"id": "drafted", "type": "goto_scenario", "label": "Drafted", "config": {"scenario": "drafted"}},
            {"id": "plug", "type": "no_such_block", "label": "Plugin"},
            {"id": "new", "type": "hangup", "label": "Newer", "version": 99},
            {"id": "l1", "type": "set_variable", "label": "Loop A", "config": {"assignments": [_set("x")]}},
            {"id": "l2", "type": "set_variable", "label": "Loop B", "config": {"assignments": [_set("y")]}},
            {"id": "hang", "type": "hangup", "label": "Bye"},
            {"id": "hang", "type": "hangup", "label": "Bye again"},
        ],
        [
            ("start", "next", "menu"),
            ("menu", "1", "look"),
            ("look", "found", "say"),
            ("look", "not_found", "say"),
            ("say", "next", "typo"),
            ("typo", "next", "bad"),
            ("bad", "next", "cond"),
            ("cond", "true", "sw"),
            ("cond", "false", "tr"),
            ("sw", "a", "sched"),
            ("sw", "default", "jump"),
            ("menu", "7", "hang"),
            ("hang", "next", "l1"),
            ("menu", "3", "l1"),
            ("menu", "3", "l2"),
            ("l1", "next", "l2"),
            ("l2", "next", "l1"),
            ("tr", "busy", "ghost"),
            ("sched", "open", "new"),
        ],
        variables=[{"name": "v", "type": "string"}, {"name": "v", "type": "string"}],
        fallback="nobody",
    )


def _set(name: str) -> dict[str, str]:
    return {"variable": name, "value": "1"}


def _fields() -> dict[str, Any]:
    """Config problems of each kind of rule, and fields a person types."""
    return make_document(
        [
            {"id": "start", "type": "start", "label": "x" * 300},
            {
                "id": "menu",
                "type": "ivr",
                "label": "Menu",
                "config": {"prompt": {}, "options": [{"key": "A"}], "timeout": 0, "max_tries": 99},
            },
            {"id": "both", "type": "ivr", "label": "Both", "config": {"prompt": {"audio": "a", "text": "b"}}},
            {"id": "tr", "type": "transfer", "label": "T", "config": {}},
            {"id": "set", "type": "set_variable", "label": "S", "config": {"assignments": []}},
            {"id": "ask", "type": "ivr", "label": "Ask", "config": {"prompt": PROMPT, "options": [], "mode": "menus"}},
            {
                "id": "sql",
                "type": "sql",
                "label": "Q",
                "config": {"source": "crm", "query": "SELECT 1", "columns": {"bad name": "x"}},
            },
            {"id": "ins", "type": "sql", "label": "Unsafe", "config": {"source": "crm", "query": "SELECT 'a"}},
            {"id": "studio", "type": "sql", "label": "Braces", "config": {"source": "crm", "query": "SELECT {{ x }}"}},
        ],
        [("start", "next", "menu")],
        variables=[{"name": "1bad", "type": "nope"}],
        name="",
    )


def _personal_data() -> dict[str, Any]:
    """A PIN said by an online voice and carried into a callback (tests/graph_engine/test_sensitive_validation.py)."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "say", "type": "say_phrase", "label": "Balance", "config": {"text": "{{ pin }} {{ debt }}"}},
            {"id": "cb", "type": "callback", "label": "Back", "config": {"scenario": "test", "variables": ["pin"]}},
        ],
        [("start", "next", "say"), ("say", "next", "cb")],
        variables=[{"name": "pin", "sensitive": True}, {"name": "debt", "default": 0}],
        voice={"engine": "gtts"},
    )


def _template_hints() -> dict[str, Any]:
    """A date said as stored and a name in single braces (tests/graph_engine/test_template_hints.py)."""
    menu = {"prompt": {"text": "Hola {nombre}, su cita es el {{ fecha }}"}, "options": [{"key": "1"}]}
    return make_document(
        [{"id": "start", "type": "start"}, {"id": "menu", "type": "ivr", "label": "Reminder", "config": menu}],
        [("start", "next", "menu")],
        variables=[{"name": "fecha", "type": "date"}, {"name": "nombre"}],
    )


def _results() -> dict[str, Any]:
    """Declared results: one twice, one being typed, and a result recorded that is not declared
    (tests/graph_engine/test_declared_results.py)."""
    assign = {"assignments": [{"variable": "result", "value": "paid"}]}
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "set", "type": "set_variable", "label": "Paid", "config": assign},
            {"id": "end", "type": "hangup", "label": "End", "config": {"result": "gone"}},
        ],
        [("start", "next", "set"), ("set", "next", "end")],
        results=[{"code": "ok", "label": "Bien"}, {"code": "ok", "label": "Otra"}, {"code": "no pay", "label": ""}],
    )


def _studio_placeholders() -> dict[str, Any]:
    """Placeholders a Twilio Studio import left, one of a widget it recorded, one not
    (tests/graph_engine/test_studio_placeholder_warning.py)."""
    marks = {"assignments": [{"variable": "studio_not_converted", "value": "lookup"}]}
    document = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "lookup", "type": "set_variable", "label": "CRM lookup", "config": marks},
            {"id": "other", "type": "set_variable", "label": "Other", "config": marks},
        ],
        [("start", "next", "lookup"), ("lookup", "next", "other")],
        variables=[{"name": "studio_not_converted"}],
    )
    return {**document, "meta": {"studio_import": {"placeholders": {"lookup": "make-http-request"}}}}


INVALID = {
    "flow": _flow,
    "studio placeholders": _studio_placeholders,
    "results": _results,
    "personal data": _personal_data,
    "template hints": _template_hints,
    "fields": _fields,
    "no start": lambda: make_document([{"id": "end", "type": "hangup"}], []),
    "cut off": lambda: make_document(
        [
            {"id": "start", "type": "start"},
            *({"id": i, "type": "say_phrase", "config": {"text": "x"}} for i in "abcde"),
        ],
        [("a", "next", "b"), ("b", "next", "c"), ("d", "next", "e"), ("e", "next", "d")],
    ),
    "not an object": lambda: [1, 2],
    "missing keys": lambda: {"format": "ivrgraph.scenario/1", "name": "x", "nodes": [{"id": "a"}], "edges": []},
    "nested too deep": lambda: {**make_document([{"id": "start", "type": "start"}], []), "meta": {"x": _deep(70)}},
}


def _deep(levels: int) -> Any:
    value: Any = 0
    for _ in range(levels):
        value = [value]
    return value


def _issues() -> list[Issue]:
    from blocks import default_registry

    registry = default_registry()
    return [
        issue
        for make in INVALID.values()
        for issue in validate(make(), registry, known_scenarios={"test"}, unpublished_scenarios={"drafted"})
    ]


@pytest.fixture(scope="module")
def issues() -> list[Issue]:
    return _issues()


def test_every_message_is_said_by_its_params(issues: list[Issue]) -> None:
    for issue in issues:
        assert issue.code in MESSAGES, f"no params check for {issue.code}: {issue.message}"
        assert MESSAGES[issue.code](issue.params) == issue.message, issue.params
        assert all(isinstance(value, str | int) and not isinstance(value, bool) for value in issue.params.values())


def test_the_block_is_named_by_type_title_and_label(issues: list[Issue]) -> None:
    menu = next(i for i in issues if i.code == "duplicate_key")
    assert {k: menu.params[k] for k in ("block_type", "block_title", "label", "key")} == {
        "block_type": "ivr",
        "block_title": "IVR Menu",
        "label": "Main menu",
        "key": "1",
    }
    unwired = next(i for i in issues if i.code == "unwired_exit" and i.params["exit"] == "max_tries")
    assert unwired.params["exit_label"] == "Too many tries"
    gap = next(i for i in issues if i.code == "undefined_variable" and "setter_label" in i.params)
    assert (gap.params["variable"], gap.params["setter_block_type"], gap.params["exit"]) == (
        "client_name",
        "sql",
        "not_found",
    )


def test_a_config_limit_is_named_with_its_rule(issues: list[Issue]) -> None:
    timeout = next(i for i in issues if i.code == "config" and i.params.get("rule") == "minimum")
    assert (timeout.params["field"], timeout.params["limit"], timeout.params["value"]) == ("Seconds to wait", 1, 0)
    row = next(i for i in issues if i.code == "config" and i.params.get("rule") == "pattern")
    assert row.params["field"] == "Keys > row 1 > Key"


def test_a_holiday_that_is_no_date_is_a_config_problem_of_its_row(issues: list[Issue]) -> None:
    (holiday,) = [i for i in issues if i.code == "config" and i.params.get("rule") == "format"]
    assert (holiday.node, holiday.path) == ("sched", "$.nodes[12].config.holidays[0]")
    assert {k: holiday.params[k] for k in ("block_type", "field", "format", "value")} == {
        "block_type": "schedule",
        "field": "Holidays > row 1",
        "format": "date",
        "value": "2026-25-12",
    }


def test_params_are_in_the_dict_the_api_sends(issues: list[Issue]) -> None:
    issue = next(i for i in issues if i.code == "goto_unknown_scenario")
    assert issue.as_dict()["params"] == {
        "block_type": "goto_scenario",
        "block_title": "Go To Scenario",
        "label": "Other",
        "scenario": "nowhere",
        "state": "unknown",
    }


def test_a_scenario_only_drafted_is_said_to_be_unpublished(issues: list[Issue]) -> None:
    [drafted] = [i for i in issues if i.code == "goto_unknown_scenario" and i.node == "drafted"]
    assert drafted.params["state"] == "unpublished"
    assert drafted.message.endswith(
        'names the scenario "drafted", which is not published yet: calls cannot go there until it is'
    )


def _documented_codes() -> set[str]:
    """The codes docs/scenario-format.md lists under "Validation codes"."""
    section = DOCS.read_text(encoding="utf-8").split("## Validation codes", 1)[1].split("\n## ", 1)[0]
    codes: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| "):
            first, _severity, meaning = line.split("|")[1:4]
            codes |= set(re.findall(r"`([a-z_]+)`", meaning if first.strip() == "block codes" else first))
    return codes


def test_every_documented_code_is_emitted_here_with_params(issues: list[Issue]) -> None:
    documented = _documented_codes()
    assert {"unwired_exit", "duplicate_key", "transfer_bad_caller_id"} <= documented  # the table was read
    assert documented - FROM_THE_API - FROM_PLUGINS <= {issue.code for issue in issues}
