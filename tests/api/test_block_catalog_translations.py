"""`GET /api/blocks` carries each plugin block's `translations`, its title and description in the designer's
languages (graph_engine/block.py), so the designer shows a plugin's block in the analyst's language.

Review (Russian analyst): the example SMS plugin's palette entry read "Send SMS" in English; a plugin could not
give more. Over real HTTP: the shared server, with the installed plugins (the example SMS plugin among them).
"""

from __future__ import annotations

from typing import Any

from ivrgraph_sms import SendSmsBlock

from tests.api.conftest import Client


def _catalog(client: Client) -> dict[str, dict[str, Any]]:
    response = client.get("/api/blocks")
    assert response.status_code == 200, response.text
    return {entry["type"]: entry for entry in response.json()}


def test_the_catalog_carries_the_sms_plugins_spanish_and_russian(admin: Client) -> None:
    sms = _catalog(admin)["send_sms"]

    assert sms["translations"]["es"]["title"] == "Enviar SMS"
    assert sms["translations"]["ru"]["description"] == (
        "Отправляет текстовое сообщение через SMS-шлюз, настроенный администратором."
    )
    assert sms["translations"] == SendSmsBlock.translations  # as the plugin gives them, nothing added
    assert (sms["title"], sms["description"]) == (SendSmsBlock.title, SendSmsBlock.description)  # English as before


def test_a_built_in_block_carries_its_title_as_a_plugins_does(admin: Client) -> None:
    """The built-ins name themselves the same way (the designer reads their titles there, and a register export
    names a block by it): their descriptions and most field texts are still the designer's own."""
    catalog = _catalog(admin)
    assert catalog["sql"]["translations"]["es"]["title"] == "Consulta SQL"
    assert catalog["start"]["translations"] == {"es": {"title": "Inicio"}, "ru": {"title": "Начало"}}
    assert catalog["ivr"]["translations"]["ru"]["fields.prompt.title"] == "Сообщение"


def test_the_api_schema_says_what_translations_hold(anonymous: Client) -> None:
    schema = anonymous.get("/openapi.json").json()["components"]["schemas"]
    translations = schema["BlockCatalogEntry"]["properties"]["translations"]
    assert translations["propertyNames"] == {"enum": ["en", "es", "ru"]}
    assert set(schema["BlockTexts"]["properties"]) == {"title", "description"}
    assert schema["BlockTexts"]["additionalProperties"] == {"type": "string"}  # fields.<name>.title, exits.<name>...
