"""A variable nothing ever sets (review of an Oktell administrator): `:callerid` in an SQL query, `{{ nmae }}` in a
Say Phrase text. It was only the generic `undefined_variable` warning ("may not be set yet"), naming no field, among
many "leads nowhere" warnings, and the scenario published took the error exit on every call. Now it is its own
warning, `unknown_variable`, at the field that reads it, saying that no block sets it and, when a known name is close,
which one was meant. A warning still: the dialplan (`?account=...`, AGI arguments), a call list or a callback may pass
a variable the scenario does not declare (docs/scenario-format.md), so a call may have it after all."""

from __future__ import annotations

from typing import Any

from graph_engine.issues import Issue, Severity
from graph_engine.registry import BlockRegistry
from graph_engine.validation import validate
from tests.conftest import make_document


def _lookup(query: str, **extra: Any) -> dict[str, Any]:
    """Start -> an SQL lookup of the caller -> a greeting using what it found."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "lookup",
                "type": "sql",
                "label": "Find employee",
                "config": {"source": "staff_db", "query": query, "columns": {"name": "name"}},
            },
            {"id": "hello", "type": "say_phrase", "label": "Greeting", "config": {"text": "Hola {{ nmae }}"}},
            {"id": "bye", "type": "hangup"},
        ],
        [("start", "next", "lookup"), ("lookup", "found", "hello"), ("hello", "next", "bye")],
        **extra,
    )


def _codes(issues: list[Issue], code: str) -> list[Issue]:
    return [issue for issue in issues if issue.code == code]


def test_a_mistyped_sql_parameter_is_named_at_its_field_with_the_name_meant(registry: BlockRegistry) -> None:
    issues = validate(_lookup("SELECT name FROM staff WHERE phone = :callerid"), registry)
    (issue,) = [i for i in _codes(issues, "unknown_variable") if i.node == "lookup"]
    assert issue.severity is Severity.WARNING
    assert issue.path == "$.nodes[1].config.query"
    assert issue.params == {
        "block_type": "sql",
        "block_title": "SQL Query",
        "label": "Find employee",
        "variable": "callerid",
        "field": "Query",
        "suggestion": "caller_id",
    }
    assert issue.message == (
        'SQL Query "Find employee": Query uses "callerid", which no block sets and the scenario does not declare, so '
        'the block fails on every call unless the dialplan passes it. Did you mean "caller_id"?'
    )
    assert not [i for i in issues if i.code == "undefined_variable" and i.params.get("variable") == "callerid"]


def test_a_mistyped_name_in_a_phrase_suggests_the_variable_a_block_sets(registry: BlockRegistry) -> None:
    issues = validate(_lookup("SELECT name FROM staff WHERE phone = :caller_id"), registry)
    (issue,) = _codes(issues, "unknown_variable")
    assert (issue.node, issue.path) == ("hello", "$.nodes[2].config.text")
    assert (issue.params["variable"], issue.params["field"], issue.params["suggestion"]) == (
        "nmae",
        "Text to say",
        "name",
    )


def test_a_name_like_none_known_gets_no_suggestion(registry: BlockRegistry) -> None:
    document = _lookup("SELECT name FROM staff WHERE phone = :caller_id")
    document["nodes"][2]["config"]["text"] = "Su saldo es {{ zzz }}"
    (issue,) = _codes(validate(document, registry), "unknown_variable")
    assert "suggestion" not in issue.params
    assert issue.message.endswith("unless the dialplan passes it")


def test_a_variable_declared_or_set_somewhere_is_no_unknown_one(registry: BlockRegistry) -> None:
    # Declared (the dialplan's `?nmae=`, a call list's column): known, and set from the first block.
    declared = validate(_lookup("SELECT 1 WHERE :caller_id", variables=[{"name": "nmae"}]), registry)
    assert _codes(declared, "unknown_variable") == []
    # Set by a block on another branch only: "may not be set yet" where it is read, as before.
    document = _lookup("SELECT name FROM staff WHERE phone = :caller_id")
    document["nodes"].append(
        {"id": "set", "type": "set_variable", "config": {"assignments": [{"variable": "nmae", "value": "x"}]}}
    )
    document["edges"].append({"id": "e9", "source": "lookup", "exit": "not_found", "target": "set"})
    issues = validate(document, registry)
    assert _codes(issues, "unknown_variable") == []
    assert [i.params["variable"] for i in _codes(issues, "undefined_variable")] == ["nmae"]


def test_it_comes_before_the_exits_that_lead_nowhere(registry: BlockRegistry) -> None:
    """The problems list the API sends: errors first, then this warning ahead of the others of its block."""
    issues = validate(_lookup("SELECT name FROM staff WHERE phone = :callerid"), registry)
    codes = [issue.code for issue in issues if issue.severity is Severity.WARNING]
    assert "unwired_exit" in codes
    assert codes.index("unknown_variable") < codes.index("unwired_exit")
