"""Numbers an error quotes, redacted in the log (`--log-phone-numbers masked|none`, agi_server.logs).

Security review: `phone_number` hid the caller's number in the lines that name it on purpose, but a block's error
and its traceback were written as they came, and a Transfer's error quoted '+7 916 123-45-67' whole. So in `masked`
and `none` every line at WARNING or above, and any traceback or stack, has its number-like runs written as
`phone_number` writes a number; the plumbing (call ids, times, addresses, line numbers) stays readable. The calls
here are real FastAGI calls over TCP from the fake Asterisk (basic.txt: a missing sound file is `200 result=-1
endpos=0` on a live channel), logged through `configure_logging` as `ivrgraph agi` logs.
"""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from agi_server.logs import HIDDEN, LogSettings, configure_logging, phone_number, redact_phone_numbers
from agi_server.scenarios import CachedScenarioSource, PublishedScenario
from graph_engine.block import BlockType
from graph_engine.channel import Prompt
from graph_engine.context import BlockContext
from graph_engine.document import parse_document
from tests.agi_server.conftest import StartServer, call, registry_with
from tests.conftest import make_document
from tests.fakes.asterisk import default_env, parse_args

CALLER = "+7 916 123-45-67"  # the security review's form: a Transfer cannot show it, and said so
DIGITS = "79161234567"


# -- what a number-like run is ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked", "hidden"),
    [
        (
            f"caller id {CALLER!r} is not a phone number",
            "caller id '+* *** ***-**-67' is not",
            "caller id '<hidden>' is",
        ),
        ("8 (916) 123 45 67", "* (***) *** ** 67", HIDDEN),
        ("+34911234567", "+*********67", HIDDEN),
        ("+7(916)1234567.", "+*(***)*****67.", "<hidden>."),  # a full stop after it is the sentence's
        ("tel:+1-202-555-0100", "tel:+*-***-***-**00", "tel:<hidden>"),
        ("sip:+4930123456@host", "sip:+********56@host", "sip:<hidden>@host"),
        (
            "Local/79161234567@callees-0000001;1",
            "Local/*********67@callees-0000001;1",
            "Local/<hidden>@callees-0000001;1",
        ),
        ("PJSIP/79161234567-0000002a", "PJSIP/*********67-0000002a", "PJSIP/<hidden>-0000002a"),  # a channel name
        ("could not play 'callers/79161234567'", "play 'callers/*********67'", "play 'callers/<hidden>'"),  # a variable
        ("202.555.0100", "***.***.**00", HIDDEN),
        ("1234567", "*****67", HIDDEN),  # seven digits: a local number
        ("٩١٦١٢٣٤٥٦٧", "********٦٧", HIDDEN),  # Arabic-Indic digits are digits, as for `phone_number`
        # percent-encoded in a URL a plugin called (httpx's own lines): '%2B' is the '+', '%20' a space
        ("/contacts?phone=%2B34600000005 ", "?phone=%2B*********05 ", "?phone=<hidden> "),
        ("?phone=%2B34%20600%20000%20005&x=1", "=%2B**%20***%20***%20*05&x=1", "=<hidden>&x=1"),
        ("?phone=%2b34600000005", "?phone=%2b*********05", "?phone=<hidden>"),
        ("?phone=%2B%2834%29600000005", "=%2B%28**%29*******05", "=<hidden>"),
        # a tel: or sip: URI quoted whole in a query ('%3A' is the ':'), and a form-encoded space ('+')
        ("?uri=tel%3A%2B34600000005&x=1", "=tel%3A%2B*********05&x=1", "=tel%3A<hidden>&x=1"),
        ("?to=sip%3A79161234567%40pbx", "=sip%3A*********67%40pbx", "=sip%3A<hidden>%40pbx"),
        ("?q=%2F79161234567", "=%2F*********67", "=%2F<hidden>"),
        ("?phone=+34+600+000+005&x=1", "=+**+***+***+*05&x=1", "=<hidden>&x=1"),
    ],
)
def test_number_like_runs_are_written_as_phone_number_writes_them(text: str, masked: str, hidden: str) -> None:
    assert masked in redact_phone_numbers(text, mode="masked")
    assert hidden in redact_phone_numbers(text, mode="none")
    assert redact_phone_numbers(text, mode="full") == text


