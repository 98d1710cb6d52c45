"""Behaviour of the built-in blocks on the scripted channel (and over FastAGI with the fake Asterisk where what
Asterisk answers matters)."""

from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from blocks.builtin.switch import _matches as switch_matches
from blocks.common import sql_parameters
from blocks.timewindows import is_open, next_opening, zone
from graph_engine.services import FixedClock, Services
from graph_engine.simulation import SimulationInput, simulate
from graph_engine.validation import validate
from tests.agi_server.conftest import call
from tests.conftest import make_document
from tests.fakes.asterisk import CallerScript, default_env


def flow(*nodes: dict[str, Any], edges: list[tuple[str, str, str]] | None = None, **extra: Any) -> dict[str, Any]:
    ids = ["start", *[n["id"] for n in nodes]]
    chain = [(a, "next", b) for a, b in itertools.pairwise(ids)]
    return make_document([{"id": "start", "type": "start"}, *nodes], edges if edges is not None else chain, **extra)


async def test_ivr_capture_retries_then_stores(registry):
    doc = flow(
        {
            "id": "acc",
            "type": "ivr",
            "config": {
                "mode": "capture",
                "prompt": {"text": "Cuenta"},
                "variable": "account",
                "min_length": 4,
                "max_length": 8,
                "invalid_prompt": {"text": "Demasiado corto"},
            },
        }
    )
    sim = await simulate(doc, registry, SimulationInput(keys=["12#", "12345#"]))
    assert sim.result.variables["account"] == "12345"
    assert sim.result.steps[1].exit == "next"
    assert "Demasiado corto" in sim.said()


@pytest.mark.parametrize("allow_star", [False, True])
async def test_ivr_capture_takes_digits_only_unless_star_is_allowed(registry, allow_star):
    """Review, 2026-12-05: employee-dialout dialled *21*600111 (a PBX call-forwarding code) typed where a phone
    number was asked for: a capture checked only the entry's length."""
    config = {"mode": "capture", "prompt": {"text": "Número"}, "variable": "number", "min_length": 6,
              "max_length": 15, "max_tries": 2, "allow_star": allow_star}  # fmt: skip
    sim = await simulate(flow({"id": "n", "type": "ivr", "config": config}), registry,
                         SimulationInput(keys=["*21*600111#", "600111222#"]))  # fmt: skip
    assert sim.result.variables["number"] == ("*21*600111" if allow_star else "600111222")
    if not allow_star:
        refused = {"kind": "invalid", "attempt": 1, "keys": "*21*600111", "terminator": "#", "reason": "not_digits"}
        assert refused in sim.result.steps[1].events


DIAL_OUT = {"mode": "capture", "prompt": {"text": "Número"}, "variable": "number", "min_length": 6,
            "max_length": 15, "max_tries": 2, "invalid_prompt": {"text": "No válido"}}  # fmt: skip


async def test_ivr_capture_refuses_an_entry_longer_than_max_length(registry):
    """Review of 2026-12-05: the read stopped at max_length digits, so 0034612345678901234# became 003461234567890
    and was dialled while the caller still typed. An over-long entry is now an invalid one, taken whole up to #."""
    sim = await simulate(flow({"id": "n", "type": "ivr", "config": DIAL_OUT}), registry,
                         SimulationInput(keys=["0034612345678901234#", "600111222#"]))  # fmt: skip
    step = sim.result.steps[1]
    assert sim.result.variables["number"] == "600111222" and step.exit == "next"
    refused = {"kind": "invalid", "attempt": 1, "keys": "0034612345678901234", "terminator": "#", "reason": "too_long"}
    assert refused in step.events
    assert "No válido" in sim.said()
    assert step.keys == "0034612345678901234#600111222#"


async def test_ivr_capture_takes_an_entry_of_exactly_max_length(registry):
    sim = await simulate(flow({"id": "n", "type": "ivr", "config": DIAL_OUT}), registry,
                         SimulationInput(keys=["003461234567890#"]))  # fmt: skip
    assert sim.result.variables["number"] == "003461234567890"
    assert sim.result.steps[1].keys == "003461234567890#"


