"""Golden call transcripts: every example's scenario tests, told as stories, must read exactly as recorded.

A change to the engine, a block or an example that changes what a caller hears or where a call goes shows up
here as a readable diff. After checking the diff is intended: IVRGRAPH_UPDATE_GOLDEN=1 pytest tests/examples.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graph_engine.scenario_tests import simulation_input
from graph_engine.simulation import simulate
from ivrgraph.scenario_files import read_test_file, sibling_documents
from tests.conftest import EXAMPLES, example_slugs

GOLDEN = Path(__file__).parent / "golden"


async def told(registry, slug: str) -> str:
    documents = sibling_documents(EXAMPLES)
    test_file = read_test_file(EXAMPLES / f"{slug}.tests.json")
    parts = []
    for test in test_file.tests:
        simulation = await simulate(documents[slug], registry, simulation_input(test, documents))
        parts.append(f"## {test['name']}\n" + "\n".join(simulation.story) + "\n")
    return "\n".join(parts)


@pytest.mark.parametrize("slug", example_slugs())
async def test_golden_story(registry, slug):
    story = await told(registry, slug)
    golden = GOLDEN / f"{slug}.txt"
    if os.environ.get("IVRGRAPH_UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(story, encoding="utf-8")
    assert golden.exists(), f"no golden transcript for {slug}: run with IVRGRAPH_UPDATE_GOLDEN=1"
    assert story == golden.read_text(encoding="utf-8")
