"""An emergency number is never dialled, whoever asks: a call list's row "112", an integration's callback, a caller
whose CallerID (which can be spoofed) says "911" asking the Callback block to be called back. Checked for the default
country (IVRGRAPH_DEFAULT_COUNTRY) when there is one, else for every region libphonenumber knows the short numbers of.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import phonenumbers
import pytest
from sqlalchemy import insert

from graph_engine.services import CallbackRefused, CallbackRequest
from persistence import call_lists, callbacks, phone_numbers
from persistence.db import Database
from persistence.errors import InvalidCallback, InvalidCallList
from persistence.models import CallbackJob
from persistence.phone_numbers import configure_default_country, configured_default_country, is_emergency_number
from tests.persistence.published import publish

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
REFUSED = "the callback cannot be scheduled: 112 is an emergency number and is never dialled"


@pytest.fixture
def country() -> Iterator[Callable[[str | None], None]]:
    """`country(code)`: numbers as `ivrgraph serve` and `ivrgraph agi` read them with IVRGRAPH_DEFAULT_COUNTRY set
    to `code`; the process's own setting comes back afterwards."""
    before = configured_default_country()
    yield configure_default_country
    configure_default_country(before)


def test_only_numbers_of_two_to_six_digits_are_looked_up_as_the_metadata_has_them() -> None:
    """Every region's emergency numbers are 2 to 6 digits long, so a longer number is never looked up."""
    lengths: set[int] = set()
    for region in phonenumbers.SUPPORTED_SHORT_REGIONS:
        metadata = phonenumbers.PhoneMetadata.short_metadata_for_region(region)
        if metadata is not None and metadata.emergency is not None:
            lengths |= set(metadata.emergency.possible_length)
    assert min(lengths) == 2 and max(lengths) == 6
    assert set(phone_numbers._EMERGENCY_LENGTHS) >= lengths


@pytest.mark.parametrize(
    ("code", "number", "emergency"),
    [
        (None, "112", True),
        (None, "911", True),
        (None, "1 1 2", True),  # as people type it
        (None, "(911)", True),
        (None, "01", True),  # Russia's fire brigade (and Latvia's, Lithuania's...), with no country set
        (None, "999", True),
        # Written with "+" a short number is no emergency call for libphonenumber: dialling a country code before
        # one is not believed to connect (shortnumberinfo's `_matches_emergency_number_helper`).
        (None, "+34 112", False),
        (None, "+112", False),
        (None, "00112", False),
        (None, "1120", False),  # an exact match: 112 followed by more digits is another number
        (None, "01 23 45 67 89", False),  # a Paris number begins with Russia's 01: no prefix match
        (None, "600123456", False),
        (None, "call me", False),
        ("RU", "01", True),
        ("RU", "112", True),
        ("RU", "911", False),  # not Russia's: the trunk is in Russia
        ("ES", "01", False),
        ("ES", "112", True),
        ("US", "911", True),
        ("US", "112", True),
        ("IO", "01", True),  # a country whose short numbers libphonenumber does not know: checked as with none
    ],
)
def test_an_emergency_number_is_one_of_the_default_country_or_of_any_region(
    country: Callable[[str | None], None], code: str | None, number: str, emergency: bool
) -> None:
    country(code)
    assert is_emergency_number(number) is emergency


def test_phonenumbers_says_a_plus_before_a_short_number_makes_no_emergency_call() -> None:
    assert phonenumbers.shortnumberinfo.is_emergency_number("112", "ES")
    assert not phonenumbers.shortnumberinfo.is_emergency_number("+34112", "ES")


def test_a_long_list_of_ordinary_numbers_looks_up_no_short_number() -> None:
    """A 20,000-row list costs nothing more: numbers longer than six digits never reach libphonenumber, and a short
    number is looked up once."""
    before = phone_numbers._emergency.cache_info()
    rows = [{"phone": f"+34 6{n:08d}"} for n in range(20_000)]
    assert len(call_lists.plan_jobs(rows, number_column="phone", declared={}, campaign=call_lists.Campaign(due=T0)))
    assert phone_numbers._emergency.cache_info() == before
    assert is_emergency_number("112") and is_emergency_number("112")
    after = phone_numbers._emergency.cache_info()
    assert after.hits >= before.hits + 1 and after.misses <= before.misses + 1


# A call list's rows.


def _problems(rows: list[dict[str, Any]]) -> list[tuple[str, str, dict[str, Any], str]]:
    with pytest.raises(InvalidCallList) as refused:
        call_lists.plan_jobs(
            rows, number_column="phone", declared={}, campaign=call_lists.Campaign(due=T0), row_numbers=[2, 3, 4, 5]
        )
    return [(p["path"], p["code"], p["params"], p["message"]) for p in refused.value.problems]