async def test_ivr_capture_of_a_fixed_length_ends_at_its_last_digit(registry):
    """An 8-digit account number needs no #: the read ends when the 8th digit is typed, not at the timeout."""
    config = {"mode": "capture", "prompt": {"text": "Cuenta"}, "variable": "account", "min_length": 8,
              "max_length": 8, "timeout": 5}  # fmt: skip
    doc = flow({"id": "acc", "type": "ivr", "config": config}, {"id": "bye", "type": "hangup", "config": {}})
    typed = [(3.0 + i, str(i + 1)) for i in range(8)]  # the prompt lasts 2 s; the 8th digit at 10 s
    sim = await simulate(doc, registry, SimulationInput(timed_keys=typed))
    assert sim.result.variables["account"] == "12345678"
    started = datetime.fromisoformat(sim.result.steps[0].at)
    assert (datetime.fromisoformat(sim.result.steps[2].at) - started).total_seconds() == 10.0


async def test_ivr_capture_over_agi_refuses_a_number_too_long_and_dials_the_next(start_server, records):
    """Review of 2026-12-05, over real TCP: employee-dialout asked GET DATA for 15 digits, so Asterisk answered
    with the first 15 of 0034612345678901234# and `Dial Local/003461234567890@...` ran while the employee still
    typed. The over-long number is refused whole (its keys up to # taken by the one read), nothing is dialled
    for it, and the number typed next is."""
    server = await start_server(
        services=Services(clock=FixedClock(datetime.fromisoformat("2026-11-23T12:00:00+01:00")))
    )
    env = default_env("employee-dialout?employee_name=Luis", agi_callerid="912000000")
    caller = CallerScript(keys=["0034612345678901234#", "915551234#"], far_end=["answered"])
    fake = await call(server, env=env, caller=caller, time_scale=0.001)
    await server.stop()
    (record,) = records.records
    number = next(step for step in record.trace["steps"] if step["node"] == "number")
    assert [e for e in number["events"] if e["kind"] == "invalid"] == [
        {"kind": "invalid", "attempt": 1, "keys": "0034612345678901234", "terminator": "#", "reason": "too_long"}
    ]
    assert any("no es válido" in p.get("text", "") for p in number["prompts"])
    dialled = [e["target"] for s in record.trace["steps"] for e in s["events"] if e.get("kind") == "transfer"]
    assert dialled == ["915551234"]
    assert [line for line in fake.commands if line.startswith("EXEC")] == [
        'EXEC "Dial" "Local/915551234@ivrgraph-dial,45"'
    ]
    assert fake.keys_lost == []


async def test_ivr_max_tries_exit(registry):
    doc = flow(
        {"id": "m", "type": "ivr", "config": {"prompt": {"audio": "menu"}, "options": [{"key": "1"}], "max_tries": 2}}
    )
    sim = await simulate(doc, registry, SimulationInput(keys=["-", "9"]))
    assert sim.result.steps[1].exit == "max_tries"


async def test_ivr_hash_can_be_a_menu_key(registry):
    doc = flow({"id": "m", "type": "ivr", "config": {"prompt": {"audio": "menu"}, "options": [{"key": "#"}]}})
    sim = await simulate(doc, registry, SimulationInput(keys=["#"]))
    assert sim.result.steps[1].exit == "#"


async def test_message_barge_in_stores_the_key(registry):
    doc = flow(
        {"id": "msg", "type": "message", "config": {"audio": "promo", "interrupt_keys": "5", "key_variable": "pressed"}}
    )
    sim = await simulate(doc, registry, SimulationInput(keys=["!5"]))
    assert sim.result.variables["pressed"] == "5"
    quiet = await simulate(doc, registry, SimulationInput(keys=["!7"]))
    assert quiet.result.variables["pressed"] == ""


async def test_sql_binds_parameters_and_maps_columns(registry):
    doc = flow(
        {
            "id": "q",
            "type": "sql",
            "config": {
                "source": "crm",
                "query": "SELECT name FROM staff WHERE phone = :caller_id AND x::text = 'a:b'",
                "columns": {"name": "who"},
            },
        },
        edges=[("start", "next", "q")],
    )
    sim = await simulate(doc, registry, SimulationInput(caller_id="+34911", data_rows={"crm": [{"name": "Luis"}]}))
    assert sim.result.steps[1].exit == "found"
    assert sim.result.variables["who"] == "Luis"
    _source, sql, params = sim.queries[0]
    assert params == {"caller_id": "+34911"}  # bound by name; the value never enters the SQL text
    assert "+34911" not in sql


