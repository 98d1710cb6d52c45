"""Every operation of the OpenAPI document says the least role it needs, and that is the role enforced.

The statement is checked against the server over HTTP, not against the code that writes it: a user one role
below is refused (403 `forbidden`; 401 for no sign-in below viewer), a user of the stated role is let through
(whatever then goes wrong with the made-up ids and the missing bodies sent, it is not a 401 or a 403).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from api.app import create_app
from api.settings import Settings
from tests.api.conftest import Client

ROLES = ("viewer", "editor", "publisher", "admin")
STATED = re.compile(r"\*\*Role:\*\* (public|viewer|editor|publisher|admin)\b")
# Made-up values for every path parameter of the API: each names nothing that exists, so nothing is changed.
PATH_VALUES = {
    "slug": "no-such-scenario",
    "number": "2147483647",
    "call_id": "no-such-call",
    "job_id": "no-such-job",
    "campaign_id": "no-such-campaign",
    "block_type": "no-such-block",
    "asset_id": "0" * 32,
    "token_id": "2147483647",
    "user_id": "2147483647",
    "source_id": "2147483647",
    "source_name": "no-such-source",
    "event_id": "2147483647",
}


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def stated_role(operation: dict[str, Any]) -> str:
    found = STATED.findall(operation.get("description", ""))
    assert len(found) == 1, f"{operation['operationId']} states its role {len(found)} times"
    return str(found[0])


def test_every_operation_states_one_role_and_a_machine_readable_copy() -> None:
    document = create_app(Settings(database_url="sqlite://", migrate_on_start=False, designer_dist=None)).openapi()
    for _method, _path, operation in operations(document):
        assert operation["x-role"] == stated_role(operation), operation["operationId"]


@pytest.fixture
def one_of_each(user_factory: Callable[[str], Client], anonymous: Client) -> dict[str, Client]:
    return {"public": anonymous, **{role: user_factory(role) for role in ROLES}}


def call(client: Client, method: str, path: str) -> int:
    url = re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES[m.group(1)], path)
    return client.request(method, url).status_code


def test_the_stated_role_is_the_one_enforced(one_of_each: dict[str, Client], anonymous: Client) -> None:
    document = anonymous.get("/openapi.json").json()
    found = sorted(operations(document), key=lambda op: op[2]["operationId"] == "logout")
    assert len(found) > 50
    for method, path, operation in found:  # signing out last: it ends the session it is sent with
        role = stated_role(operation)
        where = f"{method} {path} (stated: {role})"
        assert call(one_of_each[role], method, path) not in (401, 403), where
        if role == "public":
            continue
        below = "public" if role == "viewer" else ROLES[ROLES.index(role) - 1]
        assert call(one_of_each[below], method, path) == (401 if below == "public" else 403), where
