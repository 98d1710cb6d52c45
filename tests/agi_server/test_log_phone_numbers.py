"""Callers' and callees' numbers in the log (`--log-phone-numbers full|masked|none`, agi_server.logs.phone_number).

Operations review: logs are shipped to a store more people read than the call register, and every call wrote the
caller's number there at INFO (`call from '+79161234567' on scenario ...`). The register keeps it; the log need not.
The processes here are real `ivrgraph agi` and `ivrgraph serve`, called over TCP by the fake Asterisk (env.txt and
basic.txt of ../shared/asterisk).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from agi_server.ami import AmiClient
from agi_server.dialer import Dialer
from agi_server.dialer_settings import DialerSettings
from agi_server.job_stores import MemoryJob, MemoryJobStore
from agi_server.logs import HIDDEN, LogSettings, configure_logging, in_log_format, logged_phone_numbers, phone_number
from agi_server.options import LOG_PHONE_NUMBERS_ENV, log_settings
from graph_engine.services import FixedClock
from ivrgraph.cli import build_parser
from tests.agi_server.agi_process import agi_log_around_a_call
from tests.api.serve_process import IVRGRAPH, clean_env, running_serve
from tests.conftest import free_port, make_document
from tests.fakes.ami import FakeAmi
from tests.fakes.asterisk import FakeAsterisk, default_env
from tests.persistence import documents

NUMBER = "+79161234567"
MASKED = "+*********67"
NAME = "Иван Петров"
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


# -- the one function ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (NUMBER, MASKED),
        ("89161234567", "*********67"),
        ("+7 (916) 123-45-67", "+* (***) ***-**-67"),  # separators stay: the shape, not the digits
        ("", ""),  # no CallerID: nothing to hide, and telling it apart is useful
        ("anonymous", "***"),
        ("Unknown", "***"),
        (NAME, "***"),
        ("sip:600@pbx.example", "***"),
        ("600", "*00"),
        ("12", "**"),  # two digits or fewer: none of them is shown
        ("7", "*"),
        ("+", "+"),
        ("*#", "*#"),
        ("٩١٦١٢٣٤٥٦٧", "********٦٧"),  # Arabic-Indic digits are digits too
        ("+7916\n123\x1b4567", "+****\n***\x1b**67"),  # control characters stay, for %r to escape
        ("+7916\u202e1234567", "+****\u202e*****67"),
    ],
)
def test_masked_keeps_a_leading_plus_and_the_last_two_digits_and_hides_any_name(value: str, masked: str) -> None:
    assert phone_number(value, mode="masked") == masked
    assert phone_number(value, mode="full") == value
    assert phone_number(value, mode="none") == HIDDEN


def test_none_and_a_missing_value_and_an_unknown_mode() -> None:
    assert phone_number(None, mode="full") == ""
    assert phone_number(None, mode="masked") == ""
    assert phone_number(None, mode="none") == HIDDEN
    assert phone_number(NUMBER, mode="partly") == HIDDEN  # a mode it does not know hides, it does not leak


def test_a_masked_value_logged_with_r_escapes_control_characters() -> None:
    text = "call from %r" % phone_number("+7916\n1234567", mode="masked")  # noqa: UP031 - as the log formats it
    assert text == "call from '+****\\n*****67'" and "\n" not in text


def test_configure_logging_sets_the_mode_the_function_uses(root_logging: None) -> None:
    configure_logging(LogSettings(phone_numbers="masked"), stream=io.StringIO())
    assert (logged_phone_numbers(), phone_number(NUMBER)) == ("masked", MASKED)
    configure_logging(LogSettings(phone_numbers="none"), stream=io.StringIO())
    assert phone_number(NUMBER) == HIDDEN
    configure_logging(LogSettings(), stream=io.StringIO())
    assert phone_number(NUMBER) == NUMBER  # the default: what was always logged


# -- the option and its variable -----------------------------------------------------------------------------------


def _args(*arguments: str) -> argparse.Namespace:
    return build_parser().parse_args(["agi", *arguments])


@pytest.mark.parametrize("command", ["agi", "serve"])
def test_both_commands_take_the_option(command: str) -> None:
    assert build_parser().parse_args([command, "--log-phone-numbers", "MASKED"]).log_phone_numbers == "masked"
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--log-phone-numbers", "some"])


def test_the_option_wins_over_the_variable_which_wins_over_full() -> None:
    assert log_settings(_args(), {}).phone_numbers == "full"
    assert log_settings(_args(), {LOG_PHONE_NUMBERS_ENV: " None "}).phone_numbers == "none"
    assert log_settings(_args("--log-phone-numbers", "masked"), {LOG_PHONE_NUMBERS_ENV: "none"}).phone_numbers == (
        "masked"
    )
    with pytest.raises(ValueError, match=r"IVRGRAPH_LOG_PHONE_NUMBERS: 'some' is not one of full, masked, none"):
        log_settings(_args(), {LOG_PHONE_NUMBERS_ENV: "some"})


def test_the_json_printout_beside_the_log_is_one_object_with_its_fields(root_logging: None) -> None:
    configure_logging(LogSettings(format="json"), stream=io.StringIO())
    line = in_log_format("plain text", logger="api.app", message="said", one_time_password="pw\n1")
    assert len(line.splitlines()) == 1
    entry = json.loads(line)
    assert (entry["level"], entry["logger"], entry["message"], entry["one_time_password"]) == (
        "WARNING",
        "api.app",
        "said",
        "pw\n1",
    )
    configure_logging(LogSettings(format="text"), stream=io.StringIO())
    assert in_log_format("plain text", logger="api.app", message="said") == "plain text"


# -- a real `ivrgraph agi` --------------------------------------------------------------------------------------


async def _agi_log(
    tmp_path: Path, *arguments: str, hello: dict[str, Any] | None = None, callerid: str = NUMBER, **environment: str
) -> str:
    """Run `ivrgraph agi` on a folder holding `hello` (a greeting unless given), place one call from `callerid`
    (CallerID name NAME), stop it with SIGTERM: its whole stderr."""
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    (scenarios / "hello.json").write_text(json.dumps(hello or documents.greeting("Hello")))
    returncode, text = await agi_log_around_a_call(
        tmp_path,
        ["--scenarios", str(scenarios), *arguments],
        {"IVRGRAPH_MEDIA_ROOT": str(tmp_path / "media"), **environment},
        default_env("hello", callerid=callerid, calleridname=NAME, dnid="+34600111222"),
    )
    assert returncode == 0, text
    return text


def _messages(text: str, log_format: str) -> list[str]:
    if log_format == "json":
        entries: list[dict[str, Any]] = [json.loads(line) for line in text.splitlines()]
        return [entry["message"] for entry in entries]
    return text.splitlines()


@pytest.mark.parametrize("log_format", ["text", "json"])
@pytest.mark.parametrize(("mode", "shown"), [("full", repr(NUMBER)), ("masked", repr(MASKED)), ("none", repr(HIDDEN))])
async def test_agi_logs_the_callers_number_as_the_mode_says(
    tmp_path: Path, mode: str, shown: str, log_format: str
) -> None:
    text = await _agi_log(tmp_path, "--log-phone-numbers", mode, "--log-format", log_format)
    messages = _messages(text, log_format)
    [call] = [m for m in messages if "call from " in m]
    assert f"call from {shown} on scenario hello v1" in call
    assert any(f"phone numbers in the log: {mode}" in m for m in messages), text
    if mode != "full":
        assert "9161234567" not in text and "600111222" not in text and "Иван" not in text, text


@pytest.mark.parametrize("mode", ["masked", "none"])
async def test_a_failed_calls_error_quoting_the_caller_is_logged_by_its_code(tmp_path: Path, mode: str) -> None:
    """Security review, 2026-12-05: the failed call's WARNING quoted the block's error, and a Transfer showing a
    caller ID it cannot show says that caller ID: the whole number, whatever the mode."""
    transfer = {"id": "t", "type": "transfer", "config": {"target": "100", "caller_id": "{{ caller_id }}"}}
    hello = make_document([{"id": "start", "type": "start"}, transfer], [("start", "next", "t")])
    spaced = "+7 916 123-45-67"  # not a caller ID a channel can show: the block fails, quoting it

    text = await _agi_log(tmp_path, "--log-phone-numbers", mode, hello=hello, callerid=spaced)

    [ended] = [line for line in text.splitlines() if "call ended: failed" in line]
    assert "bad_caller_id (its words, which may quote the caller, are in the call register)" in ended, ended
    assert "916 123" not in text and "9161234567" not in text, text


async def test_a_failed_calls_error_is_logged_whole_when_numbers_may_be(tmp_path: Path) -> None:
    transfer = {"id": "t", "type": "transfer", "config": {"target": "100", "caller_id": "{{ caller_id }}"}}
    hello = make_document([{"id": "start", "type": "start"}, transfer], [("start", "next", "t")])

    text = await _agi_log(tmp_path, hello=hello, callerid="+7 916 123-45-67")

    [ended] = [line for line in text.splitlines() if "call ended: failed" in line]
    assert "+7 916 123-45-67" in ended


async def test_agi_takes_the_mode_from_the_environment(tmp_path: Path) -> None:
    text = await _agi_log(tmp_path, IVRGRAPH_LOG_PHONE_NUMBERS="masked")
    assert f"call from {MASKED!r} on scenario hello v1" in text and "9161234567" not in text


# -- a real `ivrgraph serve` ------------------------------------------------------------------------------------


def _serve_and_call(tmp_path: Path, *arguments: str, **environment: str) -> str:
    """`ivrgraph serve` seeded with `hello`, no admin password given (so it prints a one-time one), one call from
    NUMBER on its FastAGI port, stopped: its stderr."""
    seed = tmp_path / "seed"
    seed.mkdir()
    (seed / "hello.json").write_text(json.dumps(documents.greeting("Hello")))
    api_port, agi_port = free_port(), free_port()
    env = clean_env(IVRGRAPH_MEDIA_ROOT=str(tmp_path / "media"), **environment)
    log = tmp_path / "serve.log"
    command = [*IVRGRAPH, "serve", "--port", str(api_port), "--agi-port", str(agi_port), "--seed", str(seed)]
    with running_serve(
        [*command, *arguments], cwd=tmp_path, env=env, api_port=api_port, log=log, stdout_to_log=False
    ) as process:
        caller = default_env("hello", callerid=NUMBER, calleridname=NAME)
        asyncio.run(FakeAsterisk("127.0.0.1", agi_port, env=caller, hold=2).run(timeout=20))
    text = log.read_text(errors="replace")
    assert process.returncode == 0, text
    return text


def test_serve_in_json_masks_the_number_and_prints_the_one_time_password_as_one_json_object(tmp_path: Path) -> None:
    """Also: the first admin's one-time password was a plain line among the JSON ones, which broke a shipper."""
    text = _serve_and_call(tmp_path, "--log-format", "json", IVRGRAPH_LOG_PHONE_NUMBERS="none")
    entries: list[dict[str, Any]] = [json.loads(line) for line in text.splitlines()]  # every line is JSON
    assert any(e["message"].startswith(f"call_id={e.get('call_id')} call from {HIDDEN!r} on") for e in entries)
    assert any("phone numbers in the log: none" in e["message"] for e in entries)
    assert "9161234567" not in text
    [printout] = [e for e in entries if "one_time_password" in e]
    assert printout["admin_user"] == "admin" and len(printout["one_time_password"]) >= 12
    assert printout["logger"] == "api.app" and printout["level"] == "WARNING"
    assert printout["one_time_password"] not in printout["message"]  # one field holds it, nothing else