@pytest.mark.parametrize(
    "text",
    [
        "call_id=0123456789abcdef0123456789abcdef",  # a call id: 32 hex digits, often seven decimal ones in a row
        "call_id=1234567abcdef0123456789012345678",
        "123e4567-e89b-12d3-a456-426614174000",  # a uuid, its last group all decimal digits
        "2026-12-05 10:00:00,123",  # logging's asctime, and datetime's str and isoformat
        "2026-12-05 10:00:00.123456+00:00",
        "2026-12-05T10:00:00.123Z",
        "from 192.168.100.200:4573, ::ffff:10.0.0.1 and [::1]:5038",
        'File "/work/main/graph_engine/interpreter.py", line 123456, in run',
        "/var/spool/asterisk/2026/12/05/a.wav",
        "blocked for 0.123456789 s; uniqueid 1795295104.117",  # a duration, an Asterisk uniqueid
        "HTTP 503 after 12345 ms on port 54321 (python3.12)",
        "object at 0x7f3a2b1c4d50",
        "123456",  # six digits: not a number a caller has
        "+*********67",  # what `phone_number` wrote: written again unchanged
        "+* (***) ***-**-67",
        HIDDEN,
        # in a URL: ids, ports, times and escapes' own digits are not a number
        "http://10.0.0.1:8080/contacts?id=123456&page=2",
        "http://crm.example:54321/contacts?phone=%2B123456",  # six digits
        "?since=2026-12-05T10%3A00%3A00.123Z&until=2026-12-05%2010%3A00%3A00",
        "?uniqueid=1795295104.117&took=0.123456789",
        "?q=a%201234%2056",  # 'a 1234 56': six digits, the escapes' 2s and 0s are not digits of it
        "?id=abc%2B1234567",  # glued to a word, as 'abc+1234567' is
        "?call_id=0123456789abcdef0123456789abcdef%2B",
    ],
)
def test_log_plumbing_keeps_its_digits(text: str) -> None:
    assert redact_phone_numbers(text, mode="masked") == text
    assert redact_phone_numbers(text, mode="none") == text


def _line_of(code: str) -> int:
    """The line of this file that is `code`, or that ends with it."""
    lines = Path(__file__).read_text().splitlines()
    [number] = [n for n, line in enumerate(lines, 1) if line.strip() == code or line.endswith(f"  {code}")]
    return number


# -- through configure_logging ------------------------------------------------------------------------------------


LOGS_IT = "# LOGS_IT"  # marks the line of `_logged` that logs


def _logged(mode: str, log_format: str, *records: tuple[int, str, dict[str, Any]]) -> str:
    stream = io.StringIO()
    configure_logging(LogSettings(format=log_format, phone_numbers=mode), stream=stream)
    for level, message, kwargs in records:
        logging.getLogger("acme.crm").log(level, message, **kwargs)  # LOGS_IT
    return stream.getvalue()


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_every_line_traceback_and_stack_is_redacted_whatever_its_level(root_logging: None, log_format: str) -> None:
    try:
        raise LookupError(f"no customer {DIGITS}")
    except LookupError:
        exc_info = sys.exc_info()
    text = _logged(
        "masked",
        log_format,
        (logging.INFO, f"call from {phone_number(CALLER, mode='masked')!r} at 2026-12-05 10:00:00", {}),
        (logging.INFO, f"an INFO line naming {DIGITS} on purpose", {}),
        (logging.WARNING, f"Asterisk could not play 'callers/{DIGITS}'", {}),
        (logging.ERROR, f"lookup of {CALLER} failed", {"exc_info": exc_info}),
        (logging.INFO, f"dialling {DIGITS}", {"stack_info": True}),
    )
    lines = [json.loads(line) for line in text.splitlines()] if log_format == "json" else []
    assert "call from '+* *** ***-**-67' at 2026-12-05 10:00:00" in text  # `phone_number`'s, not written twice
    assert "an INFO line naming *********67 on purpose" in text  # INFO too: any logger's, a library's say
    assert "could not play 'callers/*********67'" in text
    assert "lookup of +* *** ***-**-67 failed" in text
    assert "LookupError: no customer *********67" in text
    assert "Traceback (most recent call last)" in text and "dialling *********67" in text
    assert DIGITS not in text
    stack = text
    if lines:
        [failed] = [line for line in lines if line["message"].startswith("lookup of")]
        assert failed["exc"].endswith("LookupError: no customer *********67")
        [dialling] = [line for line in lines if line["message"].startswith("dialling")]
        stack = dialling["stack"]
    assert "Stack (most recent call last)" in stack
    assert f'File "{__file__}", line {_line_of(LOGS_IT)}, in _logged' in stack  # line numbers as they were


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_full_mode_changes_nothing(root_logging: None, log_format: str) -> None:
    try:
        raise LookupError(f"no customer {DIGITS}")
    except LookupError:
        text = _logged("full", log_format, (logging.WARNING, f"lookup of {CALLER} failed", {"exc_info": True}))
    assert f"lookup of {CALLER} failed" in text and f"LookupError: no customer {DIGITS}" in text


