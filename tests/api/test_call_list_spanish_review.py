"""A Spanish clinic's review of call lists (review of 2026-12-19), over real HTTP: an Excel date written 15/12/2026
is a date, a CSV a Spanish Excel saves (Windows-1252) is read, and a row's every problem is named in one check."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from persistence.phone_numbers import configure_default_country, configured_default_country
from tests.api.conftest import Client
from tests.persistence import documents

A_DATE = "a date written 2026-12-30 or 30.12.2026 (year-month-day or day.month.year)"
EITHER_WAY = ": a date with slashes is month first in some countries and day first in others"


@pytest.fixture
def country() -> Iterator[Callable[[str | None], None]]:
    """Sets the servers' IVRGRAPH_DEFAULT_COUNTRY for one test (the API reads it as it checks a list)."""
    before = configured_default_country()
    yield configure_default_country
    configure_default_country(before)


def _published(admin: Client, slug: str) -> None:
    document = documents.greeting("Hola {{ contact.nombre }}, su cita es el {{ fecha }}")
    document["variables"] = [
        {"name": "contact", "type": "object", "default": {"nombre": "paciente"}},
        {"name": "fecha", "type": "date", "default": ""},
    ]
    created = admin.post("/api/scenarios", json={"slug": slug, "name": "citas", "document": document})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{slug}/publish", json={"message": "v1"}).status_code == 200


def _read(client: Client, data: bytes) -> Any:
    response = client.post("/api/callbacks/lists", files={"file": ("pacientes.csv", data, "text/csv")})
    assert response.status_code == 200, response.text
    return response.json()


def _check(admin: Client, scenario: str, call_list: dict[str, Any]) -> Any:
    body = {"scenario": scenario, "rows": call_list["rows"], "row_numbers": call_list["row_numbers"],
            "number_column": "teléfono", "dry_run": True}  # fmt: skip
    return admin.post("/api/callbacks/batch", json=body)


def _csv(*rows: str) -> bytes:
    return ("\ufeffnombre;teléfono;fecha\r\n" + "".join(f"{row}\r\n" for row in rows)).encode()


