"""The designer's Test call forces the exit of a block that does not run for real in a test call (`exits`) and the
variables it sets on it (`set`), as a scenario test does, over real HTTP.

Finding: a CRM lookup written as a plugin (Twilio Studio's HTTP widget, replaced) takes `not_found` in every test
call, since a test call must not reach the CRM; scenario tests could force `found`, but the test call refused
`exits` (422 extra_forbidden), so an analyst could never hear "Hola Ana" before publishing. Refused as a scenario
test's are, naming the path: an unknown block, an exit the block does not have, a built-in block (its inputs lead it
to its exits) and a forced exit without the variables its block promises on it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest

from api.settings import Settings
from blocks import default_registry
from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.registry import BlockRegistry
from persistence.publishing import PublishHub
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client, serve_api
from tests.conftest import make_document


class CrmLookup(BlockType):
    """A plugin's CRM lookup: finds the caller's customer record and sets their name on `found`. A test call must
    not reach the CRM, so its `simulate` takes `not_found`."""

    type = "crm_lookup"
    title = "CRM Lookup"
    category = "Data"
    exit_rules: ClassVar[list[dict[str, Any]]] = [
        {"name": "found", "label": "Found"},
        {"name": "not_found", "label": "Not found"},
    ]

    def variables_written_on(self, config: Mapping[str, Any], exit_name: str) -> set[str]:
        return {"customer_name"} if exit_name == "found" else set()

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        raise AssertionError("a test call never runs a plugin's run")

    async def simulate(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        return "not_found"


def _with_crm_plugin() -> BlockRegistry:
    """The installed blocks (the example SMS plugin among them) and the CRM lookup."""
    registry = BlockRegistry.of([CrmLookup])
    for block in default_registry():
        registry.register(type(block), origin="builtin")
    return registry


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    """SQLite: nothing here depends on the database's kind."""
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'api.sqlite3'}"
    settings = Settings(database_url=url, admin_user=ADMIN, admin_password=ADMIN_PASSWORD, designer_dist=None,
                        media_root=Path(tmp_path_factory.mktemp("media")))  # fmt: skip
    for base_url in serve_api(settings, PublishHub(), _with_crm_plugin()):
        with Client(base_url=base_url, timeout=30) as signed_in:
            assert signed_in.login(ADMIN, ADMIN_PASSWORD).status_code == 200
            yield signed_in


_names = iter(range(1, 1000))


