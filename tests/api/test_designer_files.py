"""The designer's files over real HTTP, as a browser that kept a tab open across an upgrade asks for them (ops review).

A tab of the release before asks for chunks by the names that release gave them: a chunk no longer there is a 404
(index.html in its place made the import fail on a page of HTML), and index.html is fetched anew on every open
(a cached copy named the chunks of the release before), while the chunks, named after their contents, are kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.settings import Settings
from persistence.publishing import PublishHub
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client, serve_api

IMMUTABLE = "public, max-age=31536000, immutable"
INDEX = '<!doctype html><title>ivrgraph designer</title><script type="module" src="./assets/index-rKVCwtB1.js">'


def _vite_dist(folder: Path) -> Path:
    """A dist folder shaped as `vite build` writes it: index.html, and chunks named `<name>-<8-character hash>`."""
    assets = folder / "assets"
    assets.mkdir(parents=True)
    (folder / "index.html").write_text(INDEX, encoding="utf-8")
    (folder / "favicon.svg").write_text("<svg/>", encoding="utf-8")  # from public/: no hash in its name
    chunks = ("index-rKVCwtB1.js", "CallsPage-CbWJpB54.js", "CallbacksPage-4V7RGNj-.js", "useAddressForm-CFFuWk1_.js")
    for name in chunks:
        (assets / name).write_text(f"// {name}", encoding="utf-8")
        (assets / f"{name}.map").write_text("{}", encoding="utf-8")
    (assets / "index-DKvBdBpJ.css").write_text("body{}", encoding="utf-8")
    (assets / "notes.js").write_text("// put here by hand, no hash", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def designer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    folder = tmp_path_factory.mktemp("designer")
    settings = Settings(database_url=f"sqlite:///{folder / 'api.sqlite3'}", admin_user=ADMIN,
                        admin_password=ADMIN_PASSWORD, designer_dist=_vite_dist(folder / "dist"),
                        media_root=folder / "media")  # fmt: skip
    for base_url in serve_api(settings, PublishHub()):
        with Client(base_url=base_url, timeout=30) as client:
            yield client


@pytest.mark.parametrize("path", ["/assets/CallsPage-Dx0ldHa5.js", "/assets/index-0ldHash0.css", "/assets/gone.js"])
def test_a_chunk_the_release_before_named_is_a_404_not_the_page(designer: Client, path: str) -> None:
    answer = designer.get(path)
    assert answer.status_code == 404
    assert not answer.headers["content-type"].startswith("text/html")
    assert "ivrgraph designer" not in answer.text


def test_a_missing_file_under_assets_stays_a_404_at_any_depth(designer: Client) -> None:
    assert designer.get("/assets/").status_code == 404
    assert designer.get("/assets/nested/CallsPage-CbWJpB54.js").status_code == 404


@pytest.mark.parametrize("path", ["/", "/index.html"])
def test_index_html_is_revalidated_on_every_open(designer: Client, path: str) -> None:
    answer = designer.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.text == INDEX
    assert answer.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    ("path", "address"),
    [
        ("/calls", "./#/calls"),
        ("/s/sales", "../#/s/sales"),
        ("/scenarios/sales/edit", "../../#/scenarios/sales/edit"),
        ("/calls/", "../#/calls/"),
        ("/reports?scenario=sales", "./#/reports?scenario=sales"),
        ("/s/caf%C3%A9%20sales", "../#/s/caf%C3%A9%20sales"),
        ("/assetsmissing.js", "./#/assetsmissing.js"),
    ],
)
def test_a_path_below_the_root_opens_the_designer_on_that_route(designer: Client, path: str, address: str) -> None:
    # index.html names its chunks relative to itself: served at /scenarios/sales/edit it asked for
    # /scenarios/sales/assets/..., got the page again in their place, and the browser showed nothing.
    answer = designer.get(path)
    assert answer.status_code == 307
    assert answer.headers["location"] == address
    assert answer.headers["cache-control"] == "no-cache"
    opened = designer.get(str(answer.url.join(address)))
    assert (opened.status_code, opened.text, opened.url.path) == (200, INDEX, "/")


@pytest.mark.parametrize(
    "name",
    ["index-rKVCwtB1.js", "CallsPage-CbWJpB54.js", "CallbacksPage-4V7RGNj-.js", "useAddressForm-CFFuWk1_.js",
     "CallsPage-CbWJpB54.js.map", "index-DKvBdBpJ.css"],
)  # fmt: skip
def test_a_chunk_named_after_its_contents_is_kept_for_a_year(designer: Client, name: str) -> None:
    answer = designer.get(f"/assets/{name}")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == IMMUTABLE


@pytest.mark.parametrize("path", ["/assets/notes.js", "/favicon.svg"])
def test_a_file_whose_name_does_not_change_with_it_is_revalidated(designer: Client, path: str) -> None:
    answer = designer.get(path)
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-cache"


def test_the_api_keeps_its_own_cache_control(designer: Client) -> None:
    assert designer.get("/api/auth/me").headers["cache-control"] == "no-store"
