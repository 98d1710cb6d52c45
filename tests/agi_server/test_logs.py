"""Log setup (agi_server.logs): the JSON Lines formatter, and `ivrgraph agi` logging through it as a real process.

Operations review: the logs were hard to ship. No JSON; a traceback spread over many lines, which a line-based
shipper splits into as many records; a warning said while the options were read went out before logging was set
up, without time or level.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from agi_server.call_log import CallLog
from agi_server.logs import JsonLinesFormatter, LogSettings, configure_logging
from blocks import default_registry
from persistence import scenarios
from persistence.db import Database
from persistence.migrate import upgrade
from persistence.publishing import publish
from tests.agi_server.agi_process import agi_log_around_a_call
from tests.conftest import free_port
from tests.fakes.asterisk import default_env
from tests.persistence import documents

ISO_UTC_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
CALL_ID = re.compile(r"^[0-9a-f]{32}$")


def _record(message: str, *args: object, exc_info: Any = None, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("agi_server.server", logging.ERROR, __file__, 1, message, args, exc_info)
    record.__dict__.update(extra)
    return record


def _one_line(text: str) -> dict[str, Any]:
    """The record as a shipper splitting on line ends sees it: exactly one line, one JSON object."""
    assert len(text.splitlines()) == 1, text
    entry = json.loads(text)
    assert isinstance(entry, dict)
    return entry


def test_a_record_is_one_json_object_with_time_level_logger_and_the_formatted_message() -> None:
    entry = _one_line(JsonLinesFormatter().format(_record("call from %r on %s", "600", "hello")))
    assert entry["message"] == "call from '600' on hello"
    assert (entry["level"], entry["logger"]) == ("ERROR", "agi_server.server")
    assert ISO_UTC_MS.match(entry["time"]), entry["time"]


def test_a_traceback_is_one_string_field_on_the_same_line() -> None:
    try:
        1 / 0  # noqa: B018 - the exception is the point
    except ZeroDivisionError:
        entry = _one_line(JsonLinesFormatter().format(_record("call failed", exc_info=sys.exc_info())))
    assert entry["message"] == "call failed"
    assert entry["exc"].startswith("Traceback (most recent call last):")
    assert entry["exc"].rstrip().endswith("ZeroDivisionError: division by zero")


def test_a_call_logger_line_carries_its_call_id_as_a_field() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("tests.agi_server.test_logs.call")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLinesFormatter())
    logger.addHandler(handler)
    logger.propagate = False
    try:
        CallLog(logger, {"call_id": "c0ffee"}).warning("refused a FastAGI call from %s", "10.0.0.9")
    finally:
        logger.removeHandler(handler)
    entry = _one_line(stream.getvalue())
    assert entry["call_id"] == "c0ffee"
    assert entry["level"] == "WARNING" and "refused a FastAGI call from 10.0.0.9" in entry["message"]


def test_extra_fields_that_json_can_carry_are_kept_the_others_left_out() -> None:
    entry = _one_line(
        JsonLinesFormatter().format(
            _record("x", job_id=7, numbers=["600"], socket=object(), color_message="\x1b[1mx\x1b[0m", level="fake")
        )
    )
    assert (entry["job_id"], entry["numbers"]) == (7, ["600"])
    assert "socket" not in entry  # not serialisable: dropped rather than the record lost
    assert "color_message" not in entry  # uvicorn's coloured copy of the message
    assert entry["level"] == "ERROR"  # an extra never overwrites a field of the record itself


def test_line_separators_inside_a_message_stay_on_one_line() -> None:
    """Unicode line separators in a caller's input: json leaves them raw, and some readers split lines on them."""
    entry = _one_line(JsonLinesFormatter().format(_record("input %s", "a\u2028b\u2029c\x85d\ne")))
    assert entry["message"] == "input a\u2028b\u2029c\x85d\ne"


