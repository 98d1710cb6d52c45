"""Every example scenario, end to end over real TCP: fake Asterisk -> FastAGI server -> interpreter -> record.

The inputs and expectations are the examples' own scenario tests (`examples/*.tests.json`), so a call walked
over AGI must take the same path, reach the same outcome and say the same things as the simulation.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest

from agi_server.connection import BOOKKEEPING_VERBS
from agi_server.records import CallRecord
from agi_server.server import ResolvedInputs
from graph_engine.services import FixedClock, RecordingScheduler, Services, StaticDataSources
from tests.agi_server.conftest import EXAMPLES, MemoryRecords, StartServer, call
from tests.fakes.asterisk import CallerScript, default_env, parse_args


def _cases() -> list[Any]:
    cases = []
    for path in sorted(EXAMPLES.glob("*.tests.json")):
        slug = path.name.removesuffix(".tests.json")
        for test in json.loads(path.read_text(encoding="utf-8"))["tests"]:
            if "hangup_at" in test:  # counted in channel operations, not AGI commands: see the hangup sweep
                continue
            cases.append(pytest.param(slug, test, id=f"{slug}: {test['name']}"))
    return cases


def _services(test: dict[str, Any], scheduler: RecordingScheduler) -> Services:
    at = datetime.fromisoformat(test["at"]) if "at" in test else datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    return Services(
        clock=FixedClock(at),
        data_sources=StaticDataSources(test.get("data_rows", {})),
        scheduler=scheduler,
    )


def _plain(test: dict[str, Any]) -> bool:
    return all(isinstance(v, str | int | float) for v in test.get("variables", {}).values())


def _resolver(test: dict[str, Any]) -> Any:
    """Structured variables (a contact record) cannot ride on the AGI URL: the host resolves them."""
    if _plain(test):
        return None

    async def resolve(slug: str, agi_inputs: Any) -> ResolvedInputs:
        return ResolvedInputs(variables=dict(test.get("variables", {})))

    return resolve


def _env(slug: str, test: dict[str, Any]) -> dict[str, str]:
    variables = {name: str(value) for name, value in test.get("variables", {}).items()} if _plain(test) else {}
    script = f"{slug}?{urlencode(variables)}" if variables else slug
    overrides = {"agi_callerid": str(test.get("caller_id", ""))}  # withheld, as a scenario test's default
    return default_env(script, **overrides)


def _is_moment(value: Any) -> bool:
    try:
        return isinstance(value, str) and "T" in value and bool(datetime.fromisoformat(value))
    except ValueError:
        return False


def _said(record: CallRecord) -> list[str]:
    return [prompt.get("text", "") for step in record.trace["steps"] for prompt in step["prompts"]]


def _dialled(record: CallRecord) -> list[str]:
    return [e["target"] for step in record.trace["steps"] for e in step["events"] if e.get("kind") == "transfer"]


def _path(steps: list[dict[str, Any]]) -> list[str]:
    """The blocks a recorded call went through as a scenario test names them: a Go To Scenario target's as
    `slug:node` (graph_engine.scenario_tests.visited), the slug taken from the `goto_scenario` event."""
    path: list[str] = []
    slug: str | None = None
    for step in steps:
        if step.get("scenario") is None:
            slug = None
        path.append(step["node"] if slug is None else f"{slug}:{step['node']}")
        slug = next((e["scenario"] for e in step["events"] if e.get("kind") == "goto_scenario"), slug)
    return path


@pytest.mark.parametrize(("slug", "test"), _cases())
async def test_example_over_agi(
    slug: str, test: dict[str, Any], start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    """The example's scenario test, walked through a real FastAGI session."""
    if test.get("scheduler") == "fail":
        pytest.skip("a failing scheduler is a simulation input only")
    if "timed_keys" in test:  # moments on the simulation's clock, which plays each prompt for its modelled length
        pytest.skip("timed keys follow the simulation's prompt lengths; keys_at tests the wire's timing")
    scheduler = RecordingScheduler()
    server = await start_server(services=_services(test, scheduler), resolve_inputs=_resolver(test))
    caller = CallerScript(
        keys=[str(k) for k in test.get("keys", [])], far_end=[str(t) for t in test.get("transfers", [])]
    )
    fake = await call(server, env=_env(slug, test), caller=caller, time_scale=0.001)
    await server.stop()

    assert len(records.records) == 1
    record = records.records[0]
    expect = test["expect"]
    path = _path(record.trace["steps"])
    if "path" in expect:
        assert path == expect["path"]
    for node in expect.get("visits", []):
        assert node in path
    if "outcome" in expect:
        assert record.outcome == expect["outcome"]
    for name, value in expect.get("variables", {}).items():
        if _is_moment(value):  # the simulation advances its clock per prompt; this host's clock stands still
            continue
        assert str(record.trace["variables"].get(name)) == str(value)
    for fragment in expect.get("said", []):
        assert any(fragment in text for text in _said(record)), fragment
    if "callbacks" in expect:
        assert len(scheduler.requests) == expect["callbacks"]
    if "transfers" in expect:
        assert _dialled(record) == expect["transfers"]
        assert sum(line.startswith("EXEC") for line in fake.commands) == len(expect["transfers"])
    # The wire: one command per line, never a byte while a prompt plays, the session closed by a half-close.
    assert fake.server_half_closed and fake.interrupted == 0
    for line in fake.commands:
        assert parse_args(line)[0].isupper()
    assert record.scenario == slug and record.version == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def _examples() -> list[str]:
    return sorted(p.name.removesuffix(".json") for p in EXAMPLES.glob("*.json") if not p.name.endswith(".tests.json"))


