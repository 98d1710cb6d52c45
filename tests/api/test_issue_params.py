"""Over real HTTP: the problems of a draft (saved, validated, refused at publishing) carry their params, so the
designer can say them in the analyst's language."""

from __future__ import annotations

from collections.abc import Callable

from tests.api.conftest import Client
from tests.persistence import documents


def test_draft_validate_and_publish_send_the_params_of_each_problem(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("params")
    assert admin.post("/api/scenarios", json={"slug": name, "name": "Params"}).status_code == 201
    document = documents.greeting("Hola {{ client_name }}")
    document["nodes"][1]["label"] = "Greeting"
    document["nodes"].append({"id": "menu", "type": "ivr", "config": {"prompt": {"audio": "m"}, "timeout": 0}})
    saved = admin.put(f"/api/scenarios/{name}/draft", json={"revision": 1, "document": document})
    assert saved.status_code == 200, saved.text
    checked = admin.post(f"/api/scenarios/{name}/validate", json={"document": document})
    blocked = admin.post(f"/api/scenarios/{name}/publish", json={"message": "no", "revision": 2})
    assert blocked.status_code == 422, blocked.text
    for problems in (saved.json()["problems"], checked.json()["problems"], blocked.json()["problems"]):
        by_code = {p["code"]: p["params"] for p in problems}
        # Nothing sets client_name: said at its field, with the name closest to it (caller_name, a channel fact).
        assert by_code["unknown_variable"] == {
            "block_type": "say_phrase",
            "block_title": "Say Phrase",
            "label": "Greeting",
            "variable": "client_name",
            "field": "Text to say",
            "suggestion": "caller_name",
        }
        assert by_code["config"] == {
            "block_type": "ivr",
            "block_title": "IVR Menu",
            "label": "menu",
            "field": "Seconds to wait",
            "rule": "minimum",
            "limit": 1,
            "value": 0,
        }
