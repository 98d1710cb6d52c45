"""Validation reports every problem at once, with stable codes, node ids, JSON paths and plain messages."""

from __future__ import annotations

from typing import Any

import pytest

from graph_engine.issues import Severity, has_errors
from graph_engine.validation import validate
from tests.conftest import example_slugs, make_document


def codes(issues: list[Any]) -> set[str]:
    return {issue.code for issue in issues}


def by_code(issues: list[Any], code: str) -> list[Any]:
    return [issue for issue in issues if issue.code == code]


@pytest.mark.parametrize("slug", example_slugs())
def test_examples_have_no_problems(registry, load_example, slug):
    assert validate(load_example(slug), registry, known_scenarios=set(example_slugs())) == []


def test_structure_errors_name_the_json_path(registry):
    issues = validate({"format": "ivrgraph.scenario/1", "name": "x", "nodes": [{"id": "a"}], "edges": []}, registry)
    assert codes(issues) == {"structure"}
    assert issues[0].path == "$.nodes[0]"
    assert "'type' is a required property" in issues[0].message


def _nested(levels: int) -> Any:
    value: Any = "bottom"
    for _ in range(levels):
        value = [value]
    return value


def test_nesting_is_bounded_at_64_levels_and_the_place_is_named(registry):
    document = make_document([{"id": "start", "type": "start"}, {"id": "end", "type": "hangup"}],
                             [("start", "next", "end")])  # fmt: skip
    document["meta"] = {"layout": _nested(63)}  # the innermost of 63 lists is 64 levels below the document
    assert validate(document, registry) == []
    document["meta"] = {"layout": _nested(64)}
    issues = validate(document, registry)
    assert codes(issues) == {"structure"}
    assert issues[0].path == "$.meta.layout" + "[0]" * 63 and "nested more than 64 levels" in issues[0].message


def test_not_an_object(registry):
    assert codes(validate([1, 2], registry)) == {"structure"}


def test_every_problem_at_once(registry):
    doc = make_document(
        [
            {"id": "a", "type": "say_phrase", "config": {"text": "hola"}},
            {"id": "b", "type": "no_such_block"},
            {
                "id": "menu",
                "type": "ivr",
                "label": "Main menu",
                "config": {"prompt": {"text": "1 o 2"}, "options": [{"key": "1"}, {"key": "3"}]},
            },
        ],
        [("a", "next", "menu"), ("a", "next", "b"), ("menu", "7", "a"), ("menu", "1", "ghost")],
    )
    issues = validate(doc, registry)
    assert {"no_start", "unknown_type", "duplicate_exit_edge", "unknown_exit", "dangling_edge"} <= codes(issues)
    assert has_errors(issues)
    dangling = by_code(issues, "dangling_edge")[0]
    assert dangling.path == "$.edges[3].target"
    assert 'IVR Menu "Main menu" has no exit "7"' in by_code(issues, "unknown_exit")[0].message


def test_unwired_exit_says_what_the_caller_experiences(registry):
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "menu",
                "type": "ivr",
                "label": "Main menu",
                "config": {"prompt": {"text": "x"}, "options": [{"key": "1"}, {"key": "3"}]},
            },
            {"id": "bye", "type": "hangup"},
        ],
        [("start", "next", "menu"), ("menu", "1", "bye"), ("menu", "max_tries", "bye")],
    )
    issues = validate(doc, registry)
    (issue,) = by_code(issues, "unwired_exit")
    assert issue.severity is Severity.WARNING
    assert issue.node == "menu"
    assert issue.message == 'IVR Menu "Main menu": key 3 leads nowhere: pressing this key ends the call'


def test_an_unwired_capture_exit_is_not_called_a_key(registry):
    """In capture mode the IVR's `next` exit is the typed number, not a key: its warning said 'pressing this key
    ends the call' (designer review, 2026-12-05)."""
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "ask",
                "type": "ivr",
                "label": "Account",
                "config": {"mode": "capture", "prompt": {"text": "x"}, "variable": "account"},
            },
            {"id": "bye", "type": "hangup"},
        ],
        [("start", "next", "ask"), ("ask", "max_tries", "bye")],
    )
    (issue,) = by_code(validate(doc, registry), "unwired_exit")
    assert "leads nowhere: once the caller has typed it, the call ends;" in issue.message, issue.message


