"""The interpreter walks a graph on the scripted channel; nothing a call does escapes it."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

import pytest

from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.document import parse_document
from graph_engine.interpreter import run_call
from graph_engine.registry import BlockRegistry
from graph_engine.scripted import ScriptedChannel
from graph_engine.services import Services, StaticDataSources
from graph_engine.trace import CallOutcome
from tests.conftest import example_slugs, make_document


class Explodes(BlockType):
    type = "explodes"
    title = "Explodes"

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        raise RuntimeError("kaboom")


class LiesAboutExits(BlockType):
    type = "liar"
    title = "Liar"

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        return "nonsense"


@pytest.fixture
def test_registry(registry) -> BlockRegistry:
    extended = BlockRegistry.of([Explodes, LiesAboutExits])
    for block in registry:
        extended.register(type(block), origin="builtin")
    return extended


async def run(document: dict[str, Any], registry: BlockRegistry, channel: ScriptedChannel | None = None, **kw: Any):
    channel = channel or ScriptedChannel()
    return await run_call(parse_document(document), channel, registry, kw.pop("services", None), **kw), channel


async def test_failing_block_takes_its_error_exit(test_registry):
    doc = make_document(
        [{"id": "start", "type": "start"}, {"id": "x", "type": "explodes"}, {"id": "bye", "type": "hangup"}],
        [("start", "next", "x"), ("x", "error", "bye")],
    )
    result, _ = await run(doc, test_registry)
    assert result.path == ["start", "x", "bye"]
    assert result.steps[1].exit == "error"
    assert "kaboom" in (result.steps[1].error or "")
    assert result.outcome is CallOutcome.HUNG_UP


async def test_a_failing_block_is_logged_with_the_call_id(test_registry, caplog):
    """Review of 2026-12-05: the block's traceback, the most useful line of a failed call, carried the id only at
    its end, so `grep call_id=<id>` and JSON logs filtered on `call_id` missed it."""
    doc = make_document([{"id": "start", "type": "start"}, {"id": "x", "type": "explodes"}], [("start", "next", "x")])
    with caplog.at_level(logging.WARNING, logger="graph_engine.interpreter"):
        await run(doc, test_registry, call_id="c0ffee")
    (line,) = [r for r in caplog.records if r.exc_info]
    assert line.getMessage() == "call_id=c0ffee block x (explodes) failed"
    assert line.call_id == "c0ffee" and "kaboom" in caplog.text  # type: ignore[attr-defined]


async def test_failing_block_without_error_exit_goes_to_the_fallback(test_registry):
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "x", "type": "explodes"},
            {"id": "sorry", "type": "say_phrase", "config": {"text": "Lo sentimos"}},
        ],
        [("start", "next", "x")],
        fallback="sorry",
    )
    result, channel = await run(doc, test_registry)
    assert result.path == ["start", "x", "sorry"]
    assert result.steps[1].events == [{"kind": "fallback", "target": "sorry"}]
    assert result.outcome is CallOutcome.ENDED
    assert channel.events[-1].op == "hangup"


async def test_failing_block_with_nowhere_to_go_ends_politely(test_registry):
    doc = make_document([{"id": "start", "type": "start"}, {"id": "x", "type": "liar"}], [("start", "next", "x")])
    result, channel = await run(doc, test_registry)
    assert result.outcome is CallOutcome.FAILED
    assert "does not declare" in (result.error or "")
    assert channel.hung_up


async def test_step_limit_stops_a_runaway_graph(registry):
    doc = make_document(
        [{"id": "start", "type": "start"}, {"id": "say", "type": "say_phrase", "config": {"text": "otra vez"}}],
        [("start", "next", "say"), ("say", "next", "say")],
    )
    result, channel = await run(doc, registry, step_limit=50)
    assert result.outcome is CallOutcome.STEP_LIMIT
    assert len(result.steps) == 50
    assert channel.hung_up


@pytest.mark.parametrize("slug", example_slugs())
async def test_hangup_at_every_operation_of_every_example(registry, load_example, slug):
    """Whatever the moment the caller hangs up, the walk ends cleanly and the trace says where."""
    doc = load_example(slug)
    scenario = parse_document(doc)
    services = Services(data_sources=StaticDataSources({"staff": []}))
    full = await run_call(scenario, ScriptedChannel(["1"]), registry, services)
    for operation in range(12):
        channel = ScriptedChannel(["1"], hangup_at=operation)
        result = await run_call(scenario, channel, registry, Services(data_sources=StaticDataSources({"staff": []})))
        if channel.operations <= operation:  # the call was over before this operation
            assert result.outcome == full.outcome
            continue
        assert result.outcome is CallOutcome.CALLER_HANGUP, (slug, operation, result.outcome)
        assert "hangup" in [step.exit for step in result.steps]
        assert result.ended_at >= result.started_at


async def test_hangup_exit_runs_bookkeeping_then_stops(registry, load_example):
    result, _ = await run(
        load_example("missed-call"), registry, ScriptedChannel(hangup_at=2), facts={"caller_id": "+34600111222"}
    )
    assert result.path == ["start", "hello", "queue", "note", "later"]  # "promise" needs the line: not run
    assert result.variables["callback_job_id"] == "sim-1"
    assert result.outcome is CallOutcome.CALLER_HANGUP
    assert result.variables["missed_reason"] == "abandoned"


async def test_runtime_template_error_takes_the_error_exit(registry):
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "say", "type": "say_phrase", "config": {"text": "Hola {{ nobody.name }}"}},
            {"id": "bye", "type": "hangup"},
        ],
        [("start", "next", "say"), ("say", "error", "bye")],
    )
    result, _ = await run(doc, registry)
    assert result.steps[1].exit == "error"
    assert "nobody" in (result.steps[1].error or "")


async def test_templates_are_sandboxed(registry):
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "say", "type": "say_phrase", "config": {"text": "{{ caller_id.__class__.__mro__ }}"}},
        ],
        [("start", "next", "say")],
    )
    result, _ = await run(doc, registry)
    assert result.steps[1].exit == "error"
    assert result.steps[1].prompts == []


async def test_caller_data_is_never_evaluated(registry):
    """A CallerID that looks like a template is text, not code."""
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "say", "type": "say_phrase", "config": {"text": "Su número es {{ caller_id }}"}},
        ],
        [("start", "next", "say")],
    )
    result, _ = await run(doc, registry, facts={"caller_id": "{{ 7*7 }}"})
    assert result.steps[1].prompts[0]["text"] == "Su número es {{ 7*7 }}"


async def _unknown_caller_sent_to_the_hotline(registry, load_example):
    """employee-callthrough for a caller not on the staff list: Go To Scenario into the published hotline."""
    hotline = parse_document(load_example("inbound-hotline"))

    class Published:
        async def load(self, slug: str):
            return hotline if slug == "inbound-hotline" else None

    services = Services(scenarios=Published(), data_sources=StaticDataSources({"staff": []}))
    return await run(load_example("employee-callthrough"), registry, ScriptedChannel(["-"]), services=services)


async def test_goto_scenario_continues_with_the_variables(registry, load_example):
    result, _ = await _unknown_caller_sent_to_the_hotline(registry, load_example)
    assert result.path[:5] == ["start", "normalise", "by_number", "menu", "start"]  # no caller id: not looked up
    assert result.steps[4].scenario == "Inbound hotline"


def _two_scenarios(*, language_set_by_the_call: bool) -> tuple[dict[str, Any], Any]:
    """A (Spanish) sends the call to B (English), which declares a variable of its own; A may set `language`."""
    b = make_document(
        [{"id": "start", "type": "start"}, {"id": "hi", "type": "say_phrase", "config": {"text": "{{ greeting }}"}},
         {"id": "bye", "type": "hangup"}],
        [("start", "next", "hi"), ("hi", "next", "bye")], name="B", language="en",
        variables=[{"name": "greeting", "type": "string", "default": "Hello"},
                   {"name": "shared", "type": "string", "default": "B's"}],
    )  # fmt: skip
    nodes = [{"id": "start", "type": "start"}, {"id": "go", "type": "goto_scenario", "config": {"scenario": "b"}}]
    edges = [("start", "next", "go")]
    if language_set_by_the_call:
        nodes.append(
            {"id": "pick", "type": "set_variable", "config": {"assignments": [{"variable": "language", "value": "fr"}]}}
        )
        edges = [("start", "next", "pick"), ("pick", "next", "go")]
    a = make_document(nodes, edges, name="A", language="es",
                      variables=[{"name": "shared", "type": "string", "default": "A's"}])  # fmt: skip
    entered = parse_document(b)

    class Published:
        async def load(self, slug: str) -> Any:
            return entered if slug == "b" else None

    return a, Services(scenarios=Published())


@pytest.mark.parametrize("language_set_by_the_call", [False, True])
async def test_the_scenario_reached_by_goto_has_its_own_variables_and_language(registry, language_set_by_the_call):
    """Review, 2026-12-05: B's own variable was unknown once reached from A (the call failed), and B's phrases
    were spoken in A's language."""
    document, services = _two_scenarios(language_set_by_the_call=language_set_by_the_call)
    result, _ = await run(document, registry, services=services)
    assert result.outcome is CallOutcome.HUNG_UP, result.error
    said = next(step for step in result.steps if step.node == "hi").prompts[0]
    assert said["text"] == "Hello"
    assert said["language"] == ("fr" if language_set_by_the_call else "en")  # a language the call chose stays
    assert result.variables["shared"] == "A's"  # what the call already holds is kept, as before
    went = next(step for step in result.steps if step.node == "go")
    assert went.variables_changed == ({} if language_set_by_the_call else {"language": "en"})


