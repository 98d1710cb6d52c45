"""One phone, however it is written: with IVRGRAPH_DEFAULT_COUNTRY set, a national number ("89161234567" in Russia)
is the same phone as its E.164 form ("+79161234567") for the call register's search, the Callback block's merging,
the dialer's one-call-at-a-time rule and a call list's duplicates; unset, numbers compare as they always did."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agi_server.options import default_country_setting
from api.csv_export import csv_cell
from api.settings import Settings
from graph_engine.services import CallbackRequest
from persistence import call_lists, callbacks, calls
from persistence.calls import CallFilter, CallRecordIn, CallRecordWriter
from persistence.db import Database
from persistence.errors import InvalidCallList
from persistence.phone_numbers import (
    DEFAULT_COUNTRY_ENV,
    configure_default_country,
    configured_default_country,
    default_country,
    impossible_number,
    one_form,
    phone_number,
    written_forms,
)
from tests.persistence.published import publish

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def country() -> Iterator[Callable[[str | None], None]]:
    """`country(code)`: compare numbers as `ivrgraph serve` or `ivrgraph agi` would with IVRGRAPH_DEFAULT_COUNTRY
    set to `code`; the process's own setting comes back afterwards."""
    before = configured_default_country()
    yield configure_default_country
    configure_default_country(before)


# Every form a row may hold one phone in, by country: with the trunk prefix, without it, with the calling code but
# no "+" (a Russian CRM's 79161234567), and with "+" or "00".
RU_MOBILE = {"89161234567", "9161234567", "79161234567", "+79161234567", "0079161234567"}
RU_MOSCOW = {"84951234567", "4951234567", "74951234567", "+74951234567", "0074951234567"}
ES_MOBILE = {"600123456", "34600123456", "+34600123456", "0034600123456"}  # Spain has no trunk prefix
# In a country whose numbers differ in length and have a trunk prefix, a national number is one phone only when
# written with it: "7911123456" or "447911123456" could be a local number (security review, 2026-12-05).
GB_MOBILE = {"07911123456", "+447911123456", "00447911123456"}
GB_LONDON = {"02071234567", "+442071234567", "00442071234567"}
DE_BERLIN = {"030123456", "+4930123456", "004930123456"}
US_NUMBER = {"2015550123", "12015550123", "+12015550123", "0012015550123"}

# (country, number as written, its one form, every form a row may hold it in)
FORMS = [
    ("RU", "89161234567", "+79161234567", RU_MOBILE),
    ("RU", "+79161234567", "+79161234567", RU_MOBILE),
    ("RU", "0079161234567", "+79161234567", RU_MOBILE),
    ("RU", "9161234567", "+79161234567", RU_MOBILE),
    ("RU", "84951234567", "+74951234567", RU_MOSCOW),
    ("RU", "+34600123456", "+34600123456", {"+34600123456", "0034600123456"}),  # abroad: no national form here
    ("RU", "8916123456", "8916123456", {"8916123456"}),  # a digit short: not a number of Russia, kept as written
    ("RU", "810441234567890", "810441234567890", {"810441234567890"}),  # Russia's own 8 10 prefix: not guessed
    ("ES", "600123456", "+34600123456", ES_MOBILE),
    ("ES", "0034600123456", "+34600123456", ES_MOBILE),
    ("ES", "89161234567", "89161234567", {"89161234567"}),
    ("GB", "07911123456", "+447911123456", GB_MOBILE),  # a Guernsey range, dialled the UK's way
    ("GB", "+447911123456", "+447911123456", GB_MOBILE),
    ("GB", "02071234567", "+442071234567", GB_LONDON),
    ("GB", "7911123456", "7911123456", {"7911123456"}),
    ("DE", "030123456", "+4930123456", DE_BERLIN),
    ("DE", "+4930123456", "+4930123456", DE_BERLIN),
    # Berlin's 030 123456 without its 0, or a Munich subscriber (+49 89 30123456) dialled locally: compared as
    # written, where it had been read as Berlin's and its calls found by a search for Berlin's number.
    ("DE", "30123456", "30123456", {"30123456"}),
    ("DE", "4930123456", "4930123456", {"4930123456"}),
    ("US", "3106324", "3106324", {"3106324"}),  # seven digits: a local number, not a US one
    ("US", "2015550123", "+12015550123", US_NUMBER),
    ("US", "12015550123", "+12015550123", US_NUMBER),
    ("US", "011447911123456", "011447911123456", {"011447911123456"}),  # the US international prefix: not guessed
    ("US", "123", "123", {"123"}),  # an extension
    # Unset: as always, only the international prefix is one ("+" or "00").
    (None, "89161234567", "89161234567", {"89161234567"}),
    (None, "+79161234567", "+79161234567", {"+79161234567", "0079161234567"}),
    (None, "0034600123456", "+34600123456", {"+34600123456", "0034600123456"}),
    (None, "600123456", "600123456", {"600123456"}),
]