def test_sql_parameter_names_skip_casts_and_literals():
    assert sql_parameters("SELECT a::int FROM t WHERE b = :b AND c = ':no' AND d = :d AND e = :b") == ["b", "d"]


def test_a_sql_query_that_would_bind_inside_quotes_is_refused_at_the_node(registry):
    """Review, 2026-12-04: ':caller_id' in a literal beside a real ':caller_id' let a CallerID rewrite the query on
    MariaDB. Validation names the node and the field; a ';' inside quotes is not a second statement."""
    query = "SELECT name FROM staff WHERE phone = :caller_id AND note <> 'blocked :caller_id'"
    doc = flow({"id": "q", "type": "sql", "config": {"source": "crm", "query": query}})
    issues = [(i.code, i.node, i.path) for i in validate(doc, registry) if i.code.startswith("sql_")]
    assert issues == [("sql_unsafe_query", "q", "$.nodes[1].config.query")]
    fine = flow({"id": "q", "type": "sql", "config": {"source": "crm", "query": "SELECT ';' WHERE a = :caller_id"}})
    assert not [i for i in validate(fine, registry) if i.code.startswith("sql_")]


async def test_sql_not_found_and_error(registry):
    doc = flow(
        {"id": "q", "type": "sql", "config": {"source": "crm", "query": "SELECT 1 WHERE :caller_id"}},
        edges=[("start", "next", "q")],
    )
    empty = await simulate(doc, registry, SimulationInput(data_rows={"crm": []}))
    assert empty.result.steps[1].exit == "not_found"
    down = await simulate(doc, registry, SimulationInput())  # no test rows for the source
    assert down.result.steps[1].exit == "error"


@pytest.mark.parametrize("typed", ["123 & Dial(evil)", "100,20,tT", "PJSIP/100\nEXEC System", "Local/1@x,5,g"])
async def test_transfer_refuses_targets_that_could_smuggle_options(registry, typed):
    doc = flow({"id": "t", "type": "transfer", "config": {"target": "{{ typed }}"}}, edges=[("start", "next", "t")])
    sim = await simulate(doc, registry, SimulationInput(variables={"typed": typed}))
    assert sim.result.steps[1].exit == "error"
    assert [e for e in sim.channel_events if e.op == "transfer"] == []


@pytest.mark.parametrize(
    ("target", "value", "dialled"),
    [
        ("{{ dest }}", "IAX2/attacker.example.com", False),  # review of 2026-12-05: any route out of the PBX
        ("{{ dest }}", "SIP/0090012345@pstn-trunk", False),
        ("{{ dest }}", "Local/s@from-internal", False),
        ("PJSIP/{{ dest }}", "101@pstn-trunk", False),  # the technology is the scenario's; the rest an extension
        ("Local/{{ dest }}@staff", "101@other", False),
        ("{{ dest }}", "+34910000000", True),
        ("{{ dest }}", "queue:sales", True),
        ("PJSIP/{{ dest }}", "101", True),
        ("Local/{{ dest }}@staff", "101", True),
        ("PJSIP/trunk-{{ dest }}", "7", True),
        ("IAX2/host.example.com", "", True),  # written in the block: the scenario's own choice
        # The scenario's own choice between destinations it writes out (review of 2026-12-05: refused)
        ("{% if dest %}PJSIP/200{% else %}PJSIP/100{% endif %}", "vip", True),
        ("{{ 'PJSIP/200' if dest else 'PJSIP/100' }}", "vip", True),
        ("{% if dest %}PJSIP/200{% else %}{{ dest }}{% endif %}", "", False),  # "" is no destination at all
    ],
)
async def test_a_channel_target_comes_from_the_scenario_not_from_a_variable(registry, target, value, dialled):
    doc = flow({"id": "t", "type": "transfer", "config": {"target": target}}, edges=[("start", "next", "t")])
    sim = await simulate(doc, registry, SimulationInput(variables={"dest": value}, transfers=["answered"]))
    assert (sim.result.steps[1].exit == "answered") is dialled, sim.result.steps[1].error
    assert bool([e for e in sim.channel_events if e.op == "transfer"]) is dialled


