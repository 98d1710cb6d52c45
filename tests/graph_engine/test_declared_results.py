"""A scenario's declared call results (`results`: code and label): their shape, the problems validation names in
them (a code declared twice, a label too long: errors that block publishing while a draft still saves), and the
warning for a literal result a block records that the scenario does not declare."""

from __future__ import annotations

from typing import Any

import pytest

from blocks import default_registry
from graph_engine.document import shape_problems, structure_problems
from graph_engine.issues import Issue, Severity, has_errors
from graph_engine.registry import BlockRegistry
from graph_engine.validation import validate
from tests.conftest import make_document


@pytest.fixture(scope="module")
def registry() -> BlockRegistry:
    return default_registry()


def _flow(results: Any = None, *, value: str = "will_pay", mode: str = "text", hangup_result: str = "") -> Any:
    """Start -> Set Variable `result` -> Hang Up (recording `hangup_result` when given)."""
    assignment = {"variable": "result", "value": value, "mode": mode}
    hangup = {"result": hangup_result} if hangup_result else {}
    extra: dict[str, Any] = {} if results is None else {"results": results}
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "set", "type": "set_variable", "label": "Outcome", "config": {"assignments": [assignment]}},
            {"id": "end", "type": "hangup", "label": "End", "config": hangup},
        ],
        [("start", "next", "set"), ("set", "next", "end")],
        variables=[{"name": "result", "default": "no_response"}],
        **extra,
    )


PAY = {"code": "will_pay", "label": "Pagará"}
OPERATOR = {"code": "operator", "label": "Pidió un operador", "description": "Pulsó 2"}


def _codes(issues: list[Issue]) -> list[tuple[str, str, Severity]]:
    return [(issue.code, issue.path, issue.severity) for issue in issues]


def test_declared_results_are_valid(registry: BlockRegistry) -> None:
    assert validate(_flow([PAY, OPERATOR]), registry) == []


def test_a_code_declared_twice_is_an_error_naming_the_second(registry: BlockRegistry) -> None:
    document = _flow([PAY, OPERATOR, {"code": "will_pay", "label": "Pagará (otra vez)"}])
    assert shape_problems(document) == []  # the draft saves
    issues = validate(document, registry)
    assert _codes(issues) == [("duplicate_result", "$.results[2].code", Severity.ERROR)]
    assert issues[0].params == {"result": "will_pay"}
    assert issues[0].message == 'The result "will_pay" is declared twice'
    assert has_errors(issues)  # publishing refuses it


def test_a_code_or_label_being_typed_saves_but_blocks_publishing(registry: BlockRegistry) -> None:
    document = _flow([PAY, {"code": "no pagará", "label": ""}, {"code": "x", "label": "y" * 81}])
    assert shape_problems(document) == []
    assert [p.path for p in structure_problems(document)] == [
        "$.results[1].code",
        "$.results[1].label",
        "$.results[2].label",
    ]
    issues = validate(document, registry)
    assert [(i.code, i.path) for i in issues] == [
        ("invalid_value", "$.results[1].code"),
        ("invalid_value", "$.results[1].label"),
        ("invalid_value", "$.results[2].label"),
    ]
    assert issues[0].params["where"] == "result" and issues[0].params["row"] == 2
    assert issues[0].params["field"] == "code" and issues[0].params["rule"] == "pattern"
    assert issues[0].message.startswith("Result 2 code: ")
    assert issues[2].params["rule"] == "maxLength" and issues[2].params["limit"] == 80


@pytest.mark.parametrize(
    "results",
    [
        "will_pay",  # not a list
        [{"label": "Pagará"}],  # no code
        [{"code": "will_pay"}],  # no label
        [{"code": "will_pay", "label": "Pagará", "colour": "green"}],  # unknown key
        [{"code": 1, "label": "Pagará"}],  # not text
    ],
)
def test_results_off_the_shape_are_not_saved(results: Any) -> None:
    assert shape_problems(_flow(results)) != []


def test_a_literal_result_not_declared_is_a_warning(registry: BlockRegistry) -> None:
    issues = validate(_flow([OPERATOR], value="will_pay", hangup_result="paid"), registry)
    assert _codes(issues) == [
        ("undeclared_result", "$.nodes[1].config.assignments[0].value", Severity.WARNING),
        ("undeclared_result", "$.nodes[2].config.result", Severity.WARNING),
    ]
    assert issues[0].node == "set"
    assert issues[0].params == {
        "block_type": "set_variable",
        "block_title": "Set Variable",
        "label": "Outcome",
        "result": "will_pay",
    }
    assert issues[0].message == (
        'Set Variable "Outcome" records the result "will_pay", which the scenario does not declare: reports show '
        "its code instead of a label"
    )
    assert not has_errors(issues)


@pytest.mark.parametrize(
    ("value", "mode"),
    [
        ("paid_{{ language }}", "text"),  # a template: its value is the call's
        ("'will_' ~ 'pay'", "expression"),
    ],
)
def test_a_result_worked_out_in_the_call_is_not_checked(registry: BlockRegistry, value: str, mode: str) -> None:
    assert validate(_flow([OPERATOR], value=value, mode=mode), registry) == []


def test_a_scenario_declaring_no_results_is_not_told_of_its_codes(registry: BlockRegistry) -> None:
    assert validate(_flow(), registry) == []
    assert validate(_flow([]), registry) == []