def test_another_handler_gets_the_record_as_it_was_logged(root_logging: None, caplog: pytest.LogCaptureFixture) -> None:
    """The redaction is the command's handler's: a record is not changed for the others (pytest's here)."""
    try:
        raise LookupError(DIGITS)
    except LookupError:
        text = _logged("none", "text", (logging.ERROR, f"lookup of {CALLER} failed", {"exc_info": True}))
    assert DIGITS not in text and CALLER not in text
    [record] = [r for r in caplog.records if r.name == "acme.crm"]
    assert record.getMessage() == f"lookup of {CALLER} failed" and DIGITS in caplog.text


# -- a library's lines: httpx ----------------------------------------------------------------------------------

ENCODED_CALLER = "%2B34600000005"  # '+34600000005' as httpx writes it in a query string


@pytest.fixture
def http_library_levels() -> Iterator[None]:
    """httpx's and httpcore's logger levels back as they were: `configure_logging` sets them."""
    loggers = [logging.getLogger(name) for name in ("httpx", "httpcore")]
    levels = [logger.level for logger in loggers]
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def _plugin_looks_up_the_caller(mode: str, log_format: str, *, httpx_level: int | None = None) -> str:
    """A plugin's HTTP lookup of '+34600000005' (a real httpx client; the CRM answers 500) under the logging
    `configure_logging` sets up, its failure logged with its traceback as the interpreter logs a block's: the log.
    `httpx_level`: httpx's logger's, set after `configure_logging` (as a plugin could)."""
    stream = io.StringIO()
    configure_logging(LogSettings(format=log_format, phone_numbers=mode), stream=stream)
    if httpx_level is not None:
        logging.getLogger("httpx").setLevel(httpx_level)
    crm = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(500)))
    try:
        crm.get("http://crm.example:8080/contacts", params={"phone": "+34600000005"}).raise_for_status()
    except httpx.HTTPStatusError as failed:
        logging.getLogger("acme.crm").warning("lookup failed: %s", failed, exc_info=True)
    return stream.getvalue()


@pytest.mark.parametrize("log_format", ["text", "json"])
@pytest.mark.parametrize(("mode", "shown"), [("masked", "%2B*********05"), ("none", HIDDEN)])
def test_a_url_quoting_the_number_percent_encoded_is_redacted_in_a_library_line_and_a_traceback(
    root_logging: None, http_library_levels: None, mode: str, shown: str, log_format: str
) -> None:
    text = _plugin_looks_up_the_caller(mode, log_format, httpx_level=logging.INFO)

    assert "34600000005" not in text, text
    assert f"HTTP Request: GET http://crm.example:8080/contacts?phone={shown}" in text  # httpx's own INFO line
    assert f"for url 'http://crm.example:8080/contacts?phone={shown}'" in text  # the exception's words
    assert "httpx.HTTPStatusError: Server error '500 Internal Server Error'" in _tracebacks(text, log_format)


@pytest.mark.parametrize("log_level", ["DEBUG", "INFO"])
def test_http_libraries_log_no_request_lines(root_logging: None, http_library_levels: None, log_level: str) -> None:
    """httpx's INFO line names every URL a plugin calls, and httpcore's DEBUG ones every connection: WARNING and
    above only, whatever the node's level."""
    stream = io.StringIO()
    configure_logging(LogSettings(level=log_level), stream=stream)
    logging.getLogger("httpcore.connection").debug("connect_tcp.started host='crm.example' port=8080")
    text = _plugin_looks_up_the_caller("full", "text")

    assert "HTTP Request" not in text and "connect_tcp" not in text
    assert "lookup failed" in text


def test_http_libraries_keep_a_level_above_warning(root_logging: None, http_library_levels: None) -> None:
    stream = io.StringIO()
    configure_logging(LogSettings(level="ERROR"), stream=stream)
    logging.getLogger("httpx").warning("a warning of httpx's")
    assert stream.getvalue() == ""


