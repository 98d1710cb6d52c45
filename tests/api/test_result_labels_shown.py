"""Call results in a scenario's own words where the designer still showed their codes, over real HTTP on both
databases (review by a Spanish analyst and supervisor):

- a campaign's detail («Campañas» → a campaign → «Respuestas») counts what the clients answered by code, and now
  carries the words its scenario gives those codes, as the call register does;
- the scenarios' names (the register's filters) carry each scenario's declared results, to offer as choices;
- a version that only gives a result new words is a change: its diff and its publish say so, where they said
  "no changes" while every past call then read the new label.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.api.conftest import Client, Server
from tests.api.test_result_label_exports import campaign  # noqa: F401  (fixture)
from tests.api.test_result_labels import OPERATOR, PAY, _document, _published


def test_a_campaigns_detail_carries_the_labels_of_its_answers(admin: Client, campaign: tuple[str, str]) -> None:  # noqa: F811
    name, campaign_id = campaign
    detail = admin.get(f"/api/callbacks/campaigns/{campaign_id}")
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["results"] == {"will_pay": 1, "no_response": 1}
    # Only the answers given, and only those declared: `no_response` is shown by its code, as in the register.
    assert body["result_labels"] == {"will_pay": "Pagará"}
    # The actions on one campaign answer with the same detail: the dialog shows it in their place.
    paused = admin.post(f"/api/callbacks/campaigns/{campaign_id}/pause")
    assert paused.status_code == 200, paused.text
    assert paused.json()["result_labels"] == {"will_pay": "Pagará"}
    resumed = admin.post(f"/api/callbacks/campaigns/{campaign_id}/resume")
    assert resumed.json()["result_labels"] == {"will_pay": "Pagará"}
    # The list of campaigns counts no answers, and so names none.
    listed = admin.get("/api/callbacks/campaigns", params={"scenario": name}).json()
    assert [(c["results"], c["result_labels"]) for c in listed] == [({}, {})]
    # A new version's words are the detail's from then on, as for the register.
    draft = admin.get(f"/api/scenarios/{name}").json()["draft"]
    renamed = _document([{**PAY, "label": "Pagará el lunes"}, OPERATOR])
    saved = admin.put(f"/api/scenarios/{name}/draft", json={"revision": draft["revision"], "document": renamed})
    assert saved.status_code == 200, saved.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v2"}).status_code == 200
    again = admin.get(f"/api/callbacks/campaigns/{campaign_id}").json()
    assert again["result_labels"] == {"will_pay": "Pagará el lunes"}


def test_the_scenarios_names_carry_their_declared_results(
    admin: Client, server: Server, slug: Callable[[str], str]
) -> None:
    cobros, draft_only = slug("cobros"), slug("borrador")
    _published(admin, cobros, [PAY, OPERATOR])
    created = admin.post("/api/scenarios", json={"slug": draft_only, "name": draft_only, "document": _document([PAY])})
    assert created.status_code == 201, created.text
    names = {item["slug"]: item for item in admin.get("/api/scenarios/-/names").json()}
    # As the live version declares them, in its order: what its calls record and the register shows.
    assert names[cobros]["results"] == [
        {"code": "will_pay", "label": "Pagará"},
        {"code": "operator_unavailable", "label": "Operador no disponible"},
    ]
    assert names[draft_only]["results"] == []  # nothing published: no call of it recorded anything


def test_a_version_that_only_relabels_a_result_is_a_change(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("etiquetas")
    _published(admin, name, [PAY, OPERATOR])
    draft = admin.get(f"/api/scenarios/{name}").json()["draft"]
    relabelled = _document([{**PAY, "label": "Pagará el lunes"}, OPERATOR])
    saved = admin.put(f"/api/scenarios/{name}/draft", json={"revision": draft["revision"], "document": relabelled})
    assert saved.status_code == 200, saved.text
    diff = admin.get(f"/api/scenarios/{name}/diff")
    assert diff.status_code == 200, diff.text
    assert diff.json()["diff"]["empty"] is False
    change = {"kind": "result_relabelled", "code": "will_pay", "before": "Pagará", "after": "Pagará el lunes"}
    assert diff.json()["diff"]["changes"] == [change]
    published = admin.post(f"/api/scenarios/{name}/publish", json={"message": "v2"})
    assert published.status_code == 200, published.text
    assert published.json()["diff"]["empty"] is False
    assert published.json()["diff"]["changes"] == [change]
