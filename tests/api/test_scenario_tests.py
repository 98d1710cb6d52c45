"""POST /api/scenarios/{slug}/tests: a draft's `meta.tests` run as publishing runs them, without publishing.

QA review: the designer could neither show nor run a scenario's tests; their results came only when Publish refused.
The designer's Tests tab runs them on the canvas as it stands. Over real HTTP (the shared server, each backend).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.api.conftest import Client
from tests.persistence import documents

SAYS_HOLA = {"name": "says hola", "expect": {"path": ["start", "hello", "bye"], "said": ["Hola"], "outcome": "hung_up"}}
TRANSFERS = {"name": "transfers", "expect": {"outcome": "transferred"}}


def _create(client: Client, slug: str, document: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/scenarios", json={"slug": slug, "name": slug.title(), "document": document})
    assert response.status_code == 201, response.text
    return dict(response.json()["draft"])


def _ran(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_viewer_runs_the_stored_drafts_tests_and_nothing_is_stored(
    admin: Client, user_factory: Callable[[str], Client], slug: Callable[[str], str]
) -> None:
    name = slug("tests")
    _create(admin, name, documents.greeting("Hola", tests=[SAYS_HOLA, TRANSFERS]))
    viewer = user_factory("viewer")

    body = _ran(viewer.post(f"/api/scenarios/{name}/tests"))

    assert (body["total"], body["passed"], body["failed"]) == (2, 1, 1)
    hola, transfers = body["tests"]
    assert (hola["name"], hola["passed"], hola["failures"]) == ("says hola", True, [])
    own_blocks = [(None, "start"), (None, "hello"), (None, "bye")]
    assert [(step["scenario"], step["node"]) for step in hola["steps"]] == own_blocks
    assert hola["steps"][0]["exit"] == "next"
    assert any("Hola" in line for line in hola["story"]), hola["story"]
    assert (transfers["name"], transfers["passed"]) == ("transfers", False)
    assert transfers["failures"] == ["outcome was hung_up, expected transferred"]
    # Run, not published: no version, the draft as it was.
    assert admin.get(f"/api/scenarios/{name}/versions").json() == []
    assert admin.get(f"/api/scenarios/{name}").json()["draft"]["revision"] == 1


def test_an_editor_runs_the_tests_of_the_document_being_edited_without_saving_it(
    admin: Client, user_factory: Callable[[str], Client], slug: Callable[[str], str]
) -> None:
    name = slug("tests-unsaved")
    _create(admin, name, documents.greeting("Hola"))
    editor = user_factory("editor")
    # The canvas as edited: the phrase changed, a test added; neither saved.
    edited = documents.greeting("Adiós", tests=[SAYS_HOLA])

    body = _ran(editor.post(f"/api/scenarios/{name}/tests", json={"document": edited}))

    assert (body["total"], body["passed"], body["failed"]) == (1, 0, 1)
    [failure] = body["tests"][0]["failures"]
    assert failure.startswith("never said 'Hola'") and "Adiós" in failure
    assert _ran(editor.post(f"/api/scenarios/{name}/tests"))["total"] == 0  # the stored draft has no tests
    draft = admin.get(f"/api/scenarios/{name}").json()["draft"]
    assert draft["revision"] == 1 and "meta" not in draft["document"]


def test_a_viewer_may_not_run_tests_of_a_document_of_their_own(
    admin: Client, user_factory: Callable[[str], Client], slug: Callable[[str], str]
) -> None:
    name = slug("tests-viewer")
    stored = _create(admin, name, documents.greeting("Hola", tests=[SAYS_HOLA]))
    viewer = user_factory("viewer")

    refused = viewer.post(f"/api/scenarios/{name}/tests", json={"document": documents.greeting("Adiós")})
    # The draft as the API handed it out, sent back (a designer sending its canvas), is the draft.
    sent_back = viewer.post(f"/api/scenarios/{name}/tests", json={"document": stored["document"]})

    assert refused.status_code == 403, refused.text
    assert "editor" in refused.json()["detail"]
    assert _ran(sent_back)["passed"] == 1


def test_a_go_to_scenario_continues_in_the_published_version_and_its_steps_name_it(
    admin: Client, slug: Callable[[str], str]
) -> None:
    target, jumper = slug("tests-target"), slug("tests-jumper")
    _create(admin, target, documents.greeting("Hola desde el destino"))
    assert admin.post(f"/api/scenarios/{target}/publish", json={"message": "v1"}).status_code == 200
    # The target's draft moves on: the test call reaches what is published, as a live call does.
    draft = admin.get(f"/api/scenarios/{target}").json()["draft"]
    draft["document"]["nodes"][1]["config"]["text"] = "Borrador sin publicar"
    assert admin.put(f"/api/scenarios/{target}/draft", json=draft).status_code == 200
    jumping = documents.jumping_to(target)
    jumping["meta"] = {"tests": [{"name": "jumps", "expect": {"said": ["Hola desde el destino"]}}]}
    _create(admin, jumper, jumping)

    body = _ran(admin.post(f"/api/scenarios/{jumper}/tests", json={}))

    [jumps] = body["tests"]
    assert jumps["passed"], jumps["failures"]
    assert [(step["scenario"], step["node"]) for step in jumps["steps"]] == [
        (None, "start"),
        (None, "jump"),
        (target, "start"),
        (target, "hello"),
        (target, "bye"),
    ]


def test_tests_that_cannot_run_fail_saying_why_rather_than_the_request(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("tests-broken")
    typo_test = {"name": "typo", "kyes": ["1"], "expect": {"outcome": "hung_up"}}
    document = documents.greeting("Hola")
    document["meta"] = {"tests": [typo_test, 7]}  # a test that is no object, as written by hand

    _create(admin, name, document)

    body = _ran(admin.post(f"/api/scenarios/{name}/tests"))

    assert (body["total"], body["failed"]) == (2, 2)
    typo, seven = body["tests"]
    assert "unknown field 'kyes' (did you mean 'keys'?)" in typo["failures"]
    assert seven["name"] == "test 2" and seven["failures"][0].startswith("a test must be an object")


def test_the_tests_of_a_scenario_that_is_not_there_are_a_404_naming_it(admin: Client) -> None:
    missing = admin.post("/api/scenarios/no-such-scenario-here/tests")

    assert missing.status_code == 404
    assert "no-such-scenario-here" in missing.json()["detail"]  # the scenario is missing, not the route
