"""The work budget (templates.MAX_WORK) covers expressions and what filters walk and build.

Security review: a Condition's expression had no budget at all (`...|map('center', n)|map('list')...|sum > 0` did
10**8 steps with no error, and with n = 700 validated clean and stalled a test call for 7 s), and in templates only
loop items and a few builders were counted: `s|list|map('replace', 'a', s)|...` was cubic in `len(s)` (15 s at
1,000 on the API server's event loop). Each payload here takes seconds unbounded; refused, it takes milliseconds.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from graph_engine import templates
from graph_engine.document import parse_document
from graph_engine.errors import TemplateError
from graph_engine.interpreter import run_call
from graph_engine.registry import BlockRegistry
from graph_engine.scripted import ScriptedChannel
from tests.conftest import make_document


def nested_centering(n: int) -> str:
    """The reviewer's Condition: n lines of n characters, each character centered to n again (n**3 characters)."""
    return (
        f"(('a'*{n})|list|map('center',{n})|map('list'))|map('map','center',{n})|map('map','list')"
        "|map('map','length')|map('sum')|sum > 0"
    )


def centering(n: int) -> str:
    """The reviewer's shorter expression (t1.py): n lines of n characters (n**2), 10**8 at n = 10,000."""
    return f"('a'*{n})|list|map('center', {n})|map('list')|map('length')|sum"


# The reviewer's preview template (r2.py): each character of s replaced by s, twice over (len(s)**3 characters).
NESTED_REPLACING = (
    "{{ (s|list|map('replace','a',s)|map('list'))|map('map','replace','a',s)|map('map','list')"
    "|map('map','length')|map('sum')|sum }}"
)


def refused_quickly(work: Any) -> TemplateError:
    started = time.process_time()
    with pytest.raises(TemplateError) as caught:
        work()
    assert time.process_time() - started < 0.5
    assert caught.value.code == "template_refused"
    assert "units of work" in str(caught.value)
    return caught.value


@pytest.mark.parametrize("expression", [centering(10_000), nested_centering(400)])
def test_an_expression_that_walks_millions_of_items_is_refused(expression: str) -> None:
    error = refused_quickly(lambda: templates.evaluate(expression, {}))
    assert str(error).startswith("not allowed in an expression: the expression does more than 1,000,000 units")


def test_what_replace_builds_for_each_item_a_map_walks_is_counted() -> None:
    error = refused_quickly(lambda: templates.render(NESTED_REPLACING, {"s": "a" * 400}))
    assert str(error).startswith("not allowed in a template: the template does more than 1,000,000 units")


@pytest.mark.parametrize(
    ("source", "variables"),
    [
        # A filter handed a long value walks it: in a loop over the same list, each item walks all of it again.
        ("{% for x in xs %}{{ xs|sum }}{% endfor %}", {"xs": list(range(8_000))}),
        ("{% for x in xs %}{{ x in xs }}{% endfor %}", {"xs": list(range(9_000))}),
        ("{% for x in xs %}{{ xs.count(x) }}{% endfor %}", {"xs": list(range(9_000))}),
        # A test handed a long value walks it for each item select hands it.
        ("{{ xs|select('in', s)|list|length }}", {"xs": ["b"] * 99_000, "s": "a" * 99_000}),
        # A long value handed to each item by reference (default), walked item by item afterwards.
        ("{{ xs|map('d', s, true)|map('wordcount')|sum }}", {"xs": [""] * 300, "s": "a b " * 20_000}),
    ],
)
def test_a_value_walked_once_per_item_is_counted_each_time(source: str, variables: dict[str, Any]) -> None:
    refused_quickly(lambda: templates.render(source, variables))
    expression = source.removeprefix("{{ ").removesuffix(" }}")
    if "{%" not in source:
        refused_quickly(lambda: templates.evaluate(expression, variables))