async def test_transfer_outcomes(registry):
    doc = flow({"id": "t", "type": "transfer", "config": {"target": "queue:sales"}}, edges=[("start", "next", "t")])
    for outcome in ("answered", "busy", "no_answer", "failed"):
        sim = await simulate(doc, registry, SimulationInput(transfers=[outcome]))
        assert sim.result.steps[1].exit == outcome


HOURS = [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "18:00"}]


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-11-23T09:00:00+01:00", "open"),  # Monday, opening minute
        ("2026-11-23T17:59:00+01:00", "open"),
        ("2026-11-23T18:00:00+01:00", "closed"),
        ("2026-11-23T08:00:00+00:00", "open"),  # 09:00 in Madrid
        ("2026-11-22T12:00:00+01:00", "closed"),  # Sunday
        ("2026-12-25T12:00:00+01:00", "closed"),  # holiday
    ],
)
async def test_schedule(registry, moment, expected):
    doc = flow(
        {
            "id": "s",
            "type": "schedule",
            "config": {"timezone": "Europe/Madrid", "hours": HOURS, "holidays": ["2026-12-25"]},
        },
        edges=[("start", "next", "s")],
    )
    sim = await simulate(doc, registry, SimulationInput(at=datetime.fromisoformat(moment)))
    assert sim.result.steps[1].exit == expected


@pytest.mark.parametrize(
    ("block", "field", "consequence"),
    [("schedule", "hours", "every call would be closed"), ("callback", "window", "every callback would be rejected")],
)
def test_hours_left_empty_are_an_error_naming_what_would_happen(registry, block, field, consequence):
    """Review, 2026-12-05: a Schedule dropped on the canvas has no hours, published, and sent every caller to
    Closed at noon on a Monday without a word from validation (a Callback's empty window rejected every callback)."""
    config = {field: []} | ({"scenario": "follow-up"} if block == "callback" else {})
    doc = flow({"id": "b", "type": block, "label": "Office", "config": config}, edges=[("start", "next", "b")])
    (issue,) = [i for i in validate(doc, registry) if i.code == "no_hours"]
    assert issue.severity.value == "error"
    assert issue.path == f"$.nodes[1].config.{field}"
    assert consequence in issue.message and "Add a period" in issue.message
    assert issue.params["field"] == field


def test_a_callback_without_a_window_of_its_own_takes_the_default_and_is_fine(registry):
    doc = flow({"id": "b", "type": "callback", "config": {"scenario": "follow-up"}}, edges=[("start", "next", "b")])
    codes = [i.code for i in validate(doc, registry)]
    assert "no_hours" not in codes and "config" not in codes


def test_overnight_window_and_next_opening():
    tz = zone("Europe/Moscow")
    assert tz is not None
    night = [{"days": ["mon"], "from": "22:00", "to": "06:00"}]
    assert is_open(datetime.fromisoformat("2026-11-24T03:00:00+03:00"), night, tz)  # Tuesday 03:00, Monday's shift
    assert not is_open(datetime.fromisoformat("2026-11-24T07:00:00+03:00"), night, tz)
    start, end = next_opening(datetime.fromisoformat("2026-11-21T23:00:00+01:00"), HOURS, zone("Europe/Madrid"))
    assert start.isoformat() == "2026-11-23T09:00:00+01:00" and end.isoformat() == "2026-11-23T18:00:00+01:00"


