"""Where an imported flow's blocks stand: Studio's `offset`s, as Studio drew them, for the designer's Fit view to
show the flow at a zoom it can be read at (review, 2026-12: "Fit view on an imported flow is tiny").

Studio spaces its widgets as the designer spaces blocks (rows ~220 px apart, columns ~340; a block is 220 px wide
and 84-150 tall): an ordinary export needs no scaling. What made Fit view zoom out to its minimum (0.02) was one
widget far from the others: a widget parked off to one side of Studio's canvas, or an offset past MAX_OFFSET
clamped to 100,000, stretched the flow's bounding box to tens of thousands of pixels."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from graph_engine.studio_import import WIDEST_GAP, convert_studio_flow

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "studio" / "support-line.json"
# The designer's block as Fit view measures one not drawn yet (designer_ui/src/lib/layout.ts).
NODE_WIDTH, NODE_HEIGHT = 220, 84
# What Fit view shows in a 1280 x 720 pane, the smallest it zooms to, and the zoom a block's title reads at.
PANE, MIN_ZOOM, READABLE = (1280, 720), 0.02, 0.2


def _bounds(document: dict[str, Any]) -> tuple[float, float]:
    xs = [node["position"]["x"] for node in document["nodes"]]
    ys = [node["position"]["y"] for node in document["nodes"]]
    return max(xs) + NODE_WIDTH - min(xs), max(ys) + NODE_HEIGHT - min(ys)


def _fit_zoom(document: dict[str, Any]) -> float:
    width, height = _bounds(document)
    return max(MIN_ZOOM, min(PANE[0] / width, PANE[1] / height))


def _examples() -> list[dict[str, Any]]:
    found = [json.loads(path.read_text(encoding="utf-8")) for path in sorted((ROOT / "examples").glob("*.json"))]
    return [d for d in found if isinstance(d, dict) and d.get("nodes") and all("position" in n for n in d["nodes"])]


@pytest.fixture
def studio_flow() -> dict[str, Any]:
    return dict(json.loads(FIXTURE.read_text(encoding="utf-8")))


def _position(document: dict[str, Any], node_id: str) -> dict[str, float]:
    return next(node["position"] for node in document["nodes"] if node["id"] == node_id)


def _with_far_widget(flow: dict[str, Any], offset: dict[str, Any]) -> dict[str, Any]:
    """The support line with a widget parked far from the rest (a voicemail nobody wired yet)."""
    changed = copy.deepcopy(flow)
    changed["states"].append({"name": "parked", "type": "record-voicemail", "transitions": [],
                              "properties": {"offset": offset}})  # fmt: skip
    return changed


def test_an_ordinary_export_keeps_studios_places_and_reads_at_a_zoom_like_the_examples(
    studio_flow: dict[str, Any],
) -> None:
    document, _ = convert_studio_flow(studio_flow)
    assert _position(document, "greeting") == {"x": 40, "y": 200}
    assert _position(document, "connect_sales") == {"x": -300, "y": 1300}
    least_example_zoom = min(_fit_zoom(example) for example in _examples())
    assert _fit_zoom(document) >= min(least_example_zoom, READABLE)


@pytest.mark.parametrize(
    "far", [{"x": 40, "y": 30_000}, {"x": 60_000, "y": 500}, {"x": -1e308, "y": 1e308}, {"x": 1e6, "y": -1e6}]
)
def test_a_widget_parked_far_away_is_brought_near_so_fit_view_does_not_zoom_to_its_minimum(
    studio_flow: dict[str, Any], far: dict[str, Any]
) -> None:
    document, _ = convert_studio_flow(_with_far_widget(studio_flow, far))
    width, height = _bounds(document)
    alone = _bounds(convert_studio_flow(studio_flow)[0])
    # At most one gap and one block more, across and down, than the flow without it.
    assert width <= alone[0] + WIDEST_GAP + NODE_WIDTH and height <= alone[1] + WIDEST_GAP + NODE_HEIGHT
    assert _fit_zoom(document) >= READABLE
    # The rest stay as Studio spaced them, the Trigger where it was.
    assert _position(document, "Trigger") == {"x": 0, "y": 0}
    assert _position(document, "greeting") == {"x": 40, "y": 200}
    assert _position(document, "crm_lookup") == {"x": 40, "y": 420}
    assert _position(document, "connect_sales") == {"x": -300, "y": 1300}


def test_blocks_brought_near_keep_their_order_and_do_not_land_on_one_another(studio_flow: dict[str, Any]) -> None:
    flow = _with_far_widget(studio_flow, {"x": 50_000, "y": 50_000})
    flow["states"].append({"name": "farther", "type": "run-function", "transitions": [],
                           "properties": {"offset": {"x": 90_000, "y": 90_000}}})  # fmt: skip
    document, _ = convert_studio_flow(flow)
    parked, farther, goodbye = (_position(document, name) for name in ("parked", "farther", "goodbye"))
    assert goodbye["x"] + NODE_WIDTH <= parked["x"] and parked["x"] + NODE_WIDTH <= farther["x"]
    assert goodbye["y"] + NODE_HEIGHT <= parked["y"] and parked["y"] + NODE_HEIGHT <= farther["y"]
    assert _position(document, "end")["y"] >= farther["y"]  # the Hang Up every unwired exit ends at, below all