async def test_the_start_of_a_scenario_reached_by_goto_does_not_answer_again(registry, load_example):
    result, channel = await _unknown_caller_sent_to_the_hotline(registry, load_example)
    assert [event.op for event in channel.events].count("answer") == 1  # one ANSWER on the wire, not one per Start
    assert (
        result.answered
        and result.steps[0].events == [{"kind": "answered"}]
        and result.steps[4].events == [{"kind": "already_answered"}]
    )


async def test_unknown_scenario_in_goto_takes_error_path(registry, load_example):
    result, _ = await run(
        load_example("employee-callthrough"), registry, services=Services(data_sources=StaticDataSources({"staff": []}))
    )
    assert result.steps[-1].node == "menu"
    assert "not published" in (result.steps[-1].error or "")


async def test_no_start_fails_politely(registry):
    result, channel = await run(make_document([{"id": "bye", "type": "hangup"}], []), registry)
    assert result.outcome is CallOutcome.FAILED and channel.hung_up


class Tracks(BlockType):
    type = "tracks"
    title = "Tracks"
    exit_rules: ClassVar[list[dict[str, Any]]] = [{"name": "next"}]

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        ctx.set("seen", ctx.get("seen", 0) + 1)
        return "next"


async def test_trace_records_variables_changed_and_keys(registry):
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "menu",
                "type": "ivr",
                "config": {"prompt": {"text": "Pulse"}, "options": [{"key": "2"}], "variable": "choice"},
            },
        ],
        [("start", "next", "menu")],
    )
    result, _ = await run(doc, registry, ScriptedChannel(["5", "2"]))
    step = result.steps[1]
    assert step.keys == "52"
    assert step.variables_changed == {"choice": "2"}
    assert step.exit == "2"
    assert [e["kind"] for e in step.events] == ["attempt", "invalid", "attempt"]
    assert result.as_dict()["outcome"] == "ended"