# -- a real FastAGI call -----------------------------------------------------------------------------------------


class CrmLookup(BlockType):
    """Looks the caller up in a CRM that does not know them: its error, and the one it was raised from, quote
    the caller's number, as a library's errors do."""

    type = "acme.crm_lookup"
    title = "CRM lookup"

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        caller = str(ctx.variables["caller_id"])
        try:
            {}[caller]
        except KeyError as missing:
            raise LookupError(f"the CRM has no customer with the number {caller!r}") from missing
        return "next"


class GreetsByNumber(BlockType):
    """Plays a greeting recorded for the caller's number, which is missing: a media name from a variable."""

    type = "acme.greet_by_number"
    title = "Greet by number"

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        digits = "".join(char for char in str(ctx.variables["caller_id"]) if char.isdigit())
        await ctx.play(Prompt(audio=f"callers/{digits}"))
        return "next"


async def _call_log(start_server: StartServer, mode: str, log_format: str) -> str:
    """One call from CALLER through CrmLookup (failing, to its `error` exit), GreetsByNumber (failing, to its
    `error` exit) and a Transfer showing the caller's ID (which it cannot show: the call fails), logged at INFO
    in `log_format` with numbers in `mode`: the whole log."""
    nodes = [
        {"id": "start", "type": "start"},
        {"id": "crm", "type": CrmLookup.type},
        {"id": "greet", "type": GreetsByNumber.type},
        {"id": "t", "type": "transfer", "config": {"target": "100", "caller_id": "{{ caller_id }}"}},
    ]
    edges = [("start", "next", "crm"), ("crm", "error", "greet"), ("greet", "error", "t")]
    source = CachedScenarioSource()
    source.publish(PublishedScenario("s", 1, parse_document(make_document(nodes, edges))))
    stream = io.StringIO()
    configure_logging(LogSettings(format=log_format, phone_numbers=mode), stream=stream)
    server = await start_server(source=source, registry=registry_with(CrmLookup, GreetsByNumber))
    fake = await call(server, "s", env=default_env("s", callerid=CALLER), missing_media=[f"ivrgraph/callers/{DIGITS}"])
    await server.stop()
    assert parse_args(fake.commands[1]) == ["STREAM", "FILE", f"ivrgraph/callers/{DIGITS}", ""], fake.commands
    return stream.getvalue()


def _tracebacks(text: str, log_format: str) -> str:
    if log_format == "json":
        return "\n".join(entry.get("exc", "") for entry in map(json.loads, text.splitlines()))
    return text


@pytest.mark.parametrize("log_format", ["text", "json"])
@pytest.mark.parametrize(("mode", "shown"), [("masked", "+* *** ***-**-67"), ("none", HIDDEN)])
async def test_a_call_whose_blocks_fail_quoting_the_caller_logs_no_number_and_keeps_its_tracebacks(
    start_server: StartServer, root_logging: None, mode: str, shown: str, log_format: str
) -> None:
    text = await _call_log(start_server, mode, log_format)

    for part in (CALLER, "916 123", "123-45", DIGITS, "9161234567"):  # the call's times and ids may hold "916"
        assert part not in text, text
    assert f"call from {shown!r} on scenario s v1" in text  # `phone_number`'s own, as it was
    tracebacks = _tracebacks(text, log_format)
    assert "Traceback (most recent call last)" in tracebacks
    assert "The above exception was the direct cause of the following exception" in tracebacks
    assert f'File "{__file__}", line {_line_of("{}[caller]")}, in run' in tracebacks, tracebacks
    assert f"LookupError: the CRM has no customer with the number {shown!r}" in tracebacks
    played = "*********67" if mode == "masked" else HIDDEN
    assert f"block greet ({GreetsByNumber.type}) failed: Asterisk could not play 'ivrgraph/callers/{played}'" in text
    assert "call ended: failed" in text


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_the_same_call_logs_the_number_in_full_mode(
    start_server: StartServer, root_logging: None, log_format: str
) -> None:
    text = await _call_log(start_server, "full", log_format)

    tracebacks = _tracebacks(text, log_format)
    assert f"LookupError: the CRM has no customer with the number {CALLER!r}" in tracebacks
    assert f"KeyError: {CALLER!r}" in tracebacks
    assert f"Asterisk could not play 'ivrgraph/callers/{DIGITS}'" in text
    assert f"call from {CALLER!r} on scenario s v1" in text
