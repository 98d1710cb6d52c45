"""The media root: every file a channel plays lives under one folder and is named, never given as a path.

A media name is relative to the root and has no extension (`tts/3f9a...`, `assets/a1b2...`): Asterisk picks
the file whose extension matches the codec it needs (`.sln`, `.sln16`, `.ulaw`, `.wav`, `.wav16`).
"""

from __future__ import annotations

import re
from pathlib import Path

from graph_engine.block import MEDIA_NAME_PATTERN
from voice.errors import MediaPathError

_MEDIA_NAME = re.compile(MEDIA_NAME_PATTERN)


class MediaRoot:
    """Resolves media names to paths, refusing any name that could leave the root."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()

    def ensure(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def folder(self, name: str) -> Path:
        """A folder under the root (`tts`, `assets`), created when missing."""
        path = self.resolve(name)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def resolve(self, name: str, extension: str = "") -> Path:
        """The path of `name` + `extension` under the root. Raises `MediaPathError` for anything else."""
        if not isinstance(name, str) or not _MEDIA_NAME.fullmatch(name):
            raise MediaPathError(f"not a media name: {name!r}")
        if extension and not re.fullmatch(r"\.[a-z0-9]{1,8}", extension):
            raise MediaPathError(f"not a media extension: {extension!r}")
        # The pattern already forbids '..' segments and absolute paths; resolving also defeats symlinks
        # planted inside the root that point outside it.
        path = (self.root / f"{name}{extension}").resolve()
        if not path.is_relative_to(self.root):
            raise MediaPathError(f"media name {name!r} leaves the media root")
        return path
