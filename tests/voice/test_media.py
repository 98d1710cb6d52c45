"""Media names resolve inside the media root and nowhere else."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from voice.errors import MediaPathError
from voice.media import MediaRoot


def test_names_resolve_under_the_root(media: MediaRoot) -> None:
    assert media.resolve("tts/abc123", ".sln16") == media.root / "tts" / "abc123.sln16"
    assert media.resolve("assets/x_y-z.1") == media.root / "assets" / "x_y-z.1"


@pytest.mark.parametrize(
    "name",
    ["../etc/passwd", "tts/../../x", "/etc/passwd", "tts/.hidden", ".", "", "tts//x", "tts/x/", "a\\b", "tts/x\n",
     "tts/\u00e9", "C:/x", "~root/x", 42],
)  # fmt: skip
def test_names_that_could_leave_the_root_are_refused(media: MediaRoot, name: object) -> None:
    with pytest.raises(MediaPathError):
        media.resolve(name)  # type: ignore[arg-type]


@pytest.mark.parametrize("extension", ["sln", "./x", ".SLN/../..", ".a b"])
def test_odd_extensions_are_refused(media: MediaRoot, extension: str) -> None:
    with pytest.raises(MediaPathError):
        media.resolve("tts/abc", extension)


def test_a_symlink_planted_inside_the_root_cannot_lead_out(media: MediaRoot, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, media.root / "escape")

    with pytest.raises(MediaPathError, match="leaves the media root"):
        media.resolve("escape/secret")