def test_items_an_expression_left_to_be_pulled_are_counted_in_its_budget() -> None:
    """A Set Variable's value can be a map not yet walked: a template walking it later does the replacing (81
    million characters), counted in the expression's budget (the loop alone, 9,000 items, is within the
    template's)."""
    lines = templates.evaluate("s|list|map('replace', 'a', s)", {"s": "a" * 9000})
    refused_quickly(lambda: templates.render("{% for line in lines %}{% endfor %}.", {"lines": lines}))


def test_the_same_chain_in_a_template_is_refused() -> None:
    """As it already was: `center` was one of the few filters whose result a template counted."""
    refused_quickly(lambda: templates.render("{{ " + centering(10_000) + " }}", {}))


async def test_a_refused_expression_takes_the_blocks_error_exit_with_the_named_failure(
    registry: BlockRegistry,
) -> None:
    """Condition, Switch and Set Variable: the refusal is their `error` exit, as a template's failure is."""
    expression = nested_centering(400)
    blocks = [
        {"id": "c", "type": "condition", "config": {"expression": expression}},
        {"id": "s", "type": "switch", "config": {"value": expression, "cases": [{"exit": "yes", "equals": True}]}},
        {"id": "v", "type": "set_variable",
         "config": {"assignments": [{"variable": "x", "value": expression, "mode": "expression"}]}},
    ]  # fmt: skip
    for block in blocks:
        document = make_document(
            [{"id": "start", "type": "start"}, block, {"id": "bye", "type": "hangup"}],
            [("start", "next", block["id"]), (block["id"], "error", "bye")],
        )
        started = time.process_time()
        result = await run_call(parse_document(document), ScriptedChannel(), registry)
        assert time.process_time() - started < 0.5
        step = result.steps[1]
        assert (step.node, step.exit) == (block["id"], "error")
        assert step.error is not None and step.error.startswith("not allowed in an expression: the expression does")
        assert [event["code"] for event in step.events if event.get("kind") == "failure"] == ["template_refused"]


def test_each_evaluation_has_a_budget_of_its_own() -> None:
    """About 500,000 units each (400 lines of 400 characters, centered then listed): never refused however often."""
    for _ in range(5):
        assert templates.evaluate(centering(400), {}) == 160_000


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ rows|map(attribute='name')|join(', ') }}", ", ".join(f"n{n:04d}" for n in range(1000))),
        ("{{ rows|selectattr('name', 'in', wanted)|map(attribute='name')|list }}", "['n0001', 'n0002']"),
        ("{% for r in rows %}{{ loop.index }}/{{ rows|length }} {% endfor %}", None),
        ("{{ rows|map(attribute='name')|map('upper')|select('ne', 'N0000')|list|length }}", "999"),
        ("{{ (rows|sort(attribute='name', reverse=true)|first).name }}", "n0999"),
        ("{{ names|unique|list|length }} {{ names|batch(3)|list|length }} {{ names|slice(4)|list|length }}",
         "1000 334 4"),
    ],
)  # fmt: skip
def test_ordinary_filters_over_a_thousand_rows_still_render(source: str, expected: str | None) -> None:
    rows = [{"name": f"n{n:04d}"} for n in range(1000)]
    variables = {"rows": rows, "names": [row["name"] for row in rows], "wanted": ["n0001", "n0002"]}
    out = templates.render(source, variables)
    if expected is not None:
        assert out == expected
    else:
        assert out.startswith("1/1000 2/1000 ") and out.endswith("1000/1000 ")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("caller_id in vip_numbers", True),
        ("caller_id not in vip_numbers[:10]", True),
        ("vip_numbers|select('eq', caller_id)|list|length == 1", True),
        ("debts|sum(attribute='amount') > 100", True),
        ("'a' in name < 'z'", True),
    ],
)
def test_ordinary_expressions_over_long_lists_still_evaluate(expression: str, expected: Any) -> None:
    variables = {
        "caller_id": "600009999",
        "vip_numbers": [f"6000{n:05d}" for n in range(10_000)],
        "debts": [{"amount": n} for n in range(1000)],
        "name": "ana",
    }
    assert templates.evaluate(expression, variables) == expected
