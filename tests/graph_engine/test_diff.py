from __future__ import annotations

import copy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from graph_engine.diff import diff_documents


def _doc() -> dict[str, Any]:
    return {
        "format": "ivrgraph.scenario/1",
        "name": "Hotline",
        "nodes": [
            {"id": "start", "type": "start", "config": {}, "position": {"x": 0, "y": 0}},
            {
                "id": "menu",
                "type": "ivr",
                "label": "Main menu",
                "config": {"prompt": {"text": "Press 1 or 2"}, "options": [{"key": "1"}, {"key": "2"}]},
            },
            {"id": "sales", "type": "transfer", "config": {"target": "PJSIP/200"}},
            {"id": "bye", "type": "hangup", "config": {}},
        ],
        "edges": [
            {"source": "start", "exit": "next", "target": "menu"},
            {"source": "menu", "exit": "1", "target": "sales"},
            {"source": "menu", "exit": "2", "target": "bye"},
        ],
    }


def test_identical_documents_have_no_changes() -> None:
    diff = diff_documents(_doc(), _doc())
    assert diff.empty and diff.summary() == []


def test_moving_blocks_on_the_canvas_is_no_change() -> None:
    moved = _doc()
    moved["nodes"][0]["position"] = {"x": 500, "y": 90}
    moved["viewport"] = {"x": 1, "y": 2, "zoom": 0.5}
    assert diff_documents(_doc(), moved).empty


def test_first_publish_adds_every_block() -> None:
    diff = diff_documents(None, _doc())
    assert [b.id for b in diff.blocks_added] == ["start", "menu", "sales", "bye"]
    assert diff.destinations_changed == []  # the wiring of new blocks is part of adding them
    # Review, 2026-12-05: version 1's publish dialog listed "name changed", "language changed"... from nothing.
    assert diff.settings_changed == []


def test_prompt_keys_and_destinations() -> None:
    after = _doc()
    menu = after["nodes"][1]
    menu["config"]["prompt"] = {"text": "Press 1, 2 or 3"}
    menu["config"]["options"] = [{"key": "1"}, {"key": "3"}]
    after["nodes"].append({"id": "support", "type": "transfer", "config": {"target": "PJSIP/300"}})
    after["edges"] = [
        {"source": "start", "exit": "next", "target": "menu"},
        {"source": "menu", "exit": "1", "target": "bye"},
        {"source": "menu", "exit": "3", "target": "support"},
    ]
    diff = diff_documents(_doc(), after)
    assert [(b.id, b.type) for b in diff.blocks_added] == [("support", "transfer")]
    assert [(p.node, p.field, p.after) for p in diff.prompts_changed] == [
        ("menu", "prompt", {"text": "Press 1, 2 or 3"})
    ]
    assert [(k.node, k.added, k.removed) for k in diff.keys_changed] == [("menu", ["3"], ["2"])]
    assert [(d.exit, d.before, d.after) for d in diff.destinations_changed] == [
        ("1", "sales", "bye"),
        ("2", "bye", None),
        ("3", None, "support"),
    ]
    assert [c.fields for c in diff.blocks_changed] == [["options", "prompt"]]
    summary = diff.as_dict()["summary"]
    assert 'exit "3" of "menu" now leads to support (was nowhere)' in summary


def test_removed_block_takes_its_exits_with_it() -> None:
    after = _doc()
    after["nodes"] = [n for n in after["nodes"] if n["id"] != "sales"]
    after["edges"] = [e for e in after["edges"] if e["target"] != "sales"]
    diff = diff_documents(_doc(), after)
    assert [b.id for b in diff.blocks_removed] == ["sales"]
    assert [(d.node, d.exit, d.after) for d in diff.destinations_changed] == [("menu", "1", None)]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=15,
)


@given(json_values, json_values)
def test_any_json_gives_a_diff_never_an_exception(before: Any, after: Any) -> None:
    diff_documents(before, after).as_dict()


@given(json_values)
def test_a_document_mutated_anywhere_still_diffs(noise: Any) -> None:
    broken = copy.deepcopy(_doc())
    broken["nodes"].append(noise)
    broken["edges"].append(noise)
    assert diff_documents(_doc(), broken).blocks_removed == []  # what was there is still seen


def _with_schedule(hours: list[dict[str, Any]]) -> dict[str, Any]:
    document = _doc()
    document["nodes"].append(
        {"id": "hours", "type": "schedule", "label": "Часы работы", "config": {"hours": hours, "timezone": "UTC"}}
    )
    document["edges"].append({"source": "hours", "exit": "open", "target": "menu"})
    return document


def test_a_schedules_new_hours_are_in_the_summary() -> None:
    # Review, 2026-12 (Russian analyst): v2 changed the schedule's hours and its publish summary did not say so.
    before = _with_schedule([{"days": ["mon"], "from": "09:00", "to": "18:00"}])
    after = _with_schedule([{"days": ["mon"], "from": "08:00", "to": "20:00"}])
    data = diff_documents(before, after).as_dict()
    assert data["changes"] == [
        {"kind": "block_changed", "node": "hours", "label": "Часы работы", "type": "schedule"}
        | {"fields": ["hours"], "values": []}
    ]
    assert data["summary"] == ['block "Часы работы" (schedule) changed: hours']