def test_config_errors_are_checked_by_the_block_schema(registry):
    doc = make_document(
        [{"id": "start", "type": "start"}, {"id": "t", "type": "transfer", "config": {"timeout": 0}}],
        [("start", "next", "t")],
    )
    issues = by_code(validate(doc, registry), "config")
    paths = {issue.path for issue in issues}
    assert "$.nodes[1].config" in paths  # target is required
    assert "$.nodes[1].config.timeout" in paths
    assert all(issue.node == "t" for issue in issues)


def test_unreachable_is_a_warning(registry):
    doc = make_document(
        [{"id": "start", "type": "start"}, {"id": "bye", "type": "hangup"}, {"id": "lost", "type": "hangup"}],
        [("start", "next", "bye")],
    )
    (issue,) = validate(doc, registry)
    assert (issue.code, issue.severity, issue.node) == ("unreachable", Severity.WARNING, "lost")


def test_loop_without_input_is_an_error(registry):
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "a", "type": "set_variable", "config": {"assignments": [{"variable": "x", "value": "1"}]}},
            {"id": "b", "type": "condition", "config": {"expression": "x == '1'"}},
        ],
        [("start", "next", "a"), ("a", "next", "b"), ("b", "true", "a"), ("b", "false", "a")],
    )
    issues = by_code(validate(doc, registry), "loop_without_input")
    assert len(issues) == 1 and issues[0].severity is Severity.ERROR
    assert "spin" in issues[0].message


def test_loop_through_a_menu_is_fine(registry, load_example):
    doc = load_example("debt-reminder")  # key 9 goes back to the debt phrase: the menu waits for the caller
    assert "loop_without_input" not in codes(validate(doc, registry))


def test_goto_into_a_loop_is_found(registry):
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "c", "type": "condition", "config": {"expression": "true"}},
            {"id": "g", "type": "goto", "config": {"target": "c"}},
        ],
        [("start", "next", "c"), ("c", "true", "g"), ("c", "false", "g")],
    )
    assert "loop_without_input" in codes(validate(doc, registry))


def test_goto_to_missing_node_and_unknown_scenario(registry):
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "g", "type": "goto", "config": {"target": "nowhere"}},
            {"id": "s", "type": "goto_scenario", "config": {"scenario": "ghost"}},
        ],
        [("start", "next", "g")],
    )
    issues = validate(doc, registry, known_scenarios={"main"})
    assert {"goto_missing_target", "goto_unknown_scenario"} <= codes(issues)


def test_variable_read_before_set(registry):
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "c", "type": "condition", "config": {"expression": "vip"}},
            {"id": "set", "type": "set_variable", "config": {"assignments": [{"variable": "name", "value": "Ana"}]}},
            {"id": "say", "type": "say_phrase", "config": {"text": "Hola {{ name }} {{ caller_id }} {{ surname }}"}},
        ],
        [("start", "next", "c"), ("c", "true", "set"), ("c", "false", "say"), ("set", "next", "say")],
        variables=[{"name": "vip", "type": "boolean", "default": False}],
    )
    issues = validate(doc, registry)
    # `name` is set on one branch only; `surname` nowhere (its own warning); caller_id is a channel fact; vip is
    # declared
    assert [(i.node, i.params["variable"]) for i in by_code(issues, "undefined_variable")] == [("say", "name")]
    assert [(i.node, i.params["variable"]) for i in by_code(issues, "unknown_variable")] == [("say", "surname")]


LOOKUP = {
    "id": "lookup",
    "type": "sql",
    "label": "Look up client",
    "config": {
        "source": "crm",
        "query": "SELECT name FROM c WHERE phone = :caller_id",
        "columns": {"name": "client_name"},
    },
}
HELLO = {"id": "hi", "type": "say_phrase", "label": "Hello", "config": {"text": "Hola {{ client_name }}"}}


