"""Templates: the plain-substitution fast path renders exactly what Jinja's sandbox renders."""

from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import StrictUndefined
from jinja2.exceptions import UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from graph_engine import templates
from graph_engine.errors import TemplateError

# The same settings as graph_engine.templates, built independently: the reference the fast path must match
# (None is written as nothing: a NULL column must not be spoken as "None").
JINJA = ImmutableSandboxedEnvironment(
    undefined=StrictUndefined,
    autoescape=False,
    keep_trailing_newline=False,
    finalize=lambda value: "" if value is None else value,
)

NAMES = ("name", "amount", "missing")
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8), st.just([1, "a"])
)
PIECES = st.one_of(
    st.text(alphabet=" abc.,!\n\tñ}", max_size=6),
    st.sampled_from(NAMES).map(lambda n: "{{ " + n + " }}"),
    st.sampled_from(NAMES).map(lambda n: "{{- " + n + " -}}"),
    st.sampled_from(NAMES).map(lambda n: "{{" + n + "}}"),
)


def jinja(source: str, variables: dict[str, Any]) -> str:
    try:
        return JINJA.from_string(source).render(variables)
    except UndefinedError as error:
        return f"error: unknown variable: {error.message}"


def ours(source: str, variables: dict[str, Any]) -> str:
    try:
        return templates.render(source, variables)
    except TemplateError as error:
        return f"error: {error}"


@given(st.lists(PIECES, max_size=6).map("".join), st.dictionaries(st.sampled_from(NAMES[:2]), VALUES))
def test_plain_substitution_renders_what_jinja_renders(source: str, variables: dict[str, Any]) -> None:
    assert ours(source, variables) == jinja(source, variables)


@pytest.mark.parametrize(
    ("source", "fast"),
    [
        ("Hola {{ name }}, debe {{ amount }} euros.\n", True),
        ("{{ name|upper }}", False),
        ("{{ contact.name }}", False),
        ("{% if vip %}VIP{% endif %}", False),
        ("{{ 'literal' }}", False),
    ],
)
def test_only_text_and_plain_names_take_the_fast_path(source: str, fast: bool) -> None:
    compiled = templates._compiled_template(source)
    assert isinstance(compiled, templates._Substitution) is fast
    variables = {"name": "Ana", "amount": 12, "contact": {"name": "Ana"}, "vip": True}
    assert ours(source, variables) == jinja(source, variables)


def test_a_global_helper_is_found_when_no_variable_has_its_name() -> None:
    templates.register_global("greeting_word", "Hola")
    try:
        assert templates.render("{{ greeting_word }} {{ name }}", {"name": "Ana"}) == "Hola Ana"
        assert templates.render("{{ greeting_word }}", {"greeting_word": "Hi"}) == "Hi"  # a variable wins
    finally:
        templates._ENV.globals.pop("greeting_word")


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x' * 10**10 }}",
        "{{ 10**10 * 'x' }}",
        "{{ [0] * 10**9 }}",
        "{{ 9**(9**9) }}",
        "{{ '%999999999s' % 1 }}",
        "{{ '%.*f' % (10**6, 1) }}",
        "{{ name * n }}",  # the same from variables, at run time
    ],
)
def test_operators_cannot_build_huge_values(source: str) -> None:
    """Review, 2026-12-04: a template could take the call server's memory or CPU with one operator (and Jinja
    worked constant ones out while compiling). Each is refused at once, as a template error of the call."""
    started = time.process_time()
    with pytest.raises(TemplateError, match="not allowed"):
        templates.render(source, {"name": "abc", "n": 10**9})
    assert time.process_time() - started < 0.5