def test_terminal_controls_and_bidi_overrides_are_escaped_not_written_raw() -> None:
    """Security review, 2026-12-05: a C1 CSI (U+009B) or a right-to-left override (U+202E) in a caller's input
    came out raw, steering how a terminal or viewer shows the record."""
    text = JsonLinesFormatter().format(_record("input %s", "a\x9b31mb\u202ec\u2066d\x1be"))
    assert not any(character in text for character in "\x9b\u202e\u2066\x1b"), ascii(text)
    assert "\\u009b" in text and "\\u202e" in text and "\\u2066" in text
    assert _one_line(text)["message"] == "input a\x9b31mb\u202ec\u2066d\x1be"


def test_configuring_twice_leaves_one_handler_at_the_last_level(root_logging: None) -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging(LogSettings(level="DEBUG", format="text"), stream=first)
    configure_logging(LogSettings(level="WARNING", format="json"), stream=second)
    logging.getLogger("tests.logs").info("not at WARNING")
    logging.getLogger("tests.logs").warning("said once")
    assert first.getvalue() == ""
    assert [json.loads(line)["message"] for line in second.getvalue().splitlines()] == ["said once"]


async def _published_hello(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'node.sqlite3'}"
    upgrade(url)
    database = Database(url)
    try:
        with database.session() as session:
            scenarios.create_scenario(session, slug="hello", document=documents.greeting("Hello"), actor="ana")
        with database.session() as session:
            await publish(session, slug="hello", message="v1", actor="ana", registry=default_registry())
    finally:
        database.dispose()
    return url


async def test_agi_logs_json_lines_from_the_first_line_to_the_last(tmp_path: Path) -> None:
    """`ivrgraph agi --log-format json` on a SQLite database, one call (the fake Asterisk follows env.txt and
    basic.txt of ../shared/asterisk): every line on stderr is one JSON object, the host-bits warning said while
    the options were read included, and the call's lines carry its call id as a field."""
    url = await _published_hello(tmp_path)
    returncode, text = await agi_log_around_a_call(
        tmp_path,
        ["--log-format", "json", "--allow", "127.0.0.1/32", "--allow", "10.0.0.5/24"],
        {"IVRGRAPH_DATABASE_URL": url, "IVRGRAPH_MEDIA_ROOT": str(tmp_path / "media")},
        default_env("hello"),
    )
    assert returncode == 0, text
    entries = [_one_line(line) for line in text.splitlines()]
    assert all(ISO_UTC_MS.match(e["time"]) and e["level"] and e["logger"] for e in entries), text
    host_bits = [e for e in entries if "has host bits set" in e["message"]]
    assert [(e["level"], e["logger"]) for e in host_bits] == [("WARNING", "agi_server.options")]
    call_lines = [e for e in entries if "call_id" in e]
    assert any("on scenario hello v1" in e["message"] for e in call_lines), text
    assert all(CALL_ID.match(e["call_id"]) for e in call_lines)
    assert any(e["message"].startswith("FastAGI stopped") for e in entries)


@pytest.mark.parametrize(
    ("arguments", "environment", "message"),
    [
        (["--log-format", "xml"], {}, "invalid choice: 'xml'"),
        ([], {"IVRGRAPH_LOG_FORMAT": "xml"}, "IVRGRAPH_LOG_FORMAT: 'xml' is not one of text, json"),
        ([], {"IVRGRAPH_LOG_LEVEL": "LOUD"}, "IVRGRAPH_LOG_LEVEL: 'LOUD' is not one of DEBUG, INFO, WARNING"),
    ],
)
@pytest.mark.parametrize("command", ["agi", "serve"])
def test_a_log_setting_that_cannot_work_stops_the_command_with_one_line(
    tmp_path: Path, command: str, arguments: list[str], environment: dict[str, str], message: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IVRGRAPH_")} | environment
    ports = ["--port", str(free_port())] + (["--agi-port", str(free_port())] if command == "serve" else [])
    done = subprocess.run(
        [sys.executable, "-m", "ivrgraph.cli", command, *ports, *arguments],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=30,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "ivrgraph.sqlite3").exists()  # refused before anything started