async def test_callback_is_never_scheduled_at_night(registry):
    doc = flow(
        {
            "id": "cb",
            "type": "callback",
            "config": {
                "scenario": "callback-connect",
                "timezone": "Asia/Almaty",
                "delay_minutes": 5,
                "window": [{"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "09:00", "to": "21:00"}],
                "variables": ["debt"],
            },
        },
        edges=[("start", "next", "cb")],
        variables=[{"name": "debt", "default": 10}],
    )
    sim = await simulate(
        doc, registry, SimulationInput(caller_id="+77010000000", at=datetime.fromisoformat("2026-11-23T23:58:00+05:00"))
    )
    (request,) = sim.callbacks
    assert request.due.isoformat() == "2026-11-24T09:00:00+05:00"
    assert request.window_end is not None and request.window_end.isoformat() == "2026-11-24T21:00:00+05:00"
    assert request.variables == {"debt": 10}
    assert request.origin_call_id == "simulated"
    # The hours go with the job, so a retry after 21:00 moves to the next morning (persistence.callbacks).
    assert request.window == {
        "hours": [{"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "09:00", "to": "21:00"}],
        "timezone": "Asia/Almaty",
        "holidays": [],
        "defer": True,
        "max_defer_hours": 72.0,
    }


async def test_callback_rejects_bad_numbers_and_reject_mode(registry):
    config = {
        "scenario": "x",
        "outside_window": "reject",
        "window": [{"days": ["mon"], "from": "09:00", "to": "10:00"}],
    }
    doc = flow({"id": "cb", "type": "callback", "config": config}, edges=[("start", "next", "cb")])
    bad = await simulate(doc, registry, SimulationInput(caller_id="anonymous"))
    assert bad.result.steps[1].exit == "rejected"
    late = await simulate(doc, registry, SimulationInput(at=datetime.fromisoformat("2026-11-23T11:00:00+00:00")))
    assert late.result.steps[1].exit == "rejected" and late.callbacks == []


async def test_callback_scheduler_failure_is_the_error_exit(registry):
    doc = flow({"id": "cb", "type": "callback", "config": {"scenario": "x"}}, edges=[("start", "next", "cb")])
    sim = await simulate(doc, registry, SimulationInput(scheduler_fails=True))
    assert sim.result.steps[1].exit == "error"


async def test_condition_switch_and_set_variable(registry):
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "set",
                "type": "set_variable",
                "config": {
                    "assignments": [
                        {"variable": "vip_numbers", "value": "['+34911', '+34922']", "mode": "expression"},
                        {"variable": "greeting", "value": "Hola {{ caller_id }}"},
                    ]
                },
            },
            {"id": "vip", "type": "condition", "config": {"expression": "{{ caller_id in vip_numbers }}"}},
            {
                "id": "tier",
                "type": "switch",
                "config": {
                    "value": "caller_id[-1]",
                    "cases": [{"exit": "one", "equals": "1"}, {"exit": "two", "equals": 2}],
                },
            },
        ],
        [("start", "next", "set"), ("set", "next", "vip"), ("vip", "true", "tier"), ("vip", "false", "tier")],
    )
    sim = await simulate(doc, registry, SimulationInput(caller_id="+34922"))
    assert [s.exit for s in sim.result.steps[1:]] == ["next", "true", "two"]
    assert sim.result.variables["greeting"] == "Hola +34922"
    other = await simulate(doc, registry, SimulationInput(caller_id="+34933"))
    assert [s.exit for s in other.result.steps[2:]] == ["false", "default"]


async def test_goto_jumps_within_the_scenario(registry):
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "menu",
                "type": "ivr",
                "config": {"prompt": {"audio": "m"}, "options": [{"key": "1"}, {"key": "2"}]},
            },
            {"id": "again", "type": "goto", "config": {"target": "menu"}},
            {"id": "bye", "type": "hangup", "config": {"result": "done"}},
        ],
        [("start", "next", "menu"), ("menu", "1", "again"), ("menu", "2", "bye")],
    )
    sim = await simulate(doc, registry, SimulationInput(keys=["1", "2"]))
    assert sim.result.path == ["start", "menu", "again", "menu", "bye"]
    assert sim.result.variables["result"] == "done"


def test_next_opening_on_the_nights_clocks_change():
    """Review, 2026-12-04 (Europe/Madrid): going back, a callback asked for at the second 02:00 was due at the
    first 02:30, an hour in the past, and dialled at once; going forward, a window opening in the skipped hour
    was due at its own end. Now: the next time the clock shows 02:30, and the moment the clock jumps."""
    from datetime import UTC

    madrid, every_day = zone("Europe/Madrid"), ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert madrid is not None
    back = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)  # 02:00 CET, the second time the clock shows it
    opening = next_opening(back, [{"days": every_day, "from": "02:30", "to": "05:00"}], madrid)
    assert opening is not None
    assert [t.astimezone(UTC) for t in opening] == [datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
                                                     datetime(2026, 10, 25, 4, 0, tzinfo=UTC)]  # fmt: skip
    forward = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # 00:00 CET; at 02:00 the clock jumps to 03:00 CEST
    opening = next_opening(forward, [{"days": every_day, "from": "02:30", "to": "03:30"}], madrid)
    assert opening is not None
    assert [t.astimezone(UTC) for t in opening] == [datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
                                                     datetime(2026, 3, 29, 1, 30, tzinfo=UTC)]  # fmt: skip
    # A plain day is as before: an open window gives the moment itself, a closed one its next start.
    plain = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert next_opening(plain, [{"days": every_day, "from": "09:00", "to": "18:00"}], madrid)[0] == plain


