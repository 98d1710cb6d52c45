"""A Spanish bank's review of call lists (debt campaigns), over real HTTP on SQLite and PostgreSQL: a mobile number
cut short is no service number, "1.000" says why it is refused (or is read as the column or the country proves),
and a list's duplicate rows may be skipped instead of stopping a 20,000-row export."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from persistence.phone_numbers import configure_default_country, configured_default_country, impossible_number
from tests.api.conftest import Client
from tests.persistence import documents


@pytest.fixture
def country() -> Iterator[Callable[[str | None], None]]:
    """Sets the servers' IVRGRAPH_DEFAULT_COUNTRY for one test (the API reads it as it checks a list)."""
    before = configured_default_country()
    yield configure_default_country
    configure_default_country(before)


def _published(admin: Client, slug: str) -> None:
    document = documents.greeting("Hola {{ contact.nombre }}, debe {{ deuda }} euros")
    document["variables"] = [
        {"name": "contact", "type": "object", "default": {"nombre": "cliente"}},
        {"name": "deuda", "type": "number", "default": 0},
        {"name": "cuotas", "type": "integer", "default": 1},
    ]
    created = admin.post("/api/scenarios", json={"slug": slug, "name": "deudas", "document": document})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{slug}/publish", json={"message": "v1"}).status_code == 200


