"""`caller_name=` over real HTTP: the call register and its CSV find a client's calls by part of their CallerID name,
on SQLite, PostgreSQL, and a PostgreSQL database created with LC_CTYPE 'C', whose lower() folds ASCII letters only.

A Russian contact centre's review: supervisors look calls up by the client's name ("Петрова"), and the register
searched numbers only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import text

from api.settings import Settings
from persistence.db import Database
from persistence.publishing import PublishHub
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client, Server, _designer_dist, serve_api
from tests.persistence import pg
from tests.persistence.named_calls import write_named_calls

NAMES = ("ПЕТРОВА ЮЛИЯ", "Петров Пётр", "Ivanova Maria", "", "Сидорова")


def _write_calls(database_url: str, scenario: str, names: tuple[str, ...] = NAMES) -> list[str]:
    """One call a name, a minute apart (the last the newest), as the FastAGI runtime writes them; their ids."""
    database = Database(database_url)
    try:
        return write_named_calls(database, *names, scenario=scenario, prefix=scenario)
    finally:
        database.dispose()


def _listed(client: Client, **params: str | int) -> list[tuple[str, str]]:
    response = client.get("/api/calls", params=params)
    assert response.status_code == 200, response.text
    return [(item["id"], item["caller_name"]) for item in response.json()["items"]]


def _exported(client: Client, **params: str) -> list[dict[str, str]]:
    response = client.get("/api/calls.csv", params=params)
    assert response.status_code == 200, response.text
    separator = ";" if params.get("delimiter") == "semicolon" else ","
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=separator))


def test_the_register_and_its_csv_find_calls_by_part_of_the_name(
    admin: Client, server: Server, slug: Callable[[str], str]
) -> None:
    scenario = slug("names")
    ids = _write_calls(server.database_url, scenario)
    assert _listed(admin, scenario=scenario, caller_name="петрова") == [(ids[0], "ПЕТРОВА ЮЛИЯ")]
    assert _listed(admin, scenario=scenario, caller_name="ПЕТР") == [(ids[1], "Петров Пётр"), (ids[0], "ПЕТРОВА ЮЛИЯ")]
    assert _listed(admin, scenario=scenario, caller_name="пётр") == [(ids[1], "Петров Пётр"), (ids[0], "ПЕТРОВА ЮЛИЯ")]
    assert _listed(admin, scenario=scenario, caller_name="maria") == [(ids[2], "Ivanova Maria")]
    assert _listed(admin, scenario=scenario, caller_name="Смирнов") == []
    # With a number too: the calls that match both.
    assert _listed(admin, scenario=scenario, caller_name="петр", caller="+7 916 000 00 01") == [(ids[1], "Петров Пётр")]

    exported = _exported(admin, scenario=scenario, caller_name="петров", tz="Europe/Moscow", delimiter="semicolon")
    assert [(row["id"], row["caller_name"], row["caller_id"]) for row in exported] == [
        (ids[1], "Петров Пётр", "+79160000001"),
        (ids[0], "ПЕТРОВА ЮЛИЯ", "+79160000000"),
    ]


def test_a_page_of_a_name_search_holds_its_size_in_matches_and_the_next_page_follows(
    admin: Client, server: Server, slug: Callable[[str], str]
) -> None:
    scenario = slug("name-pages")
    names = tuple("Юлия Петрова" if n % 4 == 0 else f"Caller {n}" for n in range(20))
    ids = _write_calls(server.database_url, scenario, names)
    params: dict[str, str | int] = {"scenario": scenario, "caller_name": "петрова", "page_size": 2}
    first = admin.get("/api/calls", params=params).json()
    rest = admin.get("/api/calls", params={**params, "cursor": first["next_cursor"]}).json()
    last = admin.get("/api/calls", params={**params, "cursor": rest["next_cursor"]}).json()
    shown = [item["id"] for page in (first, rest, last) for item in page["items"]]
    assert shown == [ids[n] for n in (16, 12, 8, 4, 0)] and last["next_cursor"] is None


def test_a_name_longer_than_a_field_or_holding_nul_is_refused(admin: Client) -> None:
    assert admin.get("/api/calls", params={"caller_name": "я" * 101}).status_code == 422
    assert admin.get("/api/calls.csv", params={"caller_name": "a\x00b"}).status_code == 422


@pytest.fixture(scope="module")
def c_locale_admin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Client, str]]:
    """The API on a PostgreSQL database created with LC_CTYPE 'C', signed in as its admin; with the database's URL."""
    dist, media = _designer_dist(tmp_path_factory.mktemp("dist")), tmp_path_factory.mktemp("media")
    with pg.throwaway_database("ivrgraph_names_c", c_locale=True) as url:
        settings = Settings(
            database_url=url, admin_user=ADMIN, admin_password=ADMIN_PASSWORD, designer_dist=dist, media_root=media
        )
        for base_url in serve_api(settings, PublishHub()):
            with Client(base_url=base_url, timeout=30) as client:
                assert client.login(ADMIN, ADMIN_PASSWORD).status_code == 200
                yield client, url


@pytest.mark.postgres
def test_cyrillic_case_is_ignored_on_a_database_whose_locale_is_c(c_locale_admin: tuple[Client, str]) -> None:
    """The review's setting: there lower() leaves Cyrillic capitals as they are, so an ILIKE or lower() LIKE search
    for "петрова" would not find "ПЕТРОВА ЮЛИЯ"."""
    admin, url = c_locale_admin
    database = Database(url)
    try:
        with database.engine.connect() as connection:
            ctype = connection.execute(text("SELECT datctype FROM pg_database WHERE datname = current_database()"))
            assert ctype.scalar() == "C"
            assert connection.execute(text("SELECT lower('ПЕТРОВА')")).scalar() == "ПЕТРОВА"  # what it was
    finally:
        database.dispose()
    ids = _write_calls(url, "names-c")
    assert _listed(admin, scenario="names-c", caller_name="петрова") == [(ids[0], "ПЕТРОВА ЮЛИЯ")]
    assert _listed(admin, scenario="names-c", caller_name="ПЁТР") == [(ids[1], "Петров Пётр"), (ids[0], "ПЕТРОВА ЮЛИЯ")]
    exported = _exported(admin, scenario="names-c", caller_name="юлия")
    assert [(row["id"], row["caller_name"]) for row in exported] == [(ids[0], "ПЕТРОВА ЮЛИЯ")]