def test_sql_columns_are_not_set_when_nothing_was_found(registry):
    # Both exits lead to the same block: what each sets is followed per exit, not per pair of blocks.
    doc = make_document(
        [{"id": "start", "type": "start"}, LOOKUP, HELLO],
        [("start", "next", "lookup"), ("lookup", "found", "hi"), ("lookup", "not_found", "hi")],
    )
    (issue,) = by_code(validate(doc, registry), "undefined_variable")
    assert (issue.node, issue.severity, issue.path) == ("hi", Severity.WARNING, "$.nodes[2].config.text")
    assert issue.message == (
        'Say Phrase "Hello" uses "client_name", which is not set when SQL Query "Look up client" leaves by its '
        '"Not found" exit'
    )


def test_sql_rows_variable_is_set_on_both_exits_and_a_gap_filled_on_the_way_is_no_gap(registry):
    lookup = {**LOOKUP, "config": {**LOOKUP["config"], "rows_variable": "rows"}}
    fill = {"id": "fill", "type": "set_variable", "config": {"assignments": [{"variable": "client_name", "value": ""}]}}
    say = {"id": "hi", "type": "say_phrase", "config": {"text": "Hola {{ client_name }}, {{ rows | length }}"}}
    doc = make_document(
        [{"id": "start", "type": "start"}, lookup, fill, say],
        [
            ("start", "next", "lookup"),
            ("lookup", "found", "hi"),
            ("lookup", "not_found", "fill"),
            ("fill", "next", "hi"),
        ],
    )
    assert by_code(validate(doc, registry), "undefined_variable") == []


def test_the_exit_that_leaves_a_variable_unset_is_named_further_down_and_through_a_go_to(registry):
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            LOOKUP,
            {"id": "sorry", "type": "say_phrase", "config": {"text": "No le encontramos"}},
            {"id": "jump", "type": "goto", "config": {"target": "hi"}},
            {"id": "ask", "type": "say_phrase", "config": {"text": "Un momento"}},
            HELLO,
        ],
        [
            ("start", "next", "lookup"),
            ("lookup", "found", "ask"),
            ("lookup", "not_found", "sorry"),
            ("sorry", "next", "jump"),
            ("ask", "next", "hi"),
        ],
    )
    (issue,) = by_code(validate(doc, registry), "undefined_variable")
    assert issue.node == "hi"
    assert issue.message.endswith('not set when SQL Query "Look up client" leaves by its "Not found" exit')


def test_a_captured_number_is_not_set_after_too_many_tries(registry):
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "acc",
                "type": "ivr",
                "label": "Account",
                "config": {"mode": "capture", "prompt": {"text": "Cuenta"}, "variable": "account", "max_tries": 2},
            },
            {"id": "ok", "type": "say_phrase", "config": {"text": "Cuenta {{ account }}"}},
            {"id": "bad", "type": "say_phrase", "config": {"text": "Cuenta {{ account }} no reconocida"}},
            {"id": "bye", "type": "hangup"},
        ],
        [("start", "next", "acc"), ("acc", "next", "ok"), ("acc", "max_tries", "bad"), ("ok", "next", "bye"),
         ("bad", "next", "bye")],
    )  # fmt: skip
    (issue,) = by_code(validate(doc, registry), "undefined_variable")
    assert issue.node == "bad"
    assert 'which is not set when IVR Menu "Account" leaves by its "Too many tries" exit' in issue.message


def test_a_callback_due_time_exists_only_when_the_callback_was_scheduled(registry):
    callback = {"id": "cb", "type": "callback", "label": "Call back", "config": {"scenario": "test"}}
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            callback,
            {"id": "promise", "type": "say_phrase", "config": {"text": "Le llamaremos a las {{ callback_due }}"}},
            {"id": "sorry", "type": "say_phrase", "config": {"text": "No podemos: {{ callback_due }}"}},
        ],
        [("start", "next", "cb"), ("cb", "scheduled", "promise"), ("cb", "rejected", "sorry")],
    )
    (issue,) = by_code(validate(doc, registry), "undefined_variable")
    assert issue.node == "sorry" and 'Schedule Callback "Call back" leaves by its "Rejected" exit' in issue.message