def _batch(scenario: str, rows: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    numbers = list(range(2, len(rows) + 2))  # the file's rows, under its header
    return {"scenario": scenario, "rows": rows, "row_numbers": numbers, "number_column": "teléfono", "dry_run": True,
            **more}  # fmt: skip


def _codes(response: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(p["code"], p["params"]) for p in response.json()["problems"]]


# -- 1. a number cut short is no service number ------------------------------------------------------------------


def test_a_spanish_mobile_number_cut_short_is_refused_and_service_numbers_are_not(
    admin: Client, slug: Callable[[str], str], country: Callable[[str | None], None]
) -> None:
    """Review: "600 11" (a mobile number's first five digits) passed the check, and a stranger was rung in a debt
    campaign.
    1004 (Movistar), 016 (gender violence), 010 (a city's line) are short on purpose, and "2045", which no
    Spanish number begins with, is a PBX's extension."""
    country("ES")
    name = slug("corto")
    _published(admin, name)
    rows = [{"teléfono": "600 11"}, {"teléfono": "1004"}, {"teléfono": "016"}, {"teléfono": "010"},
            {"teléfono": "2045"}, {"teléfono": "91 123"}, {"teléfono": "600 111 222"}]  # fmt: skip
    refused = admin.post("/api/callbacks/batch", json=_batch(name, rows))
    assert refused.status_code == 422, refused.text
    assert refused.json()["problems"] == [
        {"path": "$.rows[0].teléfono", "code": "impossible_number",
         "params": {"row": 2, "column": "teléfono", "value": "600 11", "reason": "too_short"},
         "message": "row 2: '600 11' is no phone number: too few digits for a number of its country"},
        {"path": "$.rows[5].teléfono", "code": "impossible_number",
         "params": {"row": 7, "column": "teléfono", "value": "91 123", "reason": "too_short"},
         "message": "row 7: '91 123' is no phone number: too few digits for a number of its country"},
    ]  # fmt: skip
    kept = [row for row in rows if row not in (rows[0], rows[5])]
    checked = admin.post("/api/callbacks/batch", json=_batch(name, kept))
    assert checked.status_code == 200, checked.text
    assert [job["number"] for job in checked.json()["preview"]] == ["1004", "016", "010", "2045", "600111222"]
    # The callbacks API reads a number as a list's row does.
    job = {"number": "60011", "scenario": name, "due": "2030-06-01T10:00:00Z"}
    api = admin.post("/api/callbacks", json=job)
    assert api.status_code == 422, api.text
    assert _codes(api) == [("impossible_number", {"value": "60011", "reason": "too_short"})]


def test_without_a_country_a_short_number_is_not_checked_as_before(
    admin: Client, slug: Callable[[str], str], country: Callable[[str | None], None]
) -> None:
    """Nothing says which country's plan "600 11" is of: a short number may be anyone's service number."""
    country(None)
    name = slug("sinpais")
    _published(admin, name)
    checked = admin.post("/api/callbacks/batch", json=_batch(name, [{"teléfono": "600 11"}]))
    assert checked.status_code == 200, checked.text
    assert checked.json()["preview"][0]["number"] == "60011"


@pytest.mark.parametrize(
    ("region", "number", "reason"),
    [
        ("ES", "60011", "too_short"),
        ("ES", "112", None),  # an emergency number: refused as one, not as too short
        ("ES", "4567", None),  # no Spanish number begins 45: an extension
        ("ES", "22222", None),  # a short number of Spain's
        ("FR", "06123", "too_short"),  # the trunk prefix, then a mobile number's first digits
        ("FR", "3949", None),  # no trunk prefix: a short number or an extension
        ("PT", "91234", "too_short"),
        ("RU", "900", None),  # Russia dials local numbers without their area code: a short one may be one
        ("RU", "2045", None),
        ("US", "555", None),
    ],
)
def test_a_short_number_is_refused_only_where_it_can_only_be_a_national_number_cut_short(
    country: Callable[[str | None], None], region: str, number: str, reason: str | None
) -> None:
    country(region)
    assert impossible_number(number) == reason


# -- 2. "1.000" --------------------------------------------------------------------------------------------------


def test_an_amount_that_could_be_one_or_a_thousand_says_so_and_how_to_write_it(
    admin: Client, slug: Callable[[str], str], country: Callable[[str | None], None]
) -> None:
    """Review: "1.000" was refused as «no es un número»; a Spaniard reads one thousand, and could not tell why."""
    country(None)
    name = slug("mil")
    _published(admin, name)
    refused = admin.post("/api/callbacks/batch", json=_batch(name, [{"teléfono": "600111222", "deuda": "1.000"}]))
    assert refused.status_code == 422, refused.text
    assert refused.json()["problems"] == [
        {"path": "$.rows[0].deuda", "code": "ambiguous_number",
         "params": {"row": 2, "column": "deuda", "value": "1.000", "type": "number", "reason": "either_way",
                    "as_decimal": "1", "as_thousands": "1000", "with_decimals": "1.000,00"},
         "message": "row 2, deuda: '1.000' is not a number: it could be 1 or 1000 (a dot groups thousands in some "
                    "countries and is the decimal mark in others): write 1000, or 1.000,00"},
    ]  # fmt: skip


def test_in_spain_a_dot_groups_thousands_and_the_check_says_it_read_so(
    admin: Client, slug: Callable[[str], str], country: Callable[[str | None], None]
) -> None:
    country("ES")
    name = slug("es-mil")
    _published(admin, name)
    rows = [{"teléfono": "600111222", "deuda": "1.000", "cuotas": "12"},
            {"teléfono": "600111223", "deuda": "80", "cuotas": "2.000"}]  # fmt: skip
    checked = admin.post("/api/callbacks/batch", json=_batch(name, rows))
    assert checked.status_code == 200, checked.text
    assert [(job["variables"]["deuda"], job["variables"]["cuotas"]) for job in checked.json()["preview"]] == [
        (1000, 12),
        (80, 2000),
    ]
    read = [w for w in checked.json()["warnings"] if w["code"] == "thousands_read"]
    assert [w["params"] for w in read] == [
        {"column": "deuda", "value": "1.000", "row": 2, "read": "1000", "group": ".", "by": "country", "proof": "",
         "country": "ES"},
        {"column": "cuotas", "value": "2.000", "row": 3, "read": "2000", "group": ".", "by": "country", "proof": "",
         "country": "ES"},
    ]  # fmt: skip
    assert read[0]["message"] == (
        "column 'deuda': numbers such as '1.000' are read with a dot grouping thousands, as numbers are written in "
        "ES (the server's country, IVRGRAPH_DEFAULT_COUNTRY): '1.000' (row 2) is 1000. Check the numbers in the "
        "check's preview"
    )
    # Spain's own decimal mark before three digits is no amount a Spaniard writes: an English export's thousand?
    refused = admin.post("/api/callbacks/batch", json=_batch(name, [{"teléfono": "600111222", "deuda": "1,000"}]))
    assert refused.status_code == 422, refused.text
    assert _codes(refused)[0][0] == "ambiguous_number"


def test_a_column_proves_its_own_convention_as_its_dates_do(
    admin: Client, slug: Callable[[str], str], country: Callable[[str | None], None]
) -> None:
    country(None)
    name = slug("columna")
    _published(admin, name)
    spanish = [{"teléfono": "600111222", "deuda": "2.500,50"}, {"teléfono": "600111223", "deuda": "1.000"}]
    checked = admin.post("/api/callbacks/batch", json=_batch(name, spanish))
    assert checked.status_code == 200, checked.text
    assert [job["variables"]["deuda"] for job in checked.json()["preview"]] == [2500.5, 1000]
    read = [w["params"] for w in checked.json()["warnings"] if w["code"] == "thousands_read"]
    assert [(w["column"], w["by"], w["proof"], w["row"], w["read"]) for w in read] == [
        ("deuda", "column", "2.500,50", 3, "1000")
    ]
    english = [{"teléfono": "600111224", "deuda": "12.50"}, {"teléfono": "600111225", "deuda": "1,000"}]
    checked = admin.post("/api/callbacks/batch", json=_batch(name, english))
    assert checked.status_code == 200, checked.text
    assert [job["variables"]["deuda"] for job in checked.json()["preview"]] == [12.5, 1000]
    both = [*spanish, *english]
    refused = admin.post("/api/callbacks/batch", json=_batch(name, both))
    assert refused.status_code == 422, refused.text
    assert [(code, params["reason"], params.get("dot_groups"), params.get("comma_groups")) for code, params in
            _codes(refused)] == [("ambiguous_number", "column_has_both", "2.500,50", "12.50")] * 2  # fmt: skip


# -- 3. duplicates ---------------------------------------------------------------------------------------------


def test_duplicates_may_be_skipped_calling_the_first_row_and_naming_every_one_skipped(
    admin: Client, slug: Callable[[str], str], country: Callable[[str | None], None]
) -> None:
    """One duplicate row stopped a 20,000-row export: "Fila 19: el número 0034600111222 ya está en la lista
    (fila 2)", and back to Excel."""
    country(None)
    name = slug("dups")
    _published(admin, name)
    rows = [{"nombre": "Ana", "teléfono": "+34600111222", "deuda": "100"},
            {"nombre": "Luis", "teléfono": "600111333", "deuda": "80"},
            {"nombre": "Ana otra vez", "teléfono": "0034600111222", "deuda": "no sé"},
            {"nombre": "Eva", "teléfono": "600111444", "deuda": "50"},
            {"nombre": "Luis", "teléfono": "600 111 333", "deuda": "80"}]  # fmt: skip
    refused = admin.post("/api/callbacks/batch", json=_batch(name, rows))
    assert refused.status_code == 422, refused.text  # refused by default, as before
    assert [code for code, _ in _codes(refused)] == ["duplicate_number", "not_a_number", "duplicate_number"]
    assert admin.post("/api/callbacks/batch", json=_batch(name, rows, duplicates="maybe")).status_code == 422

    checked = admin.post("/api/callbacks/batch", json=_batch(name, rows, duplicates="skip"))
    assert checked.status_code == 200, checked.text
    answer = checked.json()
    assert answer["jobs"] == 3
    assert [job["variables"]["contact"]["nombre"] for job in answer["preview"]] == ["Ana", "Luis", "Eva"]
    # A row skipped is nobody's call: its cells ("no sé") stop nothing.
    assert [w for w in answer["warnings"] if w["code"] == "duplicate_skipped"] == [
        {"path": "$.rows", "code": "duplicate_skipped",
         "params": {"row": 4, "column": "teléfono", "number": "0034600111222", "first": 2},
         "message": "row 4: 0034600111222 is already row 2: skipped, row 2 is called"},
        {"path": "$.rows", "code": "duplicate_skipped",
         "params": {"row": 6, "column": "teléfono", "number": "600111333", "first": 3},
         "message": "row 6: 600111333 is already row 3: skipped, row 3 is called"},
    ]  # fmt: skip

    scheduled = admin.post("/api/callbacks/batch", json=_batch(name, rows, duplicates="skip", dry_run=False))
    assert scheduled.status_code == 200, scheduled.text
    campaign = scheduled.json()["campaign_id"]
    assert len(scheduled.json()["job_ids"]) == 3
    assert [w["code"] for w in scheduled.json()["warnings"]] == ["duplicate_skipped", "duplicate_skipped"]
    assert admin.get(f"/api/callbacks/campaigns/{campaign}").json()["settings"]["duplicates_skipped"] == 2
    events = admin.get("/api/audit", params={"target": f"campaign:{campaign}"}).json()
    assert [(e["action"], e["details"]) for e in events] == [
        ("call_list", {"scenario": name, "jobs": 3, "name": "", "duplicates_skipped": 2,
                       "skipped_rows": [{"row": 4, "first": 2}, {"row": 6, "first": 3}]}),
    ]  # fmt: skip


def test_past_fifty_skipped_rows_one_warning_counts_the_rest(
    admin: Client, slug: Callable[[str], str], country: Callable[[str | None], None]
) -> None:
    country(None)
    name = slug("dups-many")
    _published(admin, name)
    rows = [{"teléfono": "600111222"}] * 53
    checked = admin.post("/api/callbacks/batch", json=_batch(name, rows, duplicates="skip"))
    assert checked.status_code == 200, checked.text
    codes = [w["code"] for w in checked.json()["warnings"] if w["code"] != "columns_defaulted"]
    assert codes == ["duplicate_skipped"] * 50 + ["more_duplicates_skipped"]
    assert checked.json()["warnings"][-1]["params"] == {"count": 2}
    assert checked.json()["jobs"] == 1