@pytest.mark.parametrize(
    "source",
    [  # review of 2026-12-05: what the operator limits left, each of them ~100 MB or seconds of CPU
        "{{ 'a'.ljust(10**8) }}",
        "{{ 'a'['center'](10**8) }}",
        "{{ '%(a)99999999d' % {'a': 1} }}",
        "{{ '%99999999d'|format(1) }}",
        "{{ '{:>99999999}'.format(1) }}",
        "{{ '{:>{w}}'.format(1, w=n) }}",
        "{{ 'a'|center(99999999) }}",
        "{{ 'a'|indent(99999999, true) }}",
        "{{ ('a'*10000).replace('a', 'a'*10000) }}",
        "{{ ('a'*10000)|replace('a', 'a'*10000) }}",
        "{{ (['a'*100000]*1000)|join }}",
        "{{ ''.join(['a'*100000]*1000) }}",
        "{{ ('\t'*50000).expandtabs(1000) }}",
    ],
)
def test_string_methods_and_filters_cannot_build_huge_values(source: str) -> None:
    started = time.process_time()
    with pytest.raises(TemplateError, match="not allowed"):
        templates.render(source, {"n": 10**8})
    assert time.process_time() - started < 0.5


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("{% for i in x %}{% for j in x %}.{% endfor %}{% endfor %}", "inside another {% for %}"),
        ("{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}", "{% macro %}"),
        ("{% call(x) m() %}{% endcall %}", "{% call %}"),
        ("{% for x in v recursive %}{{ loop(x) }}{% endfor %}", "a recursive {% for %}"),
    ],
)
def test_templates_that_are_programs_are_refused_at_validation_and_at_run(source: str, problem: str) -> None:
    """A loop in a loop over 20,000-character strings ran 7 s on the event loop; a macro that calls itself in a
    loop grows without bound (review of 2026-12-05), and so does a recursive loop over a list holding one list
    twice, twice as long per `{% set %}` (review of 2026-12-05). A simulation runs documents nobody validated:
    refused there too."""
    assert problem in (templates.template_syntax_error(source) or "")
    with pytest.raises(TemplateError, match="not allowed"):
        templates.render(source, {"x": "x" * 20000})


def test_join_by_attribute_counts_the_attribute_not_the_row() -> None:
    """Review of 2026-12-05: the cap sized whole rows, so 1,000 SQL rows joined by one short column were
    refused for a 7,000-character phrase."""
    rows = [{"name": f"n{n:04d}", "blob": "x" * 1000} for n in range(1000)]
    assert len(templates.render("{{ rows|join(',', attribute='name') }}", {"rows": rows})) == 5999


def test_sized_string_methods_and_filters_still_work() -> None:
    variables = {"debts": [120, 30], "name": "ana", "amount": 3.5}
    text = (
        "{{ name.ljust(5) }}|{{ name|center(7) }}|{{ debts|join(', ') }}|{{ ', '.join(['a', 'b']) }}|"
        "{{ '{:>6.2f}'.format(amount) }}|{{ '%(v)05.1f' % {'v': amount} }}|{{ '%4d'|format(7) }}|"
        "{{ name.replace('a', 'A') }}|{{ name|replace('n', 'N') }}|{% for d in debts %}{{ d }};{% endfor %}"
    )
    assert templates.render(text, variables) == "ana  |  ana  |120, 30|a, b|  3.50|003.5|   7|AnA|aNa|120;30;"


def test_ordinary_arithmetic_and_formatting_still_work() -> None:
    variables = {"amount": 3.14159, "n": 2}
    text = "{{ n * 3 }} {{ 'ab' * 3 }} {{ 2 ** 10 }} {{ 9**9**9 }} {{ '%05.2f' % amount }} {{ amount * 2 }}"
    assert templates.render(text, variables) == (
        "6 ababab 1024 196627050475552913618075908526912116283103450944214766927315415537966391196809 03.14 6.28318"
    )
    assert templates.evaluate("n * 2 > 3 and 2 ** 3 == 8", variables) is True


def _doubling(step: str, levels: int = 40, start: str = "[1, 2]") -> str:
    """`{% set v1 = <step of v0> %}` ... : each line doubles what the last one built."""
    lines = "".join(f"{{% set v{n} = {step.format(v=f'v{n - 1}')} %}}" for n in range(1, levels))
    return f"{{% set v0 = {start} %}}{lines}{{{{ v{levels - 1}|length }}}}"


