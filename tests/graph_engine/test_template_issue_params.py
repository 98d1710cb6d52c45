"""Validation's `template_syntax` issue names a Liquid form as a call's failure does (reason `liquid_form`, what is
`written` and its Jinja `suggestion`), so the designer words the hint in the analyst's language, not only English."""

from __future__ import annotations

from graph_engine.validation import validate
from tests.conftest import make_document


def _issue_params(node: dict[str, object], registry):
    document = make_document([{"id": "start", "type": "start"}, node], [("start", "next", node["id"])])
    (issue,) = [issue for issue in validate(document, registry) if issue.code == "template_syntax"]
    return issue.params


def test_a_templates_liquid_form_is_named_in_the_issues_params(registry):
    text = "Hola {{ caller_name | default: 'friend' | upcase }}"
    params = _issue_params({"id": "hi", "type": "say_phrase", "config": {"text": text}}, registry)
    assert (params["kind"], params["reason"], params["written"], params["suggestion"]) == (
        "template",
        "liquid_form",
        "{{ caller_name | default: 'friend' | upcase }}",
        "{{ caller_name | default('friend') | upper }}",
    )
    assert "did you mean {{ caller_name | default('friend') | upper }}?" in params["detail"]  # English, as before


def test_an_expressions_liquid_form_is_named_too(registry):
    config = {"expression": "items | size > 0"}
    params = _issue_params({"id": "if", "type": "condition", "config": config}, registry)
    assert (params["kind"], params["reason"], params["written"], params["suggestion"]) == (
        "expression",
        "liquid_form",
        "items | size > 0",
        "items | length > 0",
    )


def test_a_syntax_error_that_is_not_liquid_names_its_own_reason(registry):
    params = _issue_params({"id": "hi", "type": "say_phrase", "config": {"text": "Hola {{ name "}}, registry)
    assert params["kind"] == "template" and "suggestion" not in params
    assert (params["reason"], params["opened"], params["closer"]) == ("unclosed", "{{", "}}")
