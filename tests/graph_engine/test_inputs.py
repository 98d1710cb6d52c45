"""What a scenario reads that a call list's columns must give it (graph_engine.inputs, templates.fields_read)."""

from __future__ import annotations

from blocks import default_registry
from graph_engine import templates
from graph_engine.inputs import scenario_inputs
from tests.persistence import documents


def test_a_template_needs_the_fields_it_reads_unguarded() -> None:
    source = (
        "{{ contact.name }} {{ contact['city'] }} {{ contact.note | default('') }} {{ contact.get('vip') }}"
        "{% if contact.age is defined %}{{ contact.age }}{% endif %}{% for c in items %}{{ c.x }}{% endfor %}"
    )
    assert templates.fields_read(source) == {("contact", "name"), ("contact", "city")}
    assert templates.fields_read("contact.name", expression=True) == {("contact", "name")}
    assert templates.fields_read("{{ broken") == frozenset()


def test_a_scenario_says_what_it_reads_and_what_it_sets() -> None:
    document = documents.greeting("Hola {{ contact.name }}, {{ debt_amount }}")
    inputs = scenario_inputs(document, default_registry())
    assert {"contact", "debt_amount"} <= inputs.read
    assert inputs.fields == {"contact": frozenset({"name"})}