@pytest.mark.parametrize(
    "source",
    [  # review of 2026-12-05: each operator was bounded, what they build together was not (~100 MB or hours)
        "{{ [('a' * 100000)] * 1000 }}",
        "{% for x in 'a' * 1000 %}{{ 'b' * 100000 }}{% endfor %}",
        "{% for x in 'a' * 5000 %}{{ 'b' * 50 }}{% endfor %}",
        "{{ ('a ' * 1000) | wordwrap(1, true, '-' * 100000) }}",
        _doubling("{v} * {v}", start="3"),
        _doubling("{v} ~ {v}", start="'x' * 1000"),
        _doubling("{v} + {v}"),
        _doubling("[{v}, {v}]", start="[[], []]"),
        _doubling("dict(a={v}, b={v})"),
        "{{ ('{0}' * 30000).format('a' * 99999) }}",
        "{{ ('%(a)s' * 20000) % {'a': 'x' * 99999} }}",
        "{{ ('%99999s' * 14) % (('x',) * 14) }}",
        "{{ ('aaaa' * 25000).translate({97: 'x' * 1000}) }}",
        "{{ {}.fromkeys('abcdefghij' * 1000, 'x' * 1000) }}",
        "{{ 'a'.encode().ljust(10**8) }}",
        "{{ [1]|batch(100000, 'x' * 99999)|list }}",
        "{{ ('<' * 99999)|forceescape|forceescape|forceescape }}",
        "{{ ('a ' * 40000)|urlize(target='x' * 99999) }}",
        "{{ [1, 2, 3]|tojson(99999) }}",
        "{{ ('é' * 50000).encode('unicode_escape').decode().encode('unicode_escape').decode() }}",
        "{% for c in 'a' * 99999 %}{% if c == 'b' %}x{% endif %}{% endfor %}",  # work without output
        "{% set x %}{% for i in 'a' * 50000 %}{{ text }}{% endfor %}{% endset %}{{ x|length }}",
        # Review of 2026-12-05: slice(n) builds n lists with no fill value too (9 s and 720 MB at 10**7), and sum over
        # lists from start=[] is quadratic in their count (7 s for 90,000).
        "{{ ('a'|slice(3000000)|list)[0] }}",
        "{{ (('a' * 40000)|batch(1)|sum(start=[]))|length }}",
    ],
)
def test_what_a_template_builds_in_all_is_bounded(source: str) -> None:
    started = time.process_time()
    with pytest.raises(TemplateError, match="not allowed"):
        templates.render(source, {"text": "y" * 50000})
    assert time.process_time() - started < 0.5


def test_the_work_budget_counts_steps_not_time() -> None:
    """A loop item costs ITEM_COST units plus its body: an empty loop runs MAX_WORK // ITEM_COST items, always."""
    items = templates.MAX_WORK // templates.ITEM_COST
    assert templates.render("{% for c in s %}{% endfor %}.", {"s": "a" * items}) == "."
    with pytest.raises(TemplateError, match="units of work"):
        templates.render("{% for c in s %}{% endfor %}.", {"s": "a" * (items + 1)})


@pytest.mark.parametrize(
    ("source", "counted"),
    [
        ("{{ contact.name }}, {{ money(x, 'EUR', language)|default('') }}", False),
        ("{% if vip %}{{ name|upper }}{% endif %}", False),
        ("{% for d in debts %}{{ d }}{% endfor %}", True),
        ("{% set full = name ~ '!' %}{{ full }}", True),
        ("{{ name|center(9) }}", True),
    ],
)
def test_only_templates_that_can_build_are_counted(source: str, counted: bool) -> None:
    """Phrases that only substitute values, test them or call a helper render as Jinja compiles them."""
    assert isinstance(templates._compiled_template(source), templates._Program) is counted


def test_loops_sets_and_written_lists_still_render() -> None:
    rows = [{"name": f"n{n:04d}"} for n in range(1000)]
    text = (
        "{% set who = [name, 'y'] %}{{ who|join(' ') ~ '.' }} {{ dict(k=name) }} {{ [1, 2] + [3] }} "
        "{% for r in rows if r.name.endswith('1') %}{{ loop.index }}={{ r.name }};{% else %}none{% endfor %}"
    )
    out = templates.render(text, {"name": "Ana", "rows": rows})
    assert out.startswith("Ana y. {'k': 'Ana'} [1, 2, 3] 1=n0001;2=n0011;") and out.endswith("100=n0991;")


def test_an_expression_is_bounded_like_a_template() -> None:
    """Review of 2026-12-05: a Condition's expression ran the same unbounded slice for 7.5 s."""
    started = time.process_time()
    with pytest.raises(TemplateError, match="not allowed"):
        templates.evaluate("('a'|slice(3000000)|list)|length > 0", {})
    assert time.process_time() - started < 0.5


def test_sum_and_slice_still_do_what_phrases_need() -> None:
    source = "{{ debts|sum(attribute='amount') }} {{ [1.5, 2]|sum(start=1) }} {{ 'abcdef'|slice(3)|list }}"
    assert (
        templates.render(source, {"debts": [{"amount": 2}, {"amount": 3}]})
        == "5 4.5 [['a', 'b'], ['c', 'd'], ['e', 'f']]"
    )
