"""schemathesis against the committed OpenAPI document: no 500s, and every answer matches its declared schema.

A server of its own (the fuzzer creates, changes and deletes things at random), signed in with an admin's
bearer token so every operation is reachable. Examples per operation are bounded to keep the run short.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from api.export_openapi import TARGET
from api.settings import Settings
from persistence.publishing import PublishHub
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, serve_api
from tests.persistence import pg

schema = schemathesis.openapi.from_dict(json.loads(TARGET.read_text(encoding="utf-8")))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@dataclass(frozen=True)
class Fuzzed:
    """A throwaway server, and the admin and bearer token the fuzzer acts as."""

    base_url: str
    token: str
    own: dict[str, int]  # the path parameters that name the fuzzer's own user and token


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fuzzed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    def start(url: str) -> Iterator[Fuzzed]:
        settings_ = Settings(
            database_url=url,
            admin_user=ADMIN,
            admin_password=ADMIN_PASSWORD,
            designer_dist=None,
            media_root=tmp_path_factory.mktemp("media"),
        )
        for base_url in serve_api(settings_, PublishHub()):
            with httpx.Client(base_url=base_url) as client:
                login = client.post("/api/auth/login", json={"username": ADMIN, "password": ADMIN_PASSWORD}).json()
                client.headers["X-CSRF-Token"] = login["csrf_token"]
                made = client.post("/api/tokens", json={"name": "fuzz"}).json()
                user_id = client.get("/api/auth/me").json()["user"]["id"]
            yield Fuzzed(base_url, made["token"], {"user_id": user_id, "token_id": made["id"]})

    if request.param == "sqlite":
        yield from start(f"sqlite:///{Path(tmp_path_factory.mktemp('fuzz')) / 'fuzz.sqlite3'}")
    else:
        with pg.throwaway_database("fuzz") as url:
            yield from start(url)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_answers_match_the_schema(case: schemathesis.Case, fuzzed: Fuzzed) -> None:
    # The fuzzer may not act on its own account: a password reset, a deactivation or a role taken revokes its token
    # (an admin's reset is account recovery), and every later operation would only answer 401. Its own user and
    # token are fuzzed as ids that name nobody instead.
    for name, own_id in fuzzed.own.items():
        if case.path_parameters is not None and case.path_parameters.get(name) == own_id:
            case.path_parameters[name] = own_id + 10_000
    case.call_and_validate(base_url=fuzzed.base_url, headers={"Authorization": f"Bearer {fuzzed.token}"}, checks=CHECKS)