@pytest.mark.parametrize(("code", "written", "one", "forms"), FORMS)
def test_a_number_has_one_form_and_the_forms_a_row_may_hold_it_in(
    country: Callable[[str | None], None], code: str | None, written: str, one: str, forms: set[str]
) -> None:
    country(code)
    assert one_form(written) == one
    assert written_forms(written) == forms


NUMBERS = [written for _, written, _, _ in FORMS]


@given(code=st.sampled_from(["RU", "ES", "GB", "US", "IT", "DE", "FR", None]), written=st.sampled_from(NUMBERS))
def test_every_form_a_row_may_hold_reads_back_as_the_same_phone(code: str | None, written: str) -> None:
    """`written_forms` finds no other phone: each of its forms has the number's one form."""
    before = configured_default_country()
    configure_default_country(code)
    try:
        assert {one_form(form) for form in written_forms(written)} == {one_form(written)}
    finally:
        configure_default_country(before)


@pytest.mark.parametrize(("value", "region"), [("", None), ("  ", None), ("RU", "RU"), (" es ", "ES"), ("gb", "GB")])
def test_the_default_country_is_read_the_same_by_the_api_and_by_a_fastagi_node(value: str, region: str | None) -> None:
    env = {DEFAULT_COUNTRY_ENV: value, "IVRGRAPH_DATABASE_URL": "sqlite:///x.sqlite3"}
    assert default_country(env) == region
    assert Settings.from_env(env).default_country == region
    assert default_country_setting(env) == region


@pytest.mark.parametrize("value", ["Russia", "XX", "UK", "001", "7"])
def test_a_default_country_that_is_not_a_country_code_is_refused_naming_the_variable(value: str) -> None:
    env = {DEFAULT_COUNTRY_ENV: value}
    message = re.escape(f"IVRGRAPH_DEFAULT_COUNTRY={value!r}: expected a country's ISO 3166 code")
    for read in (default_country, default_country_setting, Settings.from_env):
        with pytest.raises(ValueError, match=message):
            read(env)


def test_the_readme_lists_the_setting() -> None:
    table = [line for line in README.read_text(encoding="utf-8").splitlines() if line.startswith("| `IVRGRAPH_")]
    assert any(f"`{DEFAULT_COUNTRY_ENV}`" in line for line in table)


# The comparisons that use these forms, on SQLite and PostgreSQL.


def _call(call_id: str, caller: str) -> CallRecordIn:
    trace = {"answered": True, "steps": [{"node": "start", "type": "start", "events": []}]}
    return CallRecordIn(
        call_id=call_id,
        scenario="sales",
        started_at=T0,
        ended_at=T0 + timedelta(seconds=30),
        answered_at=T0,
        outcome="hung_up",
        caller_id=caller,
        trace=trace,
    )