def _warnings(call_list: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [warning for warning in call_list["warnings"] if warning["code"] == code]


# -- 1. dates with slashes ---------------------------------------------------------------------------------------


def test_a_date_whose_first_number_is_over_12_is_read_day_first(
    admin: Client, slug: Callable[[str], str], country: Callable[[str | None], None]
) -> None:
    """Every row of a Spanish Excel's 15/12/2026 was refused as ambiguous, though 15 is no month."""
    country(None)
    name = slug("dia")
    _published(admin, name)
    rows = ("Ana;+34 600111213;15/12/2026", "Luis;+34 600111214;12/28/2026", "Eva;+34 600111215;5/5/2026")
    call_list = _read(admin, _csv(*rows))
    assert _warnings(call_list, "slash_dates_read") == []  # each says its own order: nothing assumed
    checked = _check(admin, name, call_list)
    assert checked.status_code == 200, checked.text
    assert [job["variables"]["fecha"] for job in checked.json()["preview"]] == [
        "2026-12-15",
        "2026-12-28",
        "2026-05-05",
    ]


def test_a_date_that_could_be_either_is_read_as_its_column_proves_and_the_analyst_is_told(
    admin: Client, slug: Callable[[str], str], country: Callable[[str | None], None]
) -> None:
    country(None)
    name = slug("columna")
    _published(admin, name)
    call_list = _read(admin, _csv("Ana;+34 600111213;15/12/2026", "Luis;+34 600111214;03/04/2026"))
    [warning] = _warnings(call_list, "slash_dates_read")
    assert warning["params"] == {"column": "fecha", "value": "03/04/2026", "row": 3, "read": "2026-04-03",
                                 "first": "day", "by": "column", "proof": "15/12/2026", "country": ""}  # fmt: skip
    assert warning["message"] == (
        "column 'fecha': dates with slashes are read day first, as '15/12/2026' in the same column can only be: "
        "'03/04/2026' (row 3) is 2026-04-03 where the column fills a date variable. Check the dates in the check's "
        "preview"
    )
    checked = _check(admin, name, call_list)
    assert checked.status_code == 200, checked.text
    assert [job["variables"]["fecha"] for job in checked.json()["preview"]] == ["2026-12-15", "2026-04-03"]


@pytest.mark.parametrize(
    ("where", "read", "first"),
    [
        ("ES", "2026-04-03", "day"),
        ("RU", "2026-04-03", "day"),
        ("FR", "2026-04-03", "day"),
        ("US", "2026-03-04", "month"),
    ],
)
def test_a_date_that_could_be_either_is_read_as_the_servers_country_writes_it(
    admin: Client, slug: Callable[[str], str], country: Callable[[str | None], None], where: str, read: str, first: str
) -> None:
    country(where)
    name = slug("pais")
    _published(admin, name)
    call_list = _read(admin, _csv("Ana;+34 600111213;03/04/2026", "Luis;+34 600111214;03/04/2026 10:30"))
    [warning] = _warnings(call_list, "slash_dates_read")
    assert (warning["params"]["by"], warning["params"]["country"], warning["params"]["first"]) == (
        "country",
        where,
        first,
    )
    assert f"as dates are written in {where} (the server's country, IVRGRAPH_DEFAULT_COUNTRY)" in warning["message"]
    checked = _check(admin, name, call_list)
    assert checked.status_code == 200, checked.text
    assert [job["variables"]["fecha"] for job in checked.json()["preview"]] == [read, f"{read}T10:30:00"]


@pytest.mark.parametrize(
    ("where", "rows", "reason", "why"),
    [
        (None, ["03/04/2026"], {"reason": "no_country"},
         ", and neither the list nor a country set on the server (IVRGRAPH_DEFAULT_COUNTRY) says which"),
        ("CA", ["03/04/2026"], {"reason": "country_either_way", "country": "CA"},
         ", and the server's country (CA) has no one order for them"),
        # A column with dates only day first can read and others only month first can proves nothing, whatever
        # the country says.
        ("ES", ["03/04/2026", "15/12/2026", "12/28/2026"],
         {"reason": "column_has_both", "day_first": "15/12/2026", "month_first": "12/28/2026"},
         ""),
    ],
)  # fmt: skip
def test_a_date_that_could_be_either_is_refused_saying_why_when_nothing_says_which(
    admin: Client,
    slug: Callable[[str], str],
    country: Callable[[str | None], None],
    where: str | None,
    rows: list[str],
    reason: dict[str, str],
    why: str,
) -> None:
    country(where)
    name = slug("ambigua")
    _published(admin, name)
    call_list = _read(admin, _csv(*(f"P{i};+34 60011121{i};{day}" for i, day in enumerate(rows))))
    assert _warnings(call_list, "slash_dates_read") == []  # nothing was read one way: the check refuses it
    refused = _check(admin, name, call_list)
    assert refused.status_code == 422, refused.text
    [problem] = refused.json()["problems"]
    assert (problem["code"], problem["params"]) == (
        "ambiguous_date",
        {"row": 2, "column": "fecha", "value": "03/04/2026", "type": "date", **reason},
    )
    if reason["reason"] == "column_has_both":
        assert problem["message"].endswith(
            ": the column has dates only day first can read (15/12/2026) and others only month first can "
            "(12/28/2026), so this one could be either"
        )
    else:
        assert problem["message"] == f"row 2, fecha: '03/04/2026' is not {A_DATE}{EITHER_WAY}{why}"


# -- 2. a CSV a Spanish, French or German Excel saves ---------------------------------------------------------------


def test_a_csv_from_a_spanish_excels_default_csv_is_read_as_windows_1252(
    admin: Client, slug: Callable[[str], str], country: Callable[[str | None], None]
) -> None:
    """Spanish Excel's "CSV (delimitado por comas)" is Windows-1252, and was refused as not UTF-8."""
    country(None)
    name = slug("cp1252")
    _published(admin, name)
    data = (
        "nombre;teléfono;fecha\r\nAna Muñoz;+34 600111213;15/12/2026\r\nFrançois Lefèvre;+34 600111214;30.12.2026\r\n"
    )
    call_list = _read(admin, data.encode("cp1252"))
    assert call_list["columns"] == ["nombre", "teléfono", "fecha"]
    assert [row["nombre"] for row in call_list["rows"]] == ["Ana Muñoz", "François Lefèvre"]
    [warning] = call_list["warnings"]
    assert (warning["path"], warning["code"], warning["params"]) == ("$.file", "read_as_windows_1252", {})
    assert "read as Windows-1252 (Western European)" in warning["message"]
    checked = _check(admin, name, call_list)
    assert checked.status_code == 200, checked.text
    assert [job["variables"]["fecha"] for job in checked.json()["preview"]] == ["2026-12-15", "2026-12-30"]


def test_a_russian_excels_csv_is_still_read_as_windows_1251_not_1252(admin: Client) -> None:
    """Any bytes decode as Windows-1252 too: "Ибрагимов" would read "Èáðàãèìîâ", which no Western word is."""
    call_list = _read(admin, "ФИО;Телефон\r\nИбрагимов Руслан;89161234567\r\n".encode("cp1251"))  # noqa: RUF001
    assert [row["ФИО"] for row in call_list["rows"]] == ["Ибрагимов Руслан"]
    assert [warning["code"] for warning in call_list["warnings"]] == ["read_as_windows_1251"]


@pytest.mark.parametrize(
    "data",
    [
        # UTF-8 with one byte of another code page: read as Windows-1252, its "ñ" would read "Ã±"
        "nombre;teléfono\r\nMuñoz;600111213\r\n".encode() + "José;600111214\r\n".encode("cp1252"),
        # Windows-1250 (Polish): "Wrocław" would read "Wroc³aw"
        "nombre;teléfono\r\nWrocław;600111213\r\n".encode("cp1250"),
    ],
)
def test_a_csv_that_would_read_as_gibberish_is_refused(
    admin: Client, data: bytes, country: Callable[[str | None], None]
) -> None:
    country(None)
    refused = admin.post("/api/callbacks/lists", files={"file": ("pacientes.csv", data, "text/csv")})
    assert refused.status_code == 422, refused.text
    assert [problem["code"] for problem in refused.json()["problems"]] == ["not_utf8"]


@pytest.mark.parametrize(
    ("where", "code"), [("ES", "read_as_windows_1252"), ("RU", "read_as_windows_1251"), (None, None)]
)
def test_a_csv_that_reads_as_either_code_page_is_read_in_the_countrys(
    admin: Client, country: Callable[[str | None], None], where: str | None, code: str | None
) -> None:
    """A French "à" standing alone is a Cyrillic letter standing alone in Windows-1251: only the country can say
    which (and with none, nothing is guessed)."""
    country(where)
    data = "nombre;telefono;nota\r\nAna;+34 600111213;cita à 10h\r\n".encode("cp1252")  # no other letter past ASCII
    response = admin.post("/api/callbacks/lists", files={"file": ("pacientes.csv", data, "text/csv")})
    if code is None:
        assert [problem["code"] for problem in response.json()["problems"]] == ["not_utf8"]
        return
    assert [warning["code"] for warning in response.json()["warnings"]] == [code]
    assert response.json()["rows"][0]["nota"] == ("cita à 10h" if where == "ES" else "cita а 10h")  # noqa: RUF001


# -- 3. every problem of a row in one check --------------------------------------------------------------------------


def test_every_problem_of_a_row_is_named_in_one_check(
    admin: Client, slug: Callable[[str], str], country: Callable[[str | None], None]
) -> None:
    """Row 4, an emergency number with a bad date, was named only for the number: its date surfaced on the next
    upload."""
    country("ES")
    name = slug("fila")
    _published(admin, name)
    rows = ("Ana;+34 600111213;15/12/2026", "Luis;+34 600111214;16/12/2026", "Eva;112;31/02/2026")
    call_list = _read(admin, _csv(*rows))
    refused = _check(admin, name, call_list)
    assert refused.status_code == 422, refused.text
    assert [(p["path"], p["code"], p["params"]) for p in refused.json()["problems"]] == [
        ("$.rows[2].teléfono", "emergency_number", {"row": 4, "column": "teléfono", "value": "112"}),
        ("$.rows[2].fecha", "not_a_date", {"row": 4, "column": "fecha", "value": "31/02/2026", "type": "date"}),
    ]
