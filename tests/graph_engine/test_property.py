"""Property: whatever document arrives, validation returns issues or passes, and never raises."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph_engine.document import load_json
from graph_engine.errors import DocumentError
from graph_engine.issues import Issue
from graph_engine.validation import validate
from tests.conftest import BUILTIN_BLOCK_TYPES

BLOCK_TYPES = [*BUILTIN_BLOCK_TYPES, "nonexistent"]
EXITS = ["next", "1", "2", "max_tries", "found", "not_found", "open", "closed", "true", "false", "error", "hangup"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
node_ids = st.sampled_from(["start", "a", "b", "c", "d"])
configs = st.fixed_dictionaries(
    {},
    optional={
        "text": st.text(max_size=30) | st.sampled_from(["{{ x }}", "{{", "{% for %}", "{{ a.__class__ }}"]),
        "prompt": st.sampled_from([{"text": "hola"}, {"audio": "x"}, {}, {"audio": "../x"}]),
        "options": st.lists(st.fixed_dictionaries({"key": st.sampled_from(["1", "2", "#", "x"])}), max_size=3),
        "expression": st.sampled_from(["x > 1", "{{ y }}", "((", ""]),
        "target": node_ids | st.text(max_size=5),
        "query": st.sampled_from(["SELECT 1 WHERE a = :caller_id", "x; y"]),
        "source": st.just("crm"),
        "hours": st.just([{"days": ["mon"], "from": "09:00", "to": "18:00"}]),
        "timezone": st.sampled_from(["Europe/Madrid", "Mars/Olympus"]),
        "assignments": st.just([{"variable": "x", "value": "1"}]),
        "cases": st.lists(st.fixed_dictionaries({"exit": st.sampled_from(["a", "default"]), "equals": st.just("1")})),
        "value": st.just("x"),
        "scenario": st.sampled_from(["main", "other"]),
        "mode": st.sampled_from(["menu", "capture", "weird"]),
        "junk": json_values,
    },
)
nodes = st.fixed_dictionaries(
    {"id": node_ids, "type": st.sampled_from(BLOCK_TYPES), "config": configs},
    optional={"label": st.text(max_size=10), "version": st.integers(min_value=1, max_value=3)},
)
edges = st.fixed_dictionaries({"source": node_ids, "exit": st.sampled_from(EXITS), "target": node_ids})
documents = st.fixed_dictionaries(
    {
        "format": st.just("ivrgraph.scenario/1"),
        "name": st.just("fuzz"),
        "nodes": st.lists(nodes, max_size=7),
        "edges": st.lists(edges, max_size=10),
    },
    optional={"fallback": node_ids | st.none(), "variables": st.just([{"name": "x"}])},
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_random_documents_give_issues_never_exceptions(registry, document):
    issues = validate(document, registry, known_scenarios={"main"})
    assert all(isinstance(issue, Issue) for issue in issues)
    assert all(issue.code != "internal" for issue in issues), issues


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_random_json_values_give_issues_never_exceptions(registry, value):
    issues = validate(value, registry)
    assert issues and all(issue.code == "structure" for issue in issues)


@given(st.binary(max_size=200))
def test_random_bytes_are_refused_with_a_typed_error(data):
    try:
        load_json(data)
    except DocumentError:
        pass


def test_valid_json_round_trips():
    assert load_json(json.dumps({"a": 1}).encode()) == {"a": 1}


def test_a_key_written_twice_is_refused_naming_it_wherever_it_is():
    """A hand-edited scenario's node with two "config" objects lost the first one without a word."""
    text = '{"nodes": [{"id": "menu", "config": {"prompt": "a"}, "config": {"prompt": "b"}}], "name": "Меню"}'
    with pytest.raises(DocumentError) as refused:
        load_json(text)
    assert str(refused.value) == 'key "config" is written twice in one object; keep one'
    assert load_json('{"a": {"x": 1}, "b": {"x": 2}}') == {"a": {"x": 1}, "b": {"x": 2}}  # the same key, two objects