def test_the_call_register_finds_a_caller_written_nationally_or_internationally(
    database: Database, country: Callable[[str | None], None]
) -> None:
    country("RU")
    CallRecordWriter(database).write_batch([_call("national", "89161234567"), _call("e164", "+79161234568")])
    with database.session() as session:
        for typed, found in [
            ("+7 916 123-45-67", ["national"]),
            ("89161234567", ["national"]),
            ("8 (916) 123-45-68", ["e164"]),
            ("+79161234568", ["e164"]),
            ("9161234568", ["e164"]),
        ]:
            rows, _ = calls.list_calls(session, filters=CallFilter(caller=typed), limit=10)
            assert [row.id for row in rows] == found, typed


def _request(number: str, call_id: str) -> CallbackRequest:
    return CallbackRequest(
        number=number,
        due=T0 + timedelta(minutes=10),
        window_end=None,
        scenario="cb",
        variables={},
        origin_call_id=call_id,
    )


async def test_a_callback_asked_in_e164_joins_the_one_waiting_for_the_national_number(
    database: Database, country: Callable[[str | None], None]
) -> None:
    """The caller came in on a trunk writing 8..., then on one writing +7...: one client, rung back once."""
    country("RU")
    publish(database, "cb")
    scheduler = callbacks.DatabaseCallbackScheduler(database, now=lambda: T0)
    first = await scheduler.schedule(_request("89161234567", "c1"))
    again = await scheduler.schedule(_request("+79161234567", "c2"))
    assert (again.merged, again.job_id) == (True, first.job_id)
    with database.session() as session:
        assert [job.number for job in callbacks.list_jobs(session, status="pending")] == ["89161234567"]  # as written
        assert [job.id for job in callbacks.list_jobs(session, number="+79161234567")] == [first.job_id]


def test_the_dialer_never_rings_a_phone_written_nationally_and_in_e164_twice_at_once(
    database: Database, country: Callable[[str | None], None]
) -> None:
    country("RU")
    publish(database, "cb")
    with database.session() as session:
        first = callbacks.create_job(session, number="89161234567", scenario="cb", due=T0, max_attempts=3).id
        callbacks.create_job(session, number="+79161234567", scenario="cb", due=T0, max_attempts=3)
    with database.session() as session:
        assert [job.id for job in callbacks.claim_due_jobs(session, now=T0, limit=10, node_id="n1")] == [first]
    with database.session() as session:
        assert callbacks.claim_due_jobs(session, now=T0, limit=10, node_id="n2") == []


def test_a_call_list_with_one_client_written_two_ways_names_the_duplicate(
    country: Callable[[str | None], None],
) -> None:
    country("RU")
    rows = [{"phone": "8 916 123-45-67"}, {"phone": "+7 916 123 45 67"}, {"phone": "+7 916 123 45 68"}]
    with pytest.raises(InvalidCallList) as refused:
        call_lists.plan_jobs(rows, number_column="phone", declared={}, campaign=call_lists.Campaign(due=T0))
    assert [(p["path"], p["code"], p["message"]) for p in refused.value.problems] == [
        ("$.rows[1].phone", "duplicate_number", "client 2: +79161234567 is already client 1")
    ]
    country(None)  # unset: two numbers, as before
    assert (
        len(call_lists.plan_jobs(rows, number_column="phone", declared={}, campaign=call_lists.Campaign(due=T0))) == 3
    )


