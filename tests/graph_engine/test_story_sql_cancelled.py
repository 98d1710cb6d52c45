"""A call's story tells an SQL lookup the caller hung up during (its `sql` event has `cancelled`, no `rows`)."""

from __future__ import annotations

from blocks import default_registry
from graph_engine.story import _describe
from graph_engine.trace import new_step


def test_a_lookup_the_caller_hung_up_during_is_told_without_rows() -> None:
    step = new_step(0, "lookup", "sql", "Find debt", "2026-12-06T10:00:00+00:00")
    step.events.append({"kind": "sql", "source": "crm", "cancelled": True, "elapsed_ms": 1840})
    step.exit = "hangup"

    told = _describe(step, default_registry())

    assert "looked up crm: hung up after 1840 ms" in told


def test_a_lookup_that_ran_is_told_with_its_rows() -> None:
    step = new_step(0, "lookup", "sql", "Find debt", "2026-12-06T10:00:00+00:00")
    step.events.append({"kind": "sql", "source": "crm", "rows": 2})

    assert "looked up crm: 2 row(s)" in _describe(step, default_registry())