@pytest.mark.parametrize(
    ("hours", "asked"),
    [
        ({"from": "02:30", "to": "10:30"}, "2026-10-24T23:38:00+00:00"),  # opens in the hour shown twice
        ({"from": "22:00", "to": "02:15"}, "2026-10-24T21:00:00+00:00"),  # closes in it, from the night before
        ({"from": "09:00", "to": "21:00"}, "2026-10-24T23:38:00+00:00"),  # an ordinary day: untouched
    ],
    ids=["opens-in-the-repeat", "closes-in-the-repeat", "ordinary"],
)
def test_every_minute_of_an_opening_is_open_on_the_night_the_clocks_go_back(hours, asked):
    """Review, 2026-12-05 (second day): with hours from 02:30, the opening ran from the first 02:30 (summer
    time) to 10:30 as instants, so it held the second pass of 02:00-02:30 (winter time), when `is_open`, which
    reads the wall clock, says closed: a busy retry was dialled at 02:10. The opening now ends where the clock
    goes back to a closed time, and the next starts when it shows 02:30 again."""
    from datetime import UTC, timedelta

    madrid, every_day = zone("Europe/Madrid"), ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert madrid is not None
    window = [{"days": every_day, **hours}]
    moment = datetime.fromisoformat(asked)
    for _ in range(2):  # this opening and the next
        opening = next_opening(moment, window, madrid)
        assert opening is not None
        start, end = (t.astimezone(UTC) for t in opening)
        minute = start
        while minute < end:
            assert is_open(minute, window, madrid), f"{minute.astimezone(madrid)} in {opening} is closed"
            minute += timedelta(minutes=1)
        assert not is_open(end, window, madrid)
        moment = end
    if hours["from"] == "02:30":
        first = next_opening(datetime.fromisoformat(asked), window, madrid)
        assert first is not None and [t.isoformat() for t in first] == [
            "2026-10-25T02:30:00+02:00",
            "2026-10-25T02:00:00+01:00",
        ]
        again = next_opening(first[1], window, madrid)
        assert again is not None and again[0].isoformat() == "2026-10-25T02:30:00+01:00"


def test_next_opening_runs_on_through_ranges_that_meet():
    """Review, 2026-12-05: the opening ended where its first range did, so a callback on a round-the-clock
    window asked for at 23:50 had `window_end` at midnight, and its retry after a no-answer expired the job."""
    madrid, every_day = zone("Europe/Madrid"), ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert madrid is not None
    late = datetime.fromisoformat("2026-11-23T23:50:00+01:00")
    always = next_opening(late, [{"days": every_day, "from": "00:00", "to": "00:00"}], madrid, horizon_days=3)
    assert always is not None and always[0] == late
    assert always[1].isoformat() == "2026-11-27T00:00:00+01:00"  # the horizon's end: they never close
    split = [{"days": ["mon"], "from": "09:00", "to": "13:00"}, {"days": ["mon"], "from": "13:00", "to": "21:00"}]
    day = next_opening(datetime.fromisoformat("2026-11-23T12:00:00+01:00"), split, madrid)
    assert day is not None and day[1].isoformat() == "2026-11-23T21:00:00+01:00"
    gap = [{"days": ["mon"], "from": "09:00", "to": "13:00"}, {"days": ["mon"], "from": "14:00", "to": "21:00"}]
    lunch = next_opening(datetime.fromisoformat("2026-11-23T12:00:00+01:00"), gap, madrid)
    assert lunch is not None and lunch[1].isoformat() == "2026-11-23T13:00:00+01:00"  # a gap still closes it
    holiday = next_opening(late, [{"days": every_day, "from": "00:00", "to": "00:00"}], madrid, ["2026-11-24"])
    assert holiday is not None and holiday[1].isoformat() == "2026-11-24T00:00:00+01:00"


