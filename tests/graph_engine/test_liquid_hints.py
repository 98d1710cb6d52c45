"""Liquid (Twilio Studio's templates) written where Jinja is read: the failure says how Jinja writes it, beside
Jinja's own words (review of a migration from Studio: `{{ caller_name | default: 'friend' | upcase }}` gave
"expected token 'end of print statement', got ':'")."""

from __future__ import annotations

import pytest

from graph_engine.errors import TemplateError
from graph_engine.liquid_hints import jinja_form
from graph_engine.simulation import SimulationInput, simulate
from graph_engine.templates import evaluate, render, template_syntax_error
from graph_engine.validation import validate
from tests.conftest import make_document

FILTERS = frozenset({"default", "upper", "lower", "length", "trim", "capitalize", "truncate"})


@pytest.mark.parametrize(
    ("liquid", "jinja"),
    [
        ("{{ caller_name | default: 'friend' | upcase }}", "{{ caller_name | default('friend') | upper }}"),
        ("{{ name | upcase }}", "{{ name | upper }}"),
        ("{{ name | downcase }}", "{{ name | lower }}"),
        ("{{ items | size }}", "{{ items | length }}"),
        ("{{ name | strip | capitalize }}", "{{ name | trim | capitalize }}"),
        ("{{ n | plus: 1 }}", "{{ (n + 1) }}"),
        ("{{ n | minus: 2 | times: 3 }}", "{{ ((n - 2) * 3) }}"),
        ("{{ total | divided_by: 2 }}", "{{ (total / 2) }}"),
        ("{{ name | append: '!' }}", "{{ (name ~ '!') }}"),
        ("{{ text | truncate: 20, '...' }}", "{{ text | truncate(20, '...') }}"),
        ("{{ due | date: '%d %B' }}", "{{ spoken_date(due, language) }}"),
        ("{% assign n = 1 %}", "{% set n = 1 %}"),
        ("{% if a %}x{% elsif b %}y{% endif %}", "{% elif b %}"),
        ("items | size > 0", "items | length > 0"),
    ],
)
def test_a_liquid_form_is_written_as_jinja(liquid, jinja):
    written, suggestion = jinja_form(liquid, FILTERS, expression="{" not in liquid) or ("", "")
    assert suggestion == jinja
    assert written in liquid


@pytest.mark.parametrize("source", ["{{ name | upper }}", "Hola {{ name }}", "{{ a > 1 | abs }}", "press 1 | upcase"])
def test_jinja_has_no_hint(source):
    assert jinja_form(source, FILTERS, expression=False) is None


@pytest.mark.parametrize(
    ("source", "written", "suggestion"),
    [
        (
            "{{ caller_name | default: 'friend' | upcase }}",
            "{{ caller_name | default: 'friend' | upcase }}",
            "{{ caller_name | default('friend') | upper }}",
        ),
        ("Hola {{ name | upcase }}.", "{{ name | upcase }}", "{{ name | upper }}"),
    ],
)
def test_the_call_names_the_liquid_form_and_its_jinja(source, written, suggestion):
    with pytest.raises(TemplateError) as caught:
        render(source, {"caller_name": "Ann", "name": "Ann"})
    assert caught.value.code == "template_syntax"
    params = caught.value.params
    assert (params["reason"], params["written"], params["suggestion"]) == ("liquid_form", written, suggestion)
    assert f"did you mean {suggestion}?" in str(caught.value)
    assert render(suggestion, {"caller_name": "Ann", "name": "Ann"}) == "ANN"


def test_an_expression_names_it_too():
    with pytest.raises(TemplateError) as caught:
        evaluate("items | size > 0", {"items": [1]})
    assert caught.value.params["reason"] == "liquid_form"
    assert caught.value.params["suggestion"] == "items | length > 0"


def test_validation_says_it():
    problem = template_syntax_error("{{ name | upcase }}")
    assert problem is not None and "did you mean {{ name | upper }}?" in problem
    problem = template_syntax_error("guess | plus: 1 > 5", expression=True)
    assert problem is not None and "did you mean (guess + 1) > 5?" in problem


def test_an_unknown_filter_that_is_not_liquid_keeps_its_reason():
    with pytest.raises(TemplateError) as caught:
        render("{{ debt | moneyy }}", {"debt": 1})
    assert caught.value.params["reason"] == "unknown_filter"


async def test_the_hint_reaches_the_call_trace_and_validation(registry):
    text = "Hola {{ caller_name | default: 'friend' | upcase }}"
    document = make_document(
        [{"id": "start", "type": "start"}, {"id": "hi", "type": "say_phrase", "config": {"text": text}}],
        [("start", "next", "hi")],
    )
    sim = await simulate(document, registry, SimulationInput())
    failure = next(e for step in sim.result.steps for e in step.events if e.get("kind") == "failure")
    assert (failure["code"], failure["reason"], failure["suggestion"]) == (
        "template_syntax",
        "liquid_form",
        "{{ caller_name | default('friend') | upper }}",
    )
    issue = next(issue for issue in validate(document, registry) if issue.code == "template_syntax")
    assert "did you mean {{ caller_name | default('friend') | upper }}?" in issue.params["detail"]