@pytest.mark.parametrize(
    ("region", "number", "reason"),
    [
        (None, "+7912345678", "too_short"),  # "+7-912-345-67-8": nine digits after +7, Russia's numbers have ten
        (None, "+791612345678", "invalid_length"),  # Russia's numbers have ten digits, or fourteen
        (None, "+346001234567", "too_long"),
        (None, "+3460012345", "too_short"),
        (None, "+999123456", "unknown_country_code"),
        (None, "+79161234567", None),
        (None, "+4930123456", None),  # Berlin: German numbers have many lengths
        (None, "891234567", None),  # no default country: a number without "+" is not checked
        ("RU", "891234567", "too_short"),  # "8 912 345 67": the trunk prefix and eight digits
        ("RU", "12345678", "too_short"),
        ("RU", "89161234567", None),
        ("RU", "9161234567", None),
        ("RU", "1234567", None),  # a local number of seven digits, dialled within the area code
        ("RU", "2045", None),  # a PBX's extension
        ("RU", "900", None),  # a short number
        ("RU", "989161234567", None),  # a PBX's "9" for an outside line, then the national number: too long is kept
        ("DE", "0030123456", None),  # a German PBX's "0" for an outside line, then Berlin's 030 123456
        ("ES", "6001234", "too_short"),
        ("ES", "600123456", None),
        ("US", "5550123", None),  # a local number of seven digits
        ("US", "20155501", "too_short"),
    ],
)
def test_a_number_no_phone_of_its_country_has_is_found(
    country: Callable[[str | None], None], region: str | None, number: str, reason: str | None
) -> None:
    """Review of a Russian contact centre: "+7-912-345-67-8" passed a list's check. A number with a country code,
    or with a default country one longer than a number dialled without its area code, is checked against its
    country's lengths; an extension, a short number or a PBX's prefixed dial string is not."""
    country(region)
    assert impossible_number(number) == reason


@pytest.mark.parametrize(
    ("region", "number", "reason"),
    [
        ("ES", "123", "too_short"),  # an extension's CallerID: the trunk reaches nobody there
        ("ES", "11888", "too_short"),
        ("RU", "2045", "too_short"),
        ("RU", "1234567", None),  # a local number of seven digits, dialled within the area code
        ("ES", "600123456", None),
        ("DE", "123", None),  # German numbers have many lengths: a short one may be a local number
        (None, "123", None),  # no default country: a number without "+" is not checked
        ("ES", "0034600", None),  # a PBX's "0" for an outside line may stand before it
        ("ES", "+34112", "too_short"),
    ],
)
def test_without_extensions_a_short_national_number_is_checked_too(
    country: Callable[[str | None], None], region: str | None, number: str, reason: str | None
) -> None:
    """A caller's CallerID the Callback block would ring back on the trunk (persistence.callbacks.refused_number):
    nobody chose it, so an extension or a truncated number is no phone to call, unlike a list's "2045"."""
    country(region)
    assert impossible_number(number, extensions=False) == reason


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("'+7 (495) 123-45-67", "+74951234567"),  # as the campaign report writes it
        ("'89161234567", "89161234567"),  # as an Excel user keeps a number as text
        ("''+74951234567", None),
        ("+7 (495) 123-45-67'", None),
    ],
)
def test_one_leading_apostrophe_is_dropped(written: str, number: str | None) -> None:
    """The report's formula guard (api.csv_export.csv_cell) writes "'+7 (495) 123-45-67"; uploaded back as a list,
    it was refused as no phone number."""
    assert phone_number(written) == number
    if number is not None:
        assert phone_number(csv_cell(written[1:])) == number  # the guard's mark on the way out, dropped on the way in


def test_a_call_list_refuses_a_number_too_short_for_the_default_country(country: Callable[[str | None], None]) -> None:
    country("RU")
    rows = [{"phone": "8 912 345 67"}, {"phone": "8 912 345 67 89"}, {"phone": "201"}]
    with pytest.raises(InvalidCallList) as refused:
        call_lists.plan_jobs(rows, number_column="phone", declared={}, campaign=call_lists.Campaign(due=T0))
    assert [(p["path"], p["code"], p["params"]) for p in refused.value.problems] == [
        ("$.rows[0].phone", "impossible_number",
         {"client": 1, "column": "phone", "value": "8 912 345 67", "reason": "too_short"}),
    ]  # fmt: skip