async def test_callback_holidays_are_never_due(registry):
    """Review, 2026-12-05: the Callback block knew no holidays, so inbound-hotline's 'we call you when we open'
    rang the closed office on Christmas Day."""
    every_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    config = {
        "scenario": "callback-connect",
        "timezone": "Europe/Madrid",
        "window": [{"days": every_day, "from": "09:00", "to": "21:00"}],
        "holidays": ["2026-12-25"],
    }
    doc = flow({"id": "cb", "type": "callback", "config": config}, edges=[("start", "next", "cb")])
    for moment in ("2026-12-24T20:58:00+01:00", "2026-12-25T11:00:00+01:00"):
        asked = SimulationInput(caller_id="+34600111222", at=datetime.fromisoformat(moment))
        sim = await simulate(doc, registry, asked)
        (request,) = sim.callbacks
        assert request.due.isoformat() == "2026-12-26T09:00:00+01:00", moment


@pytest.mark.parametrize(
    ("block", "config"),
    [
        ("schedule", {"timezone": "Europe/Madrid", "hours": HOURS}),
        ("callback", {"scenario": "follow-up", "timezone": "Europe/Madrid"}),
    ],
)
def test_a_holiday_that_is_no_day_of_the_calendar_is_refused_at_validation(registry, block, config):
    """2026-25-12 (day and month swapped) passed the schema's YYYY-MM-DD pattern (its `format: date` is not
    checked) and matched no day, so the line stayed open on Christmas."""
    holidays = ["2026-12-24", "2026-25-12", "2026-02-30", "2027-01-01"]
    doc = flow({"id": "b", "type": block, "label": "Office", "config": {**config, "holidays": holidays}})
    issues = [i for i in validate(doc, registry) if i.code == "config"]
    assert [(i.severity.value, i.node, i.path) for i in issues] == [
        ("error", "b", "$.nodes[1].config.holidays[1]"),
        ("error", "b", "$.nodes[1].config.holidays[2]"),
    ]
    title = block.capitalize()
    assert issues[0].message == (
        f"{title} \"Office\": Holidays > row 2: '2026-25-12' is not a date: write year-month-day (YYYY-MM-DD), "
        "e.g. 2026-12-25"
    )
    assert issues[0].params == {
        "block_type": block,
        "block_title": title,
        "label": "Office",
        "field": "Holidays > row 2",
        "rule": "format",
        "format": "date",
        "value": "2026-25-12",
        "detail": "'2026-25-12' is not a date: write year-month-day (YYYY-MM-DD), e.g. 2026-12-25",
    }


def test_real_holidays_are_no_problem(registry):
    config = {"hours": HOURS, "holidays": ["2026-12-25", "2028-02-29"]}
    doc = flow({"id": "b", "type": "schedule", "config": config})
    assert [i for i in validate(doc, registry) if i.code == "config"] == []


