"""A designer file that is missing is a 404 no cache keeps (security review): without Cache-Control a browser or a
proxy could keep the 404 heuristically, and a chunk that comes back (a node rolled back, a release deployed late)
stayed missing for whoever asked too early."""

from __future__ import annotations

import pytest

from tests.api.conftest import Client


@pytest.mark.parametrize("path", ["/assets/CallsPage-Dx0ldHa5.js", "/assets/gone.js", "/assets/"])
def test_a_missing_file_under_assets_is_a_404_kept_by_no_one(anonymous: Client, path: str) -> None:
    answer = anonymous.get(path)
    assert answer.status_code == 404
    assert answer.headers.get("cache-control") == "no-store"


def test_a_file_that_is_there_keeps_its_cache_control(anonymous: Client) -> None:
    assert anonymous.get("/assets/app.js").headers["cache-control"] == "no-cache"
