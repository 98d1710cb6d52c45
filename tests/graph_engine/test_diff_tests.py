"""The diff names the scenario tests (`meta.tests`) a publish adds, removes or changes: a test changes no call, but
removing a failing one got a publish past the test gate with a diff that said "no changes" (QA review)."""

from __future__ import annotations

from typing import Any

from graph_engine.diff import diff_documents

FAILING = {"name": "anonymous caller cannot be called back", "expect": {"path": ["start", "menu"]}}
PAYS = {"name": "pays", "keys": ["1"], "expect": {"visits": ["menu"]}}
HANGS_UP = {"name": "hangs up", "hangup_at": 1, "expect": {"outcome": "hung_up"}}


def _doc(tests: list[Any] | None, **meta: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": "ivrgraph.scenario/1",
        "name": "Hotline",
        "nodes": [{"id": "start", "type": "start", "config": {}}, {"id": "menu", "type": "ivr", "config": {}}],
        "edges": [{"source": "start", "exit": "next", "target": "menu"}],
        "meta": dict(meta),
    }
    if tests is not None:
        document["meta"]["tests"] = tests
    return document


def test_removing_tests_is_a_change_naming_each() -> None:
    diff = diff_documents(_doc([FAILING, PAYS, HANGS_UP]), _doc([PAYS]))
    assert not diff.empty
    assert diff.as_dict()["empty"] is False
    assert diff.changes() == [
        {"kind": "tests_removed", "tests": ["anonymous caller cannot be called back", "hangs up"]}
    ]
    assert diff.summary() == ['removed tests: "anonymous caller cannot be called back", "hangs up"']


def test_added_and_changed_tests_are_named() -> None:
    changed = {**PAYS, "expect": {"visits": ["menu"], "outcome": "hung_up"}}
    diff = diff_documents(_doc([PAYS]), _doc([changed, HANGS_UP]))
    assert diff.changes() == [
        {"kind": "tests_added", "tests": ["hangs up"]},
        {"kind": "tests_changed", "tests": ["pays"]},
    ]
    assert diff.summary() == ['added test: "hangs up"', 'changed test: "pays"']


def test_reordered_tests_and_other_meta_are_no_change() -> None:
    before = _doc([PAYS, HANGS_UP], layout={"direction": "LR"})
    after = _doc([HANGS_UP, PAYS], layout={"direction": "TB"}, notes="moved things around")
    assert diff_documents(before, after).empty


def test_a_test_without_a_name_is_named_by_its_place() -> None:
    unnamed = {"expect": {"outcome": "hung_up"}}
    assert diff_documents(_doc([PAYS]), _doc([PAYS, unnamed])).changes() == [
        {"kind": "tests_added", "tests": ["test 2"]}
    ]


def test_a_name_given_twice_counts_each_test() -> None:
    twin = {**PAYS, "keys": ["2"]}
    diff = diff_documents(_doc([PAYS, twin]), _doc([PAYS]))
    assert diff.changes() == [{"kind": "tests_removed", "tests": ["pays"]}]


def test_no_tests_either_way_or_malformed_meta_is_no_change() -> None:
    assert diff_documents(_doc(None), _doc([])).empty
    broken = _doc(None)
    broken["meta"] = "not an object"
    assert diff_documents(_doc(None), broken).empty


def test_the_first_version_adds_its_tests() -> None:
    kinds = [change for change in diff_documents(None, _doc([PAYS])).changes() if change["kind"].startswith("tests_")]
    assert kinds == [{"kind": "tests_added", "tests": ["pays"]}]