def test_a_block_that_failed_set_nothing_on_its_error_exit(registry):
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "set",
                "type": "set_variable",
                "config": {"assignments": [{"variable": "total", "value": "{{ 1 }}"}]},
            },
            {"id": "say", "type": "say_phrase", "config": {"text": "{{ total }}"}},
            {"id": "oops", "type": "say_phrase", "config": {"text": "Error con {{ total }}"}},
        ],
        [("start", "next", "set"), ("set", "next", "say"), ("set", "error", "oops")],
    )
    (issue,) = by_code(validate(doc, registry), "undefined_variable")
    assert issue.node == "oops" and issue.message.endswith('leaves by its "error" exit')


def test_template_syntax_error(registry):
    doc = make_document(
        [{"id": "start", "type": "start"}, {"id": "say", "type": "say_phrase", "config": {"text": "Hola {{ name "}}],
        [("start", "next", "say")],
    )
    (issue,) = by_code(validate(doc, registry), "template_syntax")
    assert issue.path == "$.nodes[1].config.text"


def test_block_checks_are_rebased_to_the_node(registry):
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "menu",
                "type": "ivr",
                "config": {"prompt": {"audio": "menu"}, "options": [{"key": "1"}, {"key": "1"}]},
            },
        ],
        [("start", "next", "menu")],
    )
    (issue,) = by_code(validate(doc, registry), "duplicate_key")
    assert issue.path == "$.nodes[1].config.options[1].key"


def test_two_starts_and_duplicate_ids(registry):
    doc = make_document([{"id": "s", "type": "start"}, {"id": "s", "type": "start"}, {"id": "t", "type": "start"}], [])
    assert {"duplicate_node_id", "multiple_starts"} <= codes(validate(doc, registry))


def test_audio_name_cannot_leave_the_media_folder(registry):
    for bad in ("../../etc/passwd", "/etc/passwd", "a/../../b", ".hidden"):
        doc = make_document(
            [{"id": "start", "type": "start"}, {"id": "m", "type": "message", "config": {"audio": bad}}],
            [("start", "next", "m")],
        )
        assert "config" in codes(validate(doc, registry)), bad


def test_fallback_must_exist(registry):
    doc = make_document([{"id": "start", "type": "start"}], [], fallback="ghost")
    assert "fallback_missing" in codes(validate(doc, registry))


@pytest.mark.parametrize("options", [None, "1,2", [1], [None]])
def test_a_broken_menu_config_is_named_at_its_node_and_the_rest_still_checked(registry, options) -> None:
    """Review, 2026-12-04: an IVR whose options were not a list of objects crashed the validator, which then
    reported one 'internal' problem at '$' instead of the node, the field and the draft's other problems."""
    document = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "menu", "type": "ivr", "config": {"prompt": {"text": "Hola"}, "options": options}},
            {"id": "lost", "type": "hangup"},
        ],
        [("start", "next", "menu")],
    )
    issues = validate(document, registry)
    assert "internal" not in {issue.code for issue in issues}
    assert any(issue.node == "menu" and ".config.options" in issue.path for issue in issues), issues
    assert any(issue.node == "lost" and issue.code == "unreachable" for issue in issues)


@pytest.mark.parametrize(
    ("node", "field"),
    [
        ({"id": "bye", "type": "message", "config": {"audio": "vm-goodbye\n"}}, ".config.audio"),
        ({"id": "bye", "type": "goto_scenario", "config": {"scenario": "sales\n"}}, ".config.scenario"),
    ],
)
def test_a_pattern_does_not_let_a_trailing_newline_through(registry, node: dict[str, Any], field: str) -> None:
    """Review, 2026-12-04: Python's `$` also matches before a final newline, so "sales\\n" passed patterns the
    designer (ECMA-262) and the quick check refuse, and failed only in the call. Now refused at the node."""
    document = make_document([{"id": "start", "type": "start"}, node], [("start", "next", "bye")])
    issues = [issue for issue in validate(document, registry) if issue.node == "bye" and issue.path.endswith(field)]
    assert issues and "does not match" in issues[0].message


