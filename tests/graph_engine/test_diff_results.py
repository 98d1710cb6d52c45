"""The diff of a scenario's declared call results, and of settings the designer's form filled in with their defaults.

Review (a Spanish analyst and supervisor): changing only a result's label published as "no changes" (`empty`,
«Sin cambios» in Versions), yet every past call then read the new label; and the version that added menu keys
listed `allow_star`, `max_length`, `mode`... as changed from nothing to their defaults, which the form had filled
in and which the engine reads the same when absent.
"""

from __future__ import annotations

import copy
from typing import Any

from graph_engine.diff import diff_documents
from graph_engine.registry import BlockRegistry

PAY = {"code": "will_pay", "label": "Pagará", "description": "Pulsó 1 y confirmó la fecha"}
NO_RESPONSE = {"code": "no_response", "label": "Sin respuesta"}


def _doc(results: list[dict[str, str]] | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": "ivrgraph.scenario/1",
        "name": "Cobros",
        "nodes": [
            {"id": "start", "type": "start", "config": {}},
            {
                "id": "menu",
                "type": "ivr",
                "label": "Menú",
                "config": {"prompt": {"text": "Pulse 1"}, "options": [{"key": "1"}]},
            },
            {"id": "bye", "type": "hangup", "config": {"result": "will_pay"}},
        ],
        "edges": [
            {"source": "start", "exit": "next", "target": "menu"},
            {"source": "menu", "exit": "1", "target": "bye"},
        ],
    }
    if results is not None:
        document["results"] = copy.deepcopy(results)
    return document


def test_a_new_label_alone_is_a_change_every_past_call_will_read() -> None:
    before, after = _doc([PAY, NO_RESPONSE]), _doc([{**PAY, "label": "Pagará el lunes"}, NO_RESPONSE])
    diff = diff_documents(before, after)
    assert not diff.empty
    assert diff.changes() == [
        {"kind": "result_relabelled", "code": "will_pay", "before": "Pagará", "after": "Pagará el lunes"}
    ]
    assert diff.summary() == ['result "will_pay" now reads "Pagará el lunes" (was "Pagará")']
    assert diff.as_dict()["empty"] is False


def test_results_added_removed_and_described_anew_are_each_told() -> None:
    before = _doc([PAY, NO_RESPONSE])
    after = _doc([{**PAY, "description": "Pulsó 1"}, {"code": "operator", "label": "Operador"}])
    assert diff_documents(before, after).changes() == [
        {"kind": "result_description_changed", "code": "will_pay", "before": PAY["description"], "after": "Pulsó 1"},
        {"kind": "result_added", "code": "operator", "before": None, "after": "Operador"},
        {"kind": "result_removed", "code": "no_response", "before": "Sin respuesta", "after": None},
    ]
    assert diff_documents(before, after).summary() == [
        'description of result "will_pay" changed',
        'result "operator" added: "Operador"',
        'result "no_response" removed (was "Sin respuesta")',
    ]


def test_a_description_too_long_to_show_is_only_said_to_have_changed() -> None:
    before, after = _doc([PAY]), _doc([{**PAY, "description": "x" * 500}])
    assert diff_documents(before, after).changes() == [
        {"kind": "result_description_changed", "code": "will_pay", "before": None, "after": None}
    ]
    written = diff_documents(_doc([NO_RESPONSE]), _doc([{**NO_RESPONSE, "description": "Colgó"}])).changes()
    assert written == [{"kind": "result_description_changed", "code": "no_response", "before": None, "after": "Colgó"}]


def test_results_in_another_order_or_as_they_were_are_no_change() -> None:
    assert diff_documents(_doc([PAY, NO_RESPONSE]), _doc([NO_RESPONSE, PAY])).empty
    assert diff_documents(_doc([]), _doc()).empty  # none declared either way


def test_the_first_version_declares_its_results() -> None:
    kinds = [(c["kind"], c.get("code")) for c in diff_documents(None, _doc([PAY])).changes() if "code" in c]
    assert kinds == [("result_added", "will_pay")]


def test_malformed_results_are_read_as_far_as_they_go() -> None:
    broken = _doc()
    broken["results"] = [None, {"code": 7}, {"label": "x"}, {"code": "will_pay", "label": 3}, PAY]
    assert diff_documents(_doc([PAY]), broken).empty  # the first well-formed `will_pay` with a label wins
    assert diff_documents(_doc([PAY]), {**_doc(), "results": "no"}).changes()[0]["kind"] == "result_removed"


def _ivr(document: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = document["nodes"][1]
    return node


def test_settings_the_form_filled_in_with_their_defaults_are_no_change(registry: BlockRegistry) -> None:
    before, after = _doc(), _doc()
    filled = _ivr(after)["config"]
    filled.update(mode="menu", timeout=5, max_tries=3, split_failures=False, min_length=1, max_length=10,
                  terminator="#", allow_star=False)  # fmt: skip
    filled["options"].append({"key": "2"})
    changes = diff_documents(before, after, registry=registry).changes()
    assert [c["kind"] for c in changes] == ["keys_added"]
    # Without the blocks' schemas nobody knows what a default is: every field is told, as before.
    assert (
        "allow_star"
        in next(c for c in diff_documents(before, after).changes() if c["kind"] == "block_changed")["fields"]
    )


def test_a_setting_changed_from_its_default_reads_the_default_before(registry: BlockRegistry) -> None:
    before, after = _doc(), _doc()
    _ivr(after)["config"].update(timeout=8, allow_star=False)
    [change] = diff_documents(before, after, registry=registry).changes()
    assert (change["kind"], change["fields"]) == ("block_changed", ["timeout"])
    assert change["values"] == [{"field": "timeout", "before": 5, "after": 8}]
    # Back to its default value, written or left out: no change either way.
    assert diff_documents(after, {**after, "nodes": [*before["nodes"]]}, registry=registry).changes()[0]["values"] == [
        {"field": "timeout", "before": 8, "after": 5}
    ]


def test_a_list_rows_defaults_are_no_change_either(registry: BlockRegistry) -> None:
    def assigning(item: dict[str, Any]) -> dict[str, Any]:
        document = _doc()
        document["nodes"].append({"id": "set", "type": "set_variable", "config": {"assignments": [item]}})
        return document

    plain, filled = (
        {"variable": "result", "value": "will_pay"},
        {"variable": "result", "value": "will_pay", "mode": "text"},
    )
    assert diff_documents(assigning(plain), assigning(filled), registry=registry).empty
    assert not diff_documents(assigning(plain), assigning({**filled, "mode": "expression"}), registry=registry).empty


def test_unknown_blocks_and_odd_configs_diff_as_written(registry: BlockRegistry) -> None:
    before, after = _doc(), _doc()
    for document in (before, after):
        document["nodes"].append({"id": "p", "type": "no_such_block", "config": {"x": 1}})
    after["nodes"][-1]["config"] = {"x": 1, "y": 2}
    _ivr(after)["config"]["options"] = "1"
    diff_documents(before, after, registry=registry).as_dict()  # no exception
    assert {c["node"] for c in diff_documents(before, after, registry=registry).changes() if "node" in c} >= {"p"}