def _first_test(slug: str) -> dict[str, Any]:
    path = EXAMPLES / f"{slug}.tests.json"
    tests = json.loads(path.read_text(encoding="utf-8"))["tests"] if path.exists() else []
    return next((t for t in tests if "hangup_at" not in t), {})


def _verb(line: str) -> str:
    words = [w.upper() for w in parse_args(line)]
    for size in (3, 2, 1):
        if " ".join(words[:size]) in {
            *BOOKKEEPING_VERBS,
            "STREAM FILE",
            "GET DATA",
            "WAIT FOR DIGIT",
            "CHANNEL STATUS",
        }:
            return " ".join(words[:size])
    return words[0] if words else ""


@pytest.mark.parametrize("slug", _examples())
async def test_hangup_at_every_command(
    slug: str, start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    """The caller hangs up at command 0, 1, 2... of the example: every call gets a complete record, nothing
    escapes, and after the hangup only bookkeeping (plus one CHANNEL STATUS probe after a -1) reaches the wire."""
    test = _first_test(slug)
    keys = [str(k) for k in test.get("keys", [])]
    far_end = [str(t) for t in test.get("transfers", [])]
    server = await start_server(services=_services(test, RecordingScheduler()), resolve_inputs=_resolver(test))
    full = await call(server, env=_env(slug, test), caller=CallerScript(keys=keys, far_end=far_end), time_scale=0.001)
    assert full.commands, "the example sends at least one command"
    for index in range(len(full.commands)):
        caller = CallerScript(keys=keys, far_end=far_end, hangup_at_command=index)
        fake = await call(server, env=_env(slug, test), caller=caller, time_scale=0.001, nagle_delay=0.005)
        assert fake.server_half_closed, f"hangup at command {index}: the server closed cleanly"
        assert fake.interrupted == 0, "nothing was written while a command ran"
        dead = fake.dead_commands
        assert all(_verb(line) in BOOKKEEPING_VERBS | {"CHANNEL STATUS"} for line in dead), (index, dead)
        assert sum(_verb(line) == "CHANNEL STATUS" for line in dead) <= 1
        assert not any(_verb(line) == "HANGUP" for line in dead)
    await server.stop()
    assert len(records.records) == len(full.commands) + 1
    for record in records.records[1:]:
        assert record.outcome in ("caller_hangup", "hung_up", "transferred", "ended"), record
        assert record.trace["steps"], "the partial trace is kept"
        if record.outcome == "caller_hangup":
            assert record.hangup_point is not None and record.hangup_during is not None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_missed_call_calls_back_a_caller_who_left_the_queue(
    start_server: StartServer, records: MemoryRecords
) -> None:
    """Review, 2026-12-05: Asterisk leaves QUEUESTATUS unset when the caller gives up waiting (as after an answer),
    so the call was recorded `transferred` and missed-call's `queue hangup -> callback` branch never ran."""
    scheduler = RecordingScheduler()
    clock = FixedClock(datetime.fromisoformat("2026-11-23T12:00:00+01:00"))
    server = await start_server(services=Services(clock=clock, scheduler=scheduler))
    env = default_env("missed-call", agi_callerid="+34600111222")
    await call(server, env=env, caller=CallerScript(far_end=["cancel"]), time_scale=0.001)
    await server.stop()
    (record,) = records.records
    assert record.outcome == "caller_hangup"
    assert [step["node"] for step in record.trace["steps"]][-2:] == ["note", "later"]
    assert record.trace["variables"]["missed_reason"] == "abandoned"
    assert len(scheduler.requests) == 1