def test_serve_in_text_prints_the_one_time_password_as_before_and_logs_the_full_number(tmp_path: Path) -> None:
    text = _serve_and_call(tmp_path)
    assert "ivrgraph: created user 'admin' with the one-time password " in text
    assert f"call from {NUMBER!r} on scenario hello v1" in text
    assert "phone numbers in the log: full" in text


# -- the callback dialer and its AMI client ----------------------------------------------------------------------


@pytest.mark.parametrize("context", ["outbound-ivr", "outbound-typo"])  # the second: Asterisk refuses the Originate
async def test_the_dialer_and_the_ami_client_log_no_callees_number_nor_the_channel_dialled(
    ami: AmiClient, fake: FakeAmi, caplog: pytest.LogCaptureFixture, context: str
) -> None:
    """Whatever the mode, the dialer's lines name a job by its id, never the number it rings or the Originate's
    Channel: answered, busy, unanswered, congested, no such extension (the captures' callees)."""
    caplog.set_level(logging.DEBUG, logger="agi_server")
    clock, store = FixedClock(T0), MemoryJobStore()
    numbers = ("1123", "2000", "3000", "4000", "9000")
    for n, number in enumerate(numbers):
        store.add(MemoryJob(id=f"job-{n}", number=number, scenario="debt", due=T0, max_attempts=3))
    settings = DialerSettings(
        context=context, channel_template="Local/{number}@callees/n", max_lines=5, poll_interval=0.01, node_id="a"
    )
    dialer = Dialer(store=store, ami=ami, clock=clock, settings=settings)
    assert await dialer.run_once()
    await dialer.drain(timeout=10)
    said = "\n".join(record.getMessage() for record in caplog.records)
    assert "callback job job-" in said or "callback dialling paused" in said, said  # it did log its attempts
    assert "Local/" not in said and not [number for number in numbers if number in said], said
