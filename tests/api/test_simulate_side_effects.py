"""Review: a VIEWER's test call (POST /api/scenarios/{slug}/simulate) sent a real SMS, of a text and to a number
of their choosing, through the Send SMS example plugin and the gateway the server is configured with. A test call
now never runs a plugin's outside effects, and testing a document sent with the request (rather than the stored
draft) needs the editor role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.api.conftest import Client
from tests.fakes.sms_gateway import sms_gateway

TEXT = "Your account is locked, call +1 555 666"


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, str]]]:
    """A real HTTP SMS gateway, configured for the server as an administrator would (the API runs in-process)."""
    with sms_gateway() as (url, received):
        monkeypatch.setenv("IVRGRAPH_SMS_GATEWAY_URL", url)
        yield received


def _with_sms(document: dict[str, Any]) -> dict[str, Any]:
    document["nodes"].append(
        {"id": "sms", "type": "send_sms", "version": 1, "config": {"to": "+15550001111", "text": TEXT}}
    )
    document["edges"].append({"id": "e-sms", "source": document["nodes"][0]["id"], "exit": "next", "target": "sms"})
    return document


def _scenario(admin: Client, name: str) -> dict[str, Any]:
    created = admin.post("/api/scenarios", json={"slug": name, "name": name.title()})
    assert created.status_code == 201, created.text
    return created.json()["draft"]  # type: ignore[no-any-return]


def _sms_step(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return next(step for step in response.json()["result"]["steps"] if step["node"] == "sms")  # type: ignore[no-any-return]


def test_a_viewer_cannot_test_call_a_document_of_their_own(
    admin: Client, user_factory: Callable[[str], Client], slug: Callable[[str], str], gateway: list[dict[str, str]]
) -> None:
    name = slug("sms-viewer")
    draft = _scenario(admin, name)
    viewer = user_factory("viewer")

    refused = viewer.post(f"/api/scenarios/{name}/simulate", json={"document": _with_sms(draft["document"])})

    assert refused.status_code == 403, refused.text
    assert "editor" in refused.json()["detail"]
    assert gateway == []


def test_an_editors_test_call_sends_no_sms_and_tells_what_it_would_send(
    admin: Client, user_factory: Callable[[str], Client], slug: Callable[[str], str], gateway: list[dict[str, str]]
) -> None:
    name = slug("sms-editor")
    draft = _scenario(admin, name)
    editor = user_factory("editor")

    response = editor.post(f"/api/scenarios/{name}/simulate", json={"document": _with_sms(draft["document"])})

    step = _sms_step(response)
    assert gateway == []
    assert step["exit"] == "sent"
    assert any("not sent in a test call" in line and TEXT in line for line in response.json()["story"])


def test_a_viewer_test_calls_the_stored_draft(
    admin: Client, user_factory: Callable[[str], Client], slug: Callable[[str], str], gateway: list[dict[str, str]]
) -> None:
    name = slug("sms-draft")
    draft = _scenario(admin, name)
    stored = _with_sms(draft["document"])
    saved = admin.put(f"/api/scenarios/{name}/draft", json={"revision": draft["revision"], "document": stored})
    assert saved.status_code == 200, saved.text
    viewer = user_factory("viewer")

    as_stored = viewer.post(f"/api/scenarios/{name}/simulate", json={"keys": []})
    # A designer from before the role check sends the canvas, which for a viewer is the stored draft itself.
    sent_back = viewer.post(f"/api/scenarios/{name}/simulate", json={"document": stored})

    assert _sms_step(as_stored)["exit"] == "sent"
    assert _sms_step(sent_back)["exit"] == "sent"
    assert gateway == []
