"""Each call of the register's list carries Asterisk's UNIQUEID of its channel, under the name its detail, the CSV and
the XLSX give it (`asterisk_uniqueid`): a BI or CRM integration matching Asterisk's CDRs to calls read each call's
detail for it (a review). Over real HTTP on both databases, the calls taken by a FastAGI node over the fake Asterisk
and recorded in the API's database as `ivrgraph serve` records them."""

from __future__ import annotations

import csv
import io
import itertools
import uuid
from collections.abc import Callable
from typing import Any

import openpyxl

from tests.agi_server.conftest import call
from tests.api.agi_node import serving_node
from tests.api.conftest import Client, Server, UserFactory
from tests.fakes.asterisk import CallerScript, default_env
from tests.persistence import documents

_channels = itertools.count(1)
_RUN = uuid.uuid4().hex[:10]


async def _take_calls(server: Server, slug: str, callers: list[CallerScript]) -> list[str]:
    """A call to `slug` per caller, each on a channel of its own UNIQUEID (as a PBX's system name prefixes it);
    those ids, in the order the calls were taken."""
    # Unique in the run: the server's database is shared by the worker's tests, and another file numbers its
    # channels "pbx1-1795295104.<backend><n>" too, which the ?uniqueid= filter (exact) found beside ours.
    uniqueids = [f"pbx1-{_RUN}.{server.backend}{next(_channels)}" for _ in callers]
    async with serving_node(server) as agi:
        for uniqueid, caller in zip(uniqueids, callers, strict=True):
            await call(agi, slug, caller, env={**default_env(slug), "agi_uniqueid": uniqueid}, time_scale=0.01)
    return uniqueids


def _published(admin: Client, slug: str, document: dict[str, Any]) -> None:
    created = admin.post("/api/scenarios", json={"slug": slug, "name": "Sales", "document": document})
    assert created.status_code == 201, created.text
    published = admin.post(f"/api/scenarios/{slug}/publish", json={"message": "live"})
    assert published.status_code == 200, published.text


def _listed(client: Client, **params: str) -> list[dict[str, Any]]:
    response = client.get("/api/calls", params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_each_listed_call_carries_its_uniqueid_as_its_detail_and_the_exports_name_it(
    server: Server, admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("cdr")
    _published(admin, name, documents.greeting("Welcome"))
    uniqueids = await _take_calls(server, name, [CallerScript(), CallerScript(), CallerScript()])

    listed = _listed(admin, scenario=name)
    by_call = {item["id"]: item["asterisk_uniqueid"] for item in listed}
    assert sorted(by_call.values()) == sorted(uniqueids)
    for call_id, uniqueid in by_call.items():  # the detail says the same under the same name
        assert admin.get(f"/api/calls/{call_id}").json()["asterisk_uniqueid"] == uniqueid
        # ... and the list's filter finds the call by what the list shows
        assert [found["id"] for found in _listed(admin, uniqueid=uniqueid)] == [call_id]

    # A BI tool's incremental pull: its pages carry the id too, with nothing more asked per call.
    pulled = _listed(admin, scenario=name, order="recorded")
    assert {item["id"]: item["asterisk_uniqueid"] for item in pulled} == by_call

    exported = admin.get("/api/calls.csv", params={"scenario": name})
    assert exported.status_code == 200, exported.text
    rows = csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig")))
    assert {row["id"]: row["asterisk_uniqueid"] for row in rows} == by_call
    workbook = admin.get("/api/calls.xlsx", params={"scenario": name})
    assert workbook.status_code == 200, workbook.text
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content), read_only=True).worksheets[0]
    header, *cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    at = header.index("asterisk_uniqueid")
    assert {row[header.index("id")]: row[at] for row in cells} == by_call


async def test_a_user_who_reads_numbers_masked_reads_the_uniqueid_as_it_is(
    server: Server, user_factory: UserFactory, admin: Client, slug: Callable[[str], str]
) -> None:
    """A UNIQUEID names a channel, not a person: an integration's account without personal data matches CDRs too."""
    name = slug("masked")
    _published(admin, name, documents.greeting("Welcome"))
    (uniqueid,) = await _take_calls(server, name, [CallerScript()])
    viewer = user_factory("viewer", personal_data=False)
    (item,) = _listed(viewer, scenario=name)
    assert item["asterisk_uniqueid"] == uniqueid
    assert item["caller_id"] != default_env(name)["agi_callerid"]  # masked, as before


async def test_a_hangup_while_the_menu_prompt_plays_is_read_digits_as_the_api_says(
    server: Server, admin: Client, slug: Callable[[str], str]
) -> None:
    """The word recorded for a hangup during a menu's prompt is `read_digits` (the prompt asks for keys), which the
    API's description of `hangup_during` names with the other words the runtime records."""
    name = slug("menu")
    _published(admin, name, documents.menu(["1", "2"]))
    (uniqueid,) = await _take_calls(server, name, [CallerScript(hangup_at_command=1)])
    (item,) = _listed(admin, uniqueid=uniqueid)
    assert (item["status"], item["hangup_during"]) == ("abandoned_in_menu", "read_digits")
    described = admin.get("/openapi.json").json()["components"]["schemas"]["CallSummary"]["properties"]
    for word in ("`answer`", "`play`", "`read_digits`", "`transfer`", "`get_variable`", "`set_variable`", "`block:"):
        assert word in described["hangup_during"]["description"]
    assert "asterisk_uniqueid" in described
