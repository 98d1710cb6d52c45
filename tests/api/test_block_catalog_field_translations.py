"""`GET /api/blocks` carries a plugin block's form and exit texts in the designer's languages (`fields.<name>.title`,
`fields.<name>.enum.<value>`, `exits.<name>`, `issues.<code>`; graph_engine/translations.py), as the plugin gives
them, so the designer's form, canvas and problems show a plugin's block in the analyst's language.

Review (plugin developer): a plugin could translate only its block's title and description; in Spanish or Russian
its config panel stayed half English. Over real HTTP: the shared server, with the example SMS plugin installed.
"""

from __future__ import annotations

from ivrgraph_sms import SendSmsBlock

from tests.api.conftest import Client


def test_the_catalog_carries_the_sms_plugins_field_and_exit_texts(admin: Client) -> None:
    response = admin.get("/api/blocks")
    assert response.status_code == 200, response.text
    [sms] = [entry for entry in response.json() if entry["type"] == "send_sms"]

    assert sms["translations"] == SendSmsBlock.translations  # every key as the plugin gives it, nothing dropped
    assert sms["translations"]["es"]["fields.to.title"] == "Para"
    assert sms["translations"]["ru"]["exits.failed"] == "Сбой отправки"
    assert sms["config_schema"]["properties"]["to"]["title"] == "To"  # the schema itself stays English


def test_the_api_schema_types_the_keyed_texts_as_strings(anonymous: Client) -> None:
    """The designer's generated types read `translations.es["fields.to.title"]` as a string."""
    texts = anonymous.get("/openapi.json").json()["components"]["schemas"]["BlockTexts"]
    assert texts["additionalProperties"] == {"type": "string"}
    assert "exits.<name>" in texts["description"]