def test_a_transfer_written_out_that_cannot_be_dialled_is_refused_at_validation(registry):
    """Review, 2026-12-05: "Sales team ext 101" as a destination published cleanly and failed every call."""

    def problems(config: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
        doc = flow({"id": "t", "type": "transfer", "config": config}, edges=[("start", "next", "t")])
        return [(i.code, i.node, i.path) for i in validate(doc, registry) if i.code.startswith("transfer_")]

    assert problems({"target": "Sales team ext 101"}) == [("transfer_bad_target", "t", "$.nodes[1].config.target")]
    assert problems({"target": "PJSIP/101", "caller_id": "Sales"}) == [
        ("transfer_bad_caller_id", "t", "$.nodes[1].config.caller_id")
    ]
    for fine in ("101", "+34910000000", "queue:sales", "PJSIP/101", "PJSIP/{{ extension }}", "{{ typed_number }}"):
        assert problems({"target": fine, "caller_id": "+34910000000"}) == [], fine


async def test_the_story_tells_a_menus_key_after_wrong_ones_once(registry):
    """Review, 2026-12-05: three wrong 9s read 'caller pressed 999'; and '#', a menu key here, pressed after a wrong
    key must still be told (a menu read has no terminator)."""
    config = {"prompt": {"audio": "hello"}, "options": [{"key": "1"}, {"key": "#"}], "max_tries": 3}
    doc = flow(
        {"id": "menu", "type": "ivr", "label": "Menu", "config": config},
        {"id": "bye", "type": "hangup", "config": {}},
        edges=[("start", "next", "menu"), ("menu", "1", "bye"), ("menu", "#", "bye"), ("menu", "max_tries", "bye")],
    )
    hash_after = await simulate(doc, registry, SimulationInput(keys=["9", "#"]))
    assert "wrong key 9; caller pressed # -> #" in next(line for line in hash_after.story if "Menu" in line)
    all_wrong = await simulate(doc, registry, SimulationInput(keys=["9", "9", "9"]))
    line = next(line for line in all_wrong.story if "Menu" in line)
    assert line.endswith("wrong key 9; wrong key 9; wrong key 9 -> max_tries") and "pressed" not in line


async def test_the_story_tells_what_a_condition_and_a_switch_saw(registry):
    """Review, 2026-12-05: a Condition read only "done -> true", so an analyst could not tell why a call took
    the branch it took."""
    doc = flow(
        {"id": "debt", "type": "condition", "label": "Owes?", "config": {"expression": "debt > limit and name"}},
        {
            "id": "kind",
            "type": "switch",
            "label": "Kind",
            "config": {"value": "kind", "cases": [{"equals": "vip", "exit": "vip"}]},
        },
        {"id": "bye", "type": "hangup", "config": {}},
        edges=[
            ("start", "next", "debt"),
            ("debt", "true", "kind"),
            ("debt", "false", "bye"),
            ("kind", "vip", "bye"),
            ("kind", "default", "bye"),
        ],
    )
    doc["variables"] = [
        {"name": "debt", "type": "number", "default": 120.5},
        {"name": "limit", "type": "number", "default": 100},
        {"name": "name", "type": "string", "default": "x" * 200},
        {"name": "kind", "type": "string", "default": "vip"},
    ]
    sim = await simulate(doc, registry, SimulationInput())
    owes = next(line for line in sim.story if "Owes?" in line)
    assert owes.endswith(
        f"checked debt > limit and name with debt = 120.5, limit = 100, name = '{'x' * 57}...' -> true"
    )
    assert next(line for line in sim.story if "Kind" in line).endswith("value 'vip' -> vip")


@pytest.mark.parametrize(
    ("value", "equals", "taken"),
    [
        ("1", 1, True),  # a key pressed is text; a case for it may be a number
        (2, "2", True),
        (2.0, 2, True),
        (" 3 ", 3, True),
        ("12,5", 12.5, True),  # a decimal comma, as a Condition reads it (graph_engine.number_text)
        ("1.000", 1, False),  # reads two ways (one or a thousand): equals neither, as in a Condition
        ("1.000", 1000, False),
        ("1e3", 1000, False),
        (Decimal("1.0"), 1, True),  # a NUMERIC column's value
        (Decimal("2"), "2", True),  # Python's float() read it; a caller's keys and a column's digits never write it
        ("one", 1, False),
        # A number with a fraction as written: a DECIMAL column's 19.99 (a float) and a case typed "19.99"
        (19.99, "19.99", True),
        ("19.99", 19.99, True),
        ("0.3", 0.3, True),
        (0.1, "0.10", True),
        ("10,10", 10.1, True),
        ("0.30000000000000004", 0.3, False),
        (True, True, True),
        (True, 1, False),  # review, 2026-12-05: Python's True == 1 took a numeric case
        (False, 0, False),
        # A database's yes/no: MariaDB's EXISTS(...), a comparison or TRUE, SQLite's BOOLEAN, is 1 or 0
        (1, True, True),
        (0, False, True),
        (1, False, False),
        (0, True, False),
        (2, True, False),
        (-1, True, False),
        (1.0, True, False),
        (Decimal("1"), True, False),
        ("1", True, False),
        ("0", False, False),
        (False, "false", True),
        # The same as the designer writes a case: its form shows `equals` as a text field
        (1, "true", True),
        (0, " False ", True),
        (1, "false", False),
        (2, "true", False),
        (1.0, "true", False),
        ("1", "true", False),
        ("TRUE", True, True),
        (None, "None", False),  # review, 2026-12-05: str(None) took a "None" case
        (None, "", False),
        ("vip", "vip", True),
        ("vip", "VIP", False),
    ],
)
def test_a_switch_case_equals_across_types_only_what_reads_the_same(value, equals, taken):
    assert switch_matches(value, equals) is taken
