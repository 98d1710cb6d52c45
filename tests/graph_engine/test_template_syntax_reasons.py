"""A template's or expression's syntax error names the mistake plainly (`reason` and what it is about, and English
words for the API and logs) instead of Jinja's token names, which meant nothing to an analyst: "unexpected 'end of
print statement'" of `es_vipp == 1 and`. And an empty expression field is only the field left empty, not also a
syntax error."""

from __future__ import annotations

from typing import Any

import pytest

from graph_engine.errors import TemplateError
from graph_engine.templates import evaluate, render, template_syntax_error, template_syntax_hint
from graph_engine.validation import validate
from tests.conftest import make_document

JINJA_WORDS = ("print statement", "statement block", "syntax error", "unexpected char", "expected token")


@pytest.mark.parametrize(
    ("expression", "reason", "message"),
    [
        (
            "es_vipp == 1 and",
            {"reason": "incomplete", "after": "and"},
            'expression ends too early: something is missing after "and"',
        ),
        ("debt >", {"reason": "incomplete", "after": ">"}, 'expression ends too early: something is missing after ">"'),
        ("contact.", {"reason": "incomplete", "after": "."}, None),
        ("   ", {"reason": "empty"}, "expression is empty"),
        (
            "is_vip(caller_id",
            {"reason": "unclosed", "opened": "(", "closer": ")"},
            'expression opens "(" and does not close it: add ")"',
        ),
        ("tiers[1", {"reason": "unclosed", "opened": "[", "closer": "]"}, None),
        ("language == 'es", {"reason": "unclosed", "opened": "'", "closer": "'"}, None),
        ("debt $ 100", {"reason": "unexpected", "found": "$"}, 'expression has "$" where it cannot be'),
        ("debt > 100)", {"reason": "unexpected", "found": ")"}, None),
        ("debt 100", {"reason": "unexpected", "found": "100"}, None),
    ],
)
def test_an_expressions_mistake_is_named_at_validation_and_in_the_call(
    expression: str, reason: dict[str, str], message: str | None
) -> None:
    assert template_syntax_hint(expression, expression=True) == reason
    said = template_syntax_error(expression, expression=True)
    assert said is not None and not any(words in said for words in JINJA_WORDS), said
    with pytest.raises(TemplateError) as caught:
        evaluate(expression, {"debt": 5})
    assert caught.value.code == "template_syntax"
    assert {key: caught.value.params[key] for key in reason} == reason
    assert "detail" in caught.value.params  # Jinja's words, still there for API clients that show them
    if message is not None:
        assert said == message and str(caught.value) == message


@pytest.mark.parametrize(
    ("template", "reason", "message"),
    [
        (
            "Hola {{ foo( }}",
            {"reason": "unclosed", "opened": "(", "closer": ")"},
            'template opens "(" and does not close it: add ")"',
        ),
        ("Hola {{ name", {"reason": "unclosed", "opened": "{{", "closer": "}}"}, None),
        (
            "{% if vip %}Hola",
            {"reason": "unclosed", "opened": "{% if %}", "closer": "{% endif %}"},
            'template opens "{% if %}" and does not close it: add "{% endif %}"',
        ),
        ("{# note", {"reason": "unclosed", "opened": "{#", "closer": "#}"}, None),
        ("Hola {{ }}", {"reason": "empty"}, 'template has a "{{ }}" with nothing inside'),
        (
            "Hola\n{{ name and }}",
            {"reason": "incomplete", "after": "and"},
            'template ends too early: something is missing after "and" (line 2)',
        ),
        ("Hola{% endif %}", {"reason": "unexpected", "found": "{% endif %}"}, None),
        ("Hola {{ name ] }}", {"reason": "unexpected", "found": "]"}, None),
    ],
)
def test_a_templates_mistake_is_named_at_validation_and_in_the_call(
    template: str, reason: dict[str, str], message: str | None
) -> None:
    assert template_syntax_hint(template) == reason
    said = template_syntax_error(template)
    assert said is not None and not any(words in said for words in JINJA_WORDS), said
    with pytest.raises(TemplateError) as caught:
        render(template, {"name": "Ana", "vip": True})
    assert {key: caught.value.params[key] for key in reason} == reason
    if message is not None:
        assert said == message and str(caught.value) == message


def test_a_mistake_without_plain_words_keeps_jinjas() -> None:
    """A rare mistake the reasons do not cover (a keyword argument before a plain one): Jinja's words, as before."""
    said = template_syntax_error("{{ money(amount=1, 'EUR') }}")
    assert said == "template syntax error on line 1: invalid syntax for function call expression"
    assert template_syntax_hint("{{ money(amount=1, 'EUR') }}") == {}


def test_a_liquid_form_keeps_its_hint_and_says_the_rest_plainly() -> None:
    with pytest.raises(TemplateError) as caught:
        render("Hola {{ name | default: 'amigo' }}", {"name": "Ana"})
    assert caught.value.params["reason"] == "liquid_form"
    assert str(caught.value) == (
        """template has ":" where it cannot be (written as in Liquid: did you mean {{ name | default('amigo') }}?)"""
    )


def _template_issues(node: dict[str, Any], registry: Any) -> list[tuple[str, str]]:
    document = make_document([{"id": "start", "type": "start"}, node], [("start", "next", node["id"])])
    return [(issue.code, issue.path) for issue in validate(document, registry) if issue.node == node["id"]]


@pytest.mark.parametrize(
    ("node", "path"),
    [
        ({"id": "if", "type": "condition", "config": {}}, "$.nodes[1].config"),
        ({"id": "if", "type": "condition", "config": {"expression": ""}}, "$.nodes[1].config.expression"),
        ({"id": "by", "type": "switch", "config": {"cases": []}}, "$.nodes[1].config"),
        ({"id": "by", "type": "switch", "config": {"value": "", "cases": []}}, "$.nodes[1].config.value"),
    ],
)
def test_an_empty_expression_is_only_the_field_left_empty(node: dict[str, Any], path: str, registry: Any) -> None:
    """A new Condition block showed "fill in Expression" and also Jinja's "Expected an expression, got 'end of
    print statement'" about the same empty field."""
    issues = _template_issues(node, registry)
    assert ("config", path) in issues
    assert not [code for code, _ in issues if code == "template_syntax"], issues


def test_an_expression_of_spaces_is_said_to_be_empty(registry: Any) -> None:
    """The field's minLength lets spaces through: the syntax check is then the one to say it, plainly."""
    node = {"id": "if", "type": "condition", "config": {"expression": "   "}}
    document = make_document([{"id": "start", "type": "start"}, node], [("start", "next", "if")])
    (issue,) = [issue for issue in validate(document, registry) if issue.code == "template_syntax"]
    assert issue.params["reason"] == "empty" and issue.message.endswith("expression is empty")
