"""Every example scenario pre-renders: each static phrase is spoken by espeak-ng in the scenario's language."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from voice.formats import AudioFormat
from voice.prerender import prerender
from voice.service import TtsService
from voice.tools import measure

EXAMPLES = sorted(p for p in (Path(__file__).parents[2] / "examples").glob("*.json") if ".tests." not in p.name)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
async def test_example_prerenders(path: Path, make_service: Any) -> None:
    service: TtsService = make_service(formats=(AudioFormat.SLN,))
    report = await prerender(json.loads(path.read_text()), service)

    assert report.ok, [failure.message for failure in report.failed]
    assert report.rendered or report.deferred, "an example that says nothing"
    for _, media in report.rendered:
        assert not measure(service.path(media, AudioFormat.SLN), AudioFormat.SLN).silent
