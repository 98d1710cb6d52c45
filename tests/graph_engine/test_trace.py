"""The trace's fast step constructor must build exactly what the TraceStep dataclass builds."""

from __future__ import annotations

from dataclasses import fields

from graph_engine.trace import TraceStep, new_step

ARGS = (3, "menu", "ivr", "Main menu", "2026-12-04T13:00:00.000001+00:00")


def test_new_step_sets_every_field_as_the_dataclass_does() -> None:
    fast, built = new_step(*ARGS), TraceStep(*ARGS)
    # Reading each field also fails (AttributeError on an empty slot) when a field is added to TraceStep only.
    assert {f.name: getattr(fast, f.name) for f in fields(TraceStep)} == {
        f.name: getattr(built, f.name) for f in fields(TraceStep)
    }
    assert fast == built


def test_each_step_gets_its_own_lists_and_dicts() -> None:
    first, second = new_step(*ARGS), new_step(*ARGS)
    first.prompts.append({"audio": "a"})
    first.events.append({"kind": "answered"})
    first.variables_changed["x"] = 1
    assert (second.prompts, second.events, second.variables_changed) == ([], [], {})