def test_each_change_is_data_a_client_can_word_in_its_language() -> None:
    after = _doc()
    menu = after["nodes"][1]
    menu["config"]["prompt"] = {"text": "Press 1, 2 or 3"}
    menu["config"]["options"] = [{"key": "1"}, {"key": "3"}]
    after["nodes"][2]["config"]["target"] = "PJSIP/201"
    after["nodes"].append({"id": "support", "type": "transfer", "label": "Оператор", "config": {"target": "PJSIP/3"}})
    after["edges"] = [
        {"source": "start", "exit": "next", "target": "menu"},
        {"source": "menu", "exit": "1", "target": "sales"},
        {"source": "menu", "exit": "3", "target": "support"},
    ]
    after["language"] = "ru"
    changes = diff_documents(_doc(), after).changes()
    menu_ref = {"node": "menu", "label": "Main menu", "type": "ivr"}
    assert changes == [
        {"kind": "block_added", "node": "support", "label": "Оператор", "type": "transfer"},
        {"kind": "prompt_changed", **menu_ref, "field": "prompt", "before": "Press 1 or 2", "after": "Press 1, 2 or 3"},
        {"kind": "keys_added", **menu_ref, "keys": ["3"]},
        {"kind": "keys_removed", **menu_ref, "keys": ["2"]},
        {"kind": "exit_changed", **menu_ref, "exit": "2", "before": "bye", "after": None}
        | {"before_label": "", "after_label": None},
        {"kind": "exit_changed", **menu_ref, "exit": "3", "before": None, "after": "support"}
        | {"before_label": None, "after_label": "Оператор"},
        # The prompt and keys are told above; the transfer's new number is told here, else nowhere.
        {"kind": "block_changed", "node": "sales", "label": "", "type": "transfer", "fields": ["target"]}
        | {"values": [{"field": "target", "before": "PJSIP/200", "after": "PJSIP/201"}]},
        {"kind": "setting_changed", "field": "language"},
    ]
    summary = diff_documents(_doc(), after).summary()
    assert 'exit "3" of "menu" now leads to support (was nowhere)' in summary
    assert 'block "sales" (transfer) changed: target' in summary
    assert "scenario setting 'language' changed" in summary


def test_a_long_prompt_is_only_said_to_have_changed() -> None:
    after = _doc()
    after["nodes"][1]["config"]["prompt"] = {"text": "x" * 500}
    [change] = [c for c in diff_documents(_doc(), after).changes() if c["kind"] == "prompt_changed"]
    assert (change["before"], change["after"]) == ("Press 1 or 2", None)


def test_a_kept_keys_new_meaning_is_told_even_when_keys_were_added() -> None:
    # Review, 2026-12 (Russian analyst): key 2 went from «Поддержка» to «Техподдержка» in the publish that added
    # key 9; the publish dialog listed the new key and nothing of the renamed one.
    before, after = _doc(), _doc()
    before["nodes"][1]["config"]["options"] = [{"key": "1"}, {"key": "2", "label": "Поддержка"}]
    after["nodes"][1]["config"]["options"] = [{"key": "1"}, {"key": "2", "label": "Техподдержка"}, {"key": "9"}]
    changes = diff_documents(before, after).changes()
    menu_ref = {"node": "menu", "label": "Main menu", "type": "ivr"}
    assert {"kind": "keys_added", **menu_ref, "keys": ["9"]} in changes
    assert {"kind": "key_changed", **menu_ref, "key": "2", "before": "Поддержка", "after": "Техподдержка"} in changes
    assert 'key "2" of "menu" now means "Техподдержка" (was "Поддержка")' in diff_documents(before, after).summary()


def test_a_keys_new_meaning_alone_is_told_as_that_key() -> None:
    before, after = _doc(), _doc()
    after["nodes"][1]["config"]["options"] = [{"key": "1", "label": "Продажи"}, {"key": "2"}]
    assert [c for c in diff_documents(before, after).changes() if c["node"] == "menu"] == [
        {"kind": "key_changed", "node": "menu", "label": "Main menu", "type": "ivr", "key": "1"}
        | {"before": None, "after": "Продажи"}
    ]


def test_a_changed_short_setting_carries_its_values_before_and_after() -> None:
    # Review, 2026-12: «изменён блок «Оператор» (Перевод): Куда» said which field, not what it now is.
    before, after = _with_schedule([{"days": ["mon"], "from": "09:00", "to": "18:00"}]), _doc()
    after = _with_schedule([{"days": ["mon"], "from": "08:00", "to": "18:00"}])
    after["nodes"][2]["config"]["target"] = "PJSIP/201"
    after["nodes"][2]["config"]["timeout"] = 30
    after["nodes"][2]["label"] = "Оператор"
    after["nodes"][4]["config"]["timezone"] = "x" * 61
    by_node = {c["node"]: c for c in diff_documents(before, after).changes() if c["kind"] == "block_changed"}
    assert by_node["sales"]["fields"] == ["label", "target", "timeout"]
    assert by_node["sales"]["values"] == [
        {"field": "label", "before": None, "after": "Оператор"},
        {"field": "target", "before": "PJSIP/200", "after": "PJSIP/201"},
        {"field": "timeout", "before": None, "after": 30},
    ]
    # Lists, objects and long text are only named.
    assert by_node["hours"]["fields"] == ["hours", "timezone"]
    assert by_node["hours"]["values"] == []
