"""`ivrgraph serve` says at start when the designer it serves is older than the checkout's sources, naming
`make ui-build` (review: a plugin developer's browser showed a designer built a week before, without a word); never
for a dist without sources beside it (an installed package, a container)."""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from api.stale_designer import stale_designer_warning
from tests.api.serve_process import IVRGRAPH, clean_env, running_serve
from tests.conftest import free_port

BUILT_AT = 1_800_000_000.0


def _checkout(root: Path, *, source_age: float) -> Path:
    """designer_ui/ with src/ and a built dist/ whose index.html is `source_age` seconds newer than the source
    (negative: older). Returns the dist."""
    ui = root / "designer_ui"
    (ui / "src" / "components").mkdir(parents=True)
    (ui / "dist").mkdir()
    source = ui / "src" / "components" / "App.tsx"
    source.write_text("export {}", encoding="utf-8")
    index = ui / "dist" / "index.html"
    index.write_text("<!doctype html><title>old designer</title>", encoding="utf-8")
    os.utime(index, (BUILT_AT, BUILT_AT))
    os.utime(source, (BUILT_AT - source_age, BUILT_AT - source_age))
    return ui / "dist"


def test_a_dist_built_after_its_sources_is_not_stale(tmp_path: Path) -> None:
    assert stale_designer_warning(_checkout(tmp_path, source_age=60)) is None


def test_a_source_changed_after_the_build_is_named_with_the_command(tmp_path: Path) -> None:
    dist = _checkout(tmp_path, source_age=-60)
    warning = stale_designer_warning(dist)
    assert warning is not None
    assert "`make ui-build`" in warning and str(Path("src/components/App.tsx")) in warning


def test_the_build_config_counts_as_a_source_too(tmp_path: Path) -> None:
    dist = _checkout(tmp_path, source_age=60)
    config = dist.parent / "vite.config.ts"
    config.write_text("export default {}", encoding="utf-8")
    os.utime(config, (BUILT_AT + 5, BUILT_AT + 5))
    assert "vite.config.ts changed after the build" in (stale_designer_warning(dist) or "")


def test_a_dist_without_sources_beside_it_is_never_judged(tmp_path: Path) -> None:
    dist = tmp_path / "site" / "dist"
    dist.mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html>", encoding="utf-8")
    assert stale_designer_warning(dist) is None
    assert stale_designer_warning(tmp_path / "nowhere" / "dist") is None
    assert stale_designer_warning(None) is None


def test_a_checkout_never_built_says_so(tmp_path: Path) -> None:
    dist = _checkout(tmp_path, source_age=60)
    (dist / "index.html").unlink()
    assert "not built" in (stale_designer_warning(dist) or "")


def _serve(tmp_path: Path, dist: Path) -> tuple[str, httpx.Response]:
    api_port, agi_port = free_port(), free_port()
    env = clean_env(
        IVRGRAPH_ADMIN_USER="admin",
        IVRGRAPH_ADMIN_PASSWORD="admin-pass-1",
        IVRGRAPH_MEDIA_ROOT=str(tmp_path / "media"),
        IVRGRAPH_DESIGNER_DIST=str(dist),
    )
    log = tmp_path / "serve.log"
    command = [*IVRGRAPH, "serve", "--port", str(api_port), "--agi-port", str(agi_port)]
    with running_serve(command, cwd=tmp_path, env=env, api_port=api_port, log=log, stdout_to_log=False):
        page = httpx.get(f"http://127.0.0.1:{api_port}/")
    return log.read_text(errors="replace"), page


def test_serve_warns_at_start_of_a_stale_designer_and_still_serves_it(tmp_path: Path) -> None:
    text, page = _serve(tmp_path, _checkout(tmp_path / "checkout", source_age=-60))
    warnings = [line for line in text.splitlines() if " WARNING " in line and "make ui-build" in line]
    assert len(warnings) == 1, text
    assert "older than its sources" in warnings[0]
    assert page.status_code == 200 and "old designer" in page.text


def test_serve_says_nothing_of_a_fresh_designer(tmp_path: Path) -> None:
    text, page = _serve(tmp_path, _checkout(tmp_path / "checkout", source_age=60))
    assert "make ui-build" not in text
    assert page.status_code == 200