@pytest.mark.parametrize(
    "text", ["{% include 'footer' %}", "{% extends 'base' %}", "{% for i in range(3) %}x{% endfor %}"]
)
def test_a_template_that_could_only_fail_in_the_call_is_refused(registry, text: str) -> None:
    """Review, 2026-12-04: include/extends (no other templates exist) and range() (removed from the sandbox)
    passed validation and failed in every call. Now they are template_syntax errors at the field."""
    document = make_document(
        [{"id": "start", "type": "start"}, {"id": "hello", "type": "say_phrase", "config": {"text": text}}],
        [("start", "next", "hello")],
    )
    issues = [i for i in validate(document, registry) if i.code == "template_syntax"]
    assert [(i.node, i.path, i.severity) for i in issues] == [("hello", "$.nodes[1].config.text", Severity.ERROR)]


@pytest.mark.parametrize(
    ("node", "path", "message"),
    [
        (
            {"id": "m", "type": "ivr", "config": {"prompt": {}, "options": [{"key": "1"}]}},
            "$.nodes[1].config.prompt",
            'IVR Menu "m": Prompt: choose Recorded audio or Spoken text',
        ),
        (
            {"id": "m", "type": "ivr", "config": {"prompt": {"text": ""}, "options": [{"key": "1"}]}},
            "$.nodes[1].config.prompt.text",
            'IVR Menu "m": Prompt > Text to say: must not be empty',
        ),
        (
            {"id": "m", "type": "ivr", "config": {"prompt": {"audio": "a", "text": "b"}, "options": [{"key": "1"}]}},
            "$.nodes[1].config.prompt",
            'IVR Menu "m": Prompt: either Recorded audio or Spoken text, not both',
        ),
        (
            {"id": "h", "type": "schedule", "config": {"hours": [{"days": [], "from": "09:00", "to": "18:00"}]}},
            "$.nodes[1].config.hours[0].days",
            'Schedule "h": Opening hours > row 1 > Days: choose at least one',
        ),
        (
            {"id": "h", "type": "schedule", "config": {"hours": [{"days": ["mon"], "to": "18:00"}]}},
            "$.nodes[1].config.hours[0]",
            'Schedule "h": Opening hours > row 1: From is required',
        ),
        (
            {"id": "s", "type": "sql", "config": {"source": "crm", "query": "SELECT 1", "columns": {"bad\tcol": "x"}}},
            "$.nodes[1].config.columns",
            "SQL Query \"s\": Columns to variables: the name 'bad\\tcol' does not match the form names take here: "
            "A result column as the database names it (Сумма, amount), at most 256 characters.",
        ),
        (
            {"id": "t", "type": "transfer", "config": {"target": "101", "timeout": 999}},
            "$.nodes[1].config.timeout",
            'Transfer "t": Ring for (s): 999 is above the limit of 300',
        ),
    ],
)
def test_config_problems_speak_the_forms_language(registry, node: dict[str, Any], path: str, message: str) -> None:
    """Review, 2026-12-05: an IVR with its prompt left empty read "prompt: {} is not valid under any of the given
    schemas", and rows were counted from zero ("hours.0.days: [] should be non-empty")."""
    document = make_document([{"id": "start", "type": "start"}, node], [("start", "next", node["id"])])
    found = [(issue.path, issue.message) for issue in validate(document, registry) if issue.code == "config"]
    assert found == [(path, message)]


def test_each_missing_required_field_is_named_once(registry):
    """jsonschema reports one problem per missing key; each must name its own key, not the first one missing."""
    doc = make_document(
        [{"id": "start", "type": "start"}, {"id": "s", "type": "sql", "config": {}}], [("start", "next", "s")]
    )
    messages = sorted(issue.message for issue in by_code(validate(doc, registry), "config"))
    assert messages == [
        'SQL Query "s": settings: Data source is required',
        'SQL Query "s": settings: Query is required',
    ]
    missing = sorted(str(issue.params["missing"]) for issue in by_code(validate(doc, registry), "config"))
    assert missing == ["Data source", "Query"]