def _greeting() -> dict[str, Any]:
    """Start -> CRM lookup; `found` greets the customer by name, `not_found` sends an SMS, then hangs up."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "crm", "type": "crm_lookup", "label": "CRM"},
            {"id": "hello", "type": "say_phrase", "config": {"text": "Hola {{ customer_name }}"}},
            {"id": "sms", "type": "send_sms", "version": 1, "config": {"to": "+15550001111", "text": "Llámenos"}},
            {"id": "sorry", "type": "say_phrase", "config": {"text": "No pudimos enviar el mensaje"}},
            {"id": "bye", "type": "hangup"},
        ],
        [
            ("start", "next", "crm"),
            ("crm", "found", "hello"),
            ("crm", "not_found", "sms"),
            ("hello", "next", "bye"),
            ("sms", "sent", "bye"),
            ("sms", "failed", "sorry"),
            ("sorry", "next", "bye"),
        ],
    )


def _scenario(client: Client) -> str:
    name = f"greeting-{next(_names)}"
    created = client.post("/api/scenarios", json={"slug": name, "name": name, "document": _greeting()})
    assert created.status_code == 201, created.text
    return name


def _path(response: Any) -> list[tuple[str, str | None]]:
    assert response.status_code == 200, response.text
    return [(step["node"], step["exit"]) for step in response.json()["result"]["steps"]]


def _problems(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.text
    return response.json()["problems"]  # type: ignore[no-any-return]


def test_without_exits_each_plugin_block_does_as_its_test_call_does(client: Client) -> None:
    name = _scenario(client)

    call = client.post(f"/api/scenarios/{name}/simulate", json={})

    assert _path(call)[1:3] == [("crm", "not_found"), ("sms", "sent")]


def test_the_example_sms_plugin_forced_to_failed_takes_its_failed_branch(client: Client) -> None:
    name = _scenario(client)

    call = client.post(f"/api/scenarios/{name}/simulate", json={"exits": {"sms": "failed"}})

    assert _path(call)[1:4] == [("crm", "not_found"), ("sms", "failed"), ("sorry", "next")]
    assert any("No pudimos enviar el mensaje" in line for line in call.json()["story"])


def test_a_lookup_forced_to_found_with_the_variables_it_sets_greets_the_caller(client: Client) -> None:
    name = _scenario(client)

    call = client.post(
        f"/api/scenarios/{name}/simulate",
        json={"exits": {"crm": "found"}, "set": {"crm": {"customer_name": "Ana"}}},
    )

    assert _path(call)[1:3] == [("crm", "found"), ("hello", "next")]
    assert any("Hola Ana" in line for line in call.json()["story"])
    assert call.json()["result"]["variables"]["customer_name"] == "Ana"


def test_the_variables_a_forced_exit_promises_may_come_with_the_call_s_variables(client: Client) -> None:
    name = _scenario(client)

    call = client.post(
        f"/api/scenarios/{name}/simulate", json={"exits": {"crm": "found"}, "variables": {"customer_name": "Luis"}}
    )

    assert any("Hola Luis" in line for line in call.json()["story"])


def test_a_forced_found_without_the_variables_it_promises_is_refused_naming_them(client: Client) -> None:
    name = _scenario(client)

    refused = client.post(f"/api/scenarios/{name}/simulate", json={"exits": {"crm": "found"}})

    (problem,) = _problems(refused)
    assert problem["path"] == '$.exits["crm"]'
    assert problem["code"] == "forced_exit_refused"
    assert problem["message"].startswith(
        "exits: node 'crm' (CRM Lookup) sets customer_name when it leaves by 'found', and a forced exit runs nothing"
    )


@pytest.mark.parametrize(
    ("exits", "path", "said"),
    [
        ({"crn": "found"}, '$.exits["crn"]', "'crn'"),
        ({"crm": "fund"}, '$.exits["crm"]', "node 'crm' (CRM Lookup) has no exit 'fund' (did you mean 'found'?)"),
        ({"hello": "next"}, '$.exits["hello"]', "runs in a test call as in a real one"),
    ],
    ids=["unknown block", "exit it does not have", "built-in block"],
)
def test_an_exit_a_test_could_not_force_is_refused_as_a_test_is(
    client: Client, exits: dict[str, str], path: str, said: str
) -> None:
    name = _scenario(client)

    refused = client.post(f"/api/scenarios/{name}/simulate", json={"exits": exits})

    (problem,) = _problems(refused)
    assert problem["path"] == path
    assert problem["code"] == "forced_exit_refused"
    assert problem["message"].startswith("exits: ")
    assert said in problem["message"]


def test_variables_set_by_a_block_whose_exit_is_not_forced_are_refused(client: Client) -> None:
    # Nothing would set them: the block runs as its test call does, and its `simulate` sets what it sets.
    name = _scenario(client)

    refused = client.post(f"/api/scenarios/{name}/simulate", json={"set": {"crm": {"customer_name": "Ana"}}})

    (problem,) = _problems(refused)
    assert problem["path"] == '$.set["crm"]'
    assert problem["code"] == "forced_exit_refused"
    assert "crm" in problem["message"]


def test_every_refusal_is_said_at_once(client: Client) -> None:
    name = _scenario(client)

    refused = client.post(f"/api/scenarios/{name}/simulate", json={"exits": {"crm": "found", "sms": "lost"}})

    assert [problem["path"] for problem in _problems(refused)] == ['$.exits["crm"]', '$.exits["sms"]']


def test_forced_exits_of_other_shapes_are_refused_by_the_schema(client: Client) -> None:
    name = _scenario(client)

    refused = client.post(
        f"/api/scenarios/{name}/simulate", json={"exits": {"crm": {"exit": "found"}}, "set": {"crm": "Ana"}}
    )

    assert {problem["path"] for problem in _problems(refused)} >= {"$.exits.crm", "$.set.crm"}


def test_a_viewer_forces_exits_on_the_stored_draft(client: Client) -> None:
    name = _scenario(client)
    created = client.post(
        "/api/users",
        json={"username": f"viewer-{name}", "password": "password-123", "role": "viewer", "sees_personal_data": True},
    )
    assert created.status_code == 201, created.text
    with Client(base_url=str(client.base_url), timeout=30) as viewer:
        assert viewer.login(f"viewer-{name}", "password-123").status_code == 200

        call = viewer.post(
            f"/api/scenarios/{name}/simulate",
            json={"exits": {"crm": "found"}, "set": {"crm": {"customer_name": "Ana"}}},
        )

    assert _path(call)[1] == ("crm", "found")