async def test_timed_keys_pressed_while_nothing_listens_are_lost(registry, load_example):
    """Like Asterisk (../shared/asterisk/README.txt section 4): a digit sent between commands never arrives."""
    from graph_engine.simulation import SimulationInput, simulate

    doc = load_example("appointment-confirmation")
    appt = {"contact": {"name": "Marta"}}
    # Start, then a 2 s reminder (nothing listens), then the menu prompt from t=2 s to 4 s, then 5 s of listening.
    early = await simulate(doc, registry, SimulationInput(timed_keys=[(1.0, "1")], variables=appt))
    assert ("key_lost", {"key": "1"}) in [(e.op, e.detail) for e in early.channel_events]
    assert early.result.steps[2].keys == ""
    during_prompt = await simulate(doc, registry, SimulationInput(timed_keys=[(2.5, "1")], variables=appt))
    assert during_prompt.result.variables["result"] == "confirmed"
    after_prompt = await simulate(doc, registry, SimulationInput(timed_keys=[(8.9, "2")], variables=appt))
    assert after_prompt.result.variables["result"] == "cancelled"
    too_late = await simulate(doc, registry, SimulationInput(timed_keys=[(9.5, "2")], variables=appt))
    assert too_late.result.steps[2].events[1] == {"kind": "no_input", "attempt": 1}
