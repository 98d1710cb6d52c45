"""GET /api/scenarios/-/names: every scenario's slug, name and live version, unpaged, for the designer's pickers.

Scale review (226 scenarios): the Calls page's scenario filter, the Reports page's picker, the names in the call
list and Go To Scenario's suggestions all asked the paged list for its first 200 by slug (the most a page holds),
so a published `zz-winter-campaign` was offered nowhere and its calls were named by slug.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.api.conftest import Client, UserFactory

MANY = 205  # more than a page of the list holds (page_size <= 200)


def test_every_scenario_is_named_beyond_a_page_of_the_list(
    admin: Client, user_factory: UserFactory, slug: Callable[[str], str]
) -> None:
    prefix = slug("bulk")
    made = {f"{prefix}-{n:03d}": f"Line {n}" for n in range(MANY)}
    for made_slug, name in made.items():
        assert admin.post("/api/scenarios", json={"slug": made_slug, "name": name}).status_code == 201
    winter = slug("zz-winter-campaign")
    assert admin.post("/api/scenarios", json={"slug": winter, "name": "Winter campaign"}).status_code == 201
    assert admin.post(f"/api/scenarios/{winter}/publish", json={"message": "live"}).status_code == 200
    gone = slug("gone")
    assert admin.post("/api/scenarios", json={"slug": gone, "name": "Deleted line"}).status_code == 201
    assert admin.delete(f"/api/scenarios/{gone}").status_code == 204

    response = user_factory("viewer").get("/api/scenarios/-/names")  # the list's role: any signed-in user
    assert response.status_code == 200, response.text
    named = response.json()
    assert len(named) > 200
    by_slug = {item["slug"]: item for item in named}
    assert by_slug[winter] == {"slug": winter, "name": "Winter campaign", "latest_version": 1, "results": []}
    assert {s: by_slug[s]["name"] for s in made} == made
    assert all(by_slug[s]["latest_version"] is None for s in made)
    assert len(by_slug) == len(named)  # each once
    assert gone not in by_slug and not any(item["slug"].startswith("~") for item in named)  # deleted: kept unseen

    # What the pickers asked before: a first page of the list, which cannot hold them all.
    first_page = admin.get("/api/scenarios", params={"page_size": 200}).json()
    assert first_page["total"] > 200 and winter not in {item["slug"] for item in first_page["items"]}


def test_a_scenario_slugged_names_is_still_opened_by_its_slug(admin: Client) -> None:
    """The route is not /names: "names" is a slug a scenario may have, and GET /api/scenarios/names is its."""
    if admin.get("/api/scenarios/names").status_code == 404:
        assert admin.post("/api/scenarios", json={"slug": "names", "name": "Names line"}).status_code == 201
    opened = admin.get("/api/scenarios/names")
    assert opened.status_code == 200, opened.text
    assert opened.json()["slug"] == "names" and "draft" in opened.json()
    assert "names" in {item["slug"] for item in admin.get("/api/scenarios/-/names").json()}


def test_signed_out_it_is_refused(anonymous: Client) -> None:
    assert anonymous.get("/api/scenarios/-/names").status_code == 401