def test_a_list_row_with_an_emergency_number_is_a_problem_naming_it(country: Callable[[str | None], None]) -> None:
    country(None)
    rows = [{"phone": "600111213"}, {"phone": "112"}, {"phone": "9 1 1"}, {"phone": "+34 112"}]
    assert _problems(rows) == [
        ("$.rows[1].phone", "emergency_number", {"row": 3, "column": "phone", "value": "112"},
         "row 3: 112 is an emergency number and is never dialled"),
        ("$.rows[2].phone", "emergency_number", {"row": 4, "column": "phone", "value": "9 1 1"},
         "row 4: 9 1 1 is an emergency number and is never dialled"),
        # A country code before a short number is no emergency call (libphonenumber), and no phone of Spain either:
        # too short for a Spanish number (review of a Russian contact centre: "+7-912-345-67-8" was called).
        ("$.rows[3].phone", "impossible_number",
         {"row": 5, "column": "phone", "value": "+34 112", "reason": "too_short"},
         "row 5: '+34 112' is no phone number: too few digits for a number of its country"),
    ]  # fmt: skip


def test_a_list_of_ordinary_numbers_is_called(country: Callable[[str | None], None]) -> None:
    country(None)
    rows = [{"phone": "600111213"}, {"phone": "+34 600 111 214"}, {"phone": "+7 916 123 45 67"}]
    planned = call_lists.plan_jobs(rows, number_column="phone", declared={}, campaign=call_lists.Campaign(due=T0))
    assert [job.number for job in planned] == ["600111213", "+34600111214", "+79161234567"]


@pytest.mark.parametrize("code", ["RU", None])
def test_one_or_two_digits_are_no_phone_number_in_a_list(
    country: Callable[[str | None], None], code: str | None
) -> None:
    """A wrong column (an age, a count) or a two-digit short code such as Russia's 01: not a client's phone."""
    country(code)
    rows = [{"phone": "01"}, {"phone": "42"}, {"phone": "+7"}, {"phone": "+79161234567"}]
    assert [(path, code, params) for path, code, params, _ in _problems(rows)] == [
        ("$.rows[0].phone", "not_a_phone_number", {"row": 2, "column": "phone", "value": "01"}),
        ("$.rows[1].phone", "not_a_phone_number", {"row": 3, "column": "phone", "value": "42"}),
        ("$.rows[2].phone", "not_a_phone_number", {"row": 4, "column": "phone", "value": "+7"}),
    ]


def test_a_list_is_checked_for_the_default_countrys_emergency_numbers(country: Callable[[str | None], None]) -> None:
    country("RU")
    rows = [{"phone": "911"}, {"phone": "112"}, {"phone": "102"}]  # 102: Russia's police
    assert [(path, code) for path, code, _, _ in _problems(rows)] == [
        ("$.rows[1].phone", "emergency_number"),
        ("$.rows[2].phone", "emergency_number"),
    ]


# Every way a job is made, on SQLite and PostgreSQL.


def _jobs(database: Database) -> list[str]:
    with database.session() as session:
        return [job.number for job in callbacks.list_jobs(session)]


def test_a_job_for_an_emergency_number_is_refused_naming_the_number(database: Database) -> None:
    publish(database, "cb")
    with pytest.raises(InvalidCallback) as refused, database.session() as session:
        callbacks.create_job(session, number="112", scenario="cb", due=T0)
    message = "112 is an emergency number and is never dialled"
    assert refused.value.problems == [
        {"path": "$.number", "code": "emergency_number", "params": {"value": "112"}, "message": message}
    ]
    assert str(refused.value) == REFUSED
    with database.session() as session:
        callbacks.create_job(session, number="+34600111213", scenario="cb", due=T0)
    assert _jobs(database) == ["+34600111213"]


def _request(number: str, call_id: str = "call-1") -> CallbackRequest:
    return CallbackRequest(
        number=number,
        due=T0 + timedelta(minutes=10),
        window_end=None,
        scenario="cb",
        variables={},
        origin_call_id=call_id,
    )


async def test_the_callback_blocks_scheduler_refuses_an_emergency_caller_id(database: Database) -> None:
    """A caller whose CallerID says 112: the block's scheduler answers why (its `rejected` exit, not a failure of
    the call), and no job is made."""
    publish(database, "cb")
    scheduler = callbacks.DatabaseCallbackScheduler(database, now=lambda: T0)
    assert await scheduler.schedule(_request("112")) == CallbackRefused("emergency number")
    assert _jobs(database) == []


def test_a_waiting_emergency_job_stored_earlier_is_joined_by_no_request(database: Database) -> None:
    """A job for 112 written to the table before (or by an integration): a caller's request does not join it."""
    publish(database, "cb")
    row = {"id": "stored-112", "number": "112", "scenario": "cb", "due": T0 + timedelta(minutes=5),
           "variables": {}, "attempts": 0, "max_attempts": 3, "status": "pending", "origin_call_id": "old-call",
           "created_at": T0}  # fmt: skip
    with database.session() as session:
        session.execute(insert(CallbackJob), [row])
    with pytest.raises(InvalidCallback), database.session() as session:
        callbacks.schedule_callback(session, _request("112", "call-2"), max_attempts=3, now=T0)
    with database.session() as session:
        assert callbacks.get_job(session, job_id="stored-112").max_attempts == 3  # not joined: no more tries
