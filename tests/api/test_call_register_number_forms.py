"""`caller=` finds a client's calls whatever form the trunk or the dialer stored their number in, over real HTTP on
SQLite and PostgreSQL (a support engineer's review: `+34 600 111 222` stored as the trunk wrote it was found only by
typing exactly that). Records are keyed as they are written (persistence.calls.number_key); with
IVRGRAPH_DEFAULT_COUNTRY a national form is the same phone too, without it only as far as the digits say."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from persistence.calls import CallRecordIn, CallRecordWriter
from persistence.db import Database
from tests.api.conftest import Client, Server

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
OURS = "+34910000000"  # the dialer's caller id: a callback's client is the number it rang
# Each call's (caller, number rung), the client's number as it was stored.
STORED = {
    "spaced": ("+34 600 111 222", ""),  # as a trunk wrote it
    "zeros": ("0034-600-111-222", ""),
    "plain": ("+34600111222", ""),
    "national": ("600 111 222", ""),  # a trunk that passes Spanish numbers nationally
    "rung": (OURS, "(+34) 600 111 222"),  # a callback to them
    "neighbour": ("+34 600 111 223", ""),  # another phone
}
INTERNATIONAL = {"spaced", "zeros", "plain", "rung"}


@pytest.fixture
def stored(server: Server, slug: Callable[[str], str]) -> str:
    """The calls of STORED under a scenario of their own, written as the FastAGI runtime writes them; the slug."""
    scenario = slug("forms")
    database = Database(server.database_url)
    try:
        CallRecordWriter(database).write_batch(
            [
                CallRecordIn(
                    call_id=f"{scenario}-{name}",
                    scenario=scenario,
                    started_at=T0 + timedelta(minutes=n),
                    ended_at=T0 + timedelta(minutes=n, seconds=20),
                    outcome="hung_up",
                    caller_id=caller,
                    dialed_number=rung,
                    trace={"answered": True, "steps": []},
                )
                for n, (name, (caller, rung)) in enumerate(STORED.items())
            ]
        )
    finally:
        database.dispose()
    return scenario


def _found(client: Client, scenario: str, typed: str) -> set[str]:
    response = client.get("/api/calls", params={"scenario": scenario, "caller": typed})
    assert response.status_code == 200, response.text
    return {item["id"].removeprefix(f"{scenario}-") for item in response.json()["items"]}


@pytest.mark.parametrize("typed", ["+34600111222", "+34 600 111 222", "0034600111222", "0034 (600) 111-222"])
def test_every_international_form_typed_finds_every_international_form_stored(
    admin: Client, stored: str, typed: str
) -> None:
    assert _found(admin, stored, typed) == INTERNATIONAL


def test_without_a_default_country_a_national_number_finds_the_same_digits_only(admin: Client, stored: str) -> None:
    """The documented limit: with no country, `600111222` may be a phone of any country."""
    assert _found(admin, stored, "600 111 222") == {"national"}
    assert _found(admin, stored, "600-111-222") == {"national"}
    assert _found(admin, stored, "+34 600 111 223") == {"neighbour"}


def test_with_a_default_country_national_and_international_forms_find_each_other(
    admin: Client, stored: str, in_spain: None
) -> None:
    for typed in ("600111222", "600 111 222", "+34600111222", "0034 600 111 222", "34600111222"):
        assert _found(admin, stored, typed) == INTERNATIONAL | {"national"}, typed
    assert _found(admin, stored, "600 111 223") == {"neighbour"}


def test_the_export_finds_the_same_calls(admin: Client, stored: str) -> None:
    response = admin.get("/api/calls.csv", params={"scenario": stored, "caller": "+34 600-111-222"})
    assert response.status_code == 200, response.text
    rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    assert {row["id"].removeprefix(f"{stored}-"): row["caller_id"] for row in rows} == {
        # With spaces a + starts no number a spreadsheet reads, but a formula: written as text (api.csv_export).
        "spaced": "'+34 600 111 222", "zeros": "0034-600-111-222", "plain": "+34600111222", "rung": OURS,
    }  # fmt: skip


def test_a_subject_access_request_gets_the_calls_the_search_finds(admin: Client, stored: str) -> None:
    """The register finding a number's calls in every stored form, an erasure or access request must not miss
    them (persistence.privacy reads the same keys)."""
    answer = admin.get("/api/privacy/subject", params={"number": "+34600111222"})
    assert answer.status_code == 200, answer.text
    theirs = {call["id"].removeprefix(f"{stored}-") for call in answer.json()["calls"] if call["scenario"] == stored}
    assert theirs == INTERNATIONAL
