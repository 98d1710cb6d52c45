"""The phrase cache: rendered audio under the media root, named by a hash of everything that shapes it.

A phrase is one set of files `<folder>/<key><ext>` (one per output format). Files appear atomically (written
under a temp name in the same folder, then `os.replace`d), so a channel never plays half a file, and the
folder is bounded in bytes with least-recently-used eviction. Several processes (AGI server, API) may share
the folder: each keeps its own index, rebuilt from the files, and a hit always checks the files are there.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path

from voice.text import normalize_text, speakable
from voice.tools import remove_quietly

__all__ = ["PIPELINE_VERSION", "PhraseCache", "normalize_text", "phrase_key", "speakable"]

# Bump when text handling or conversion changes what a phrase sounds like: every cached file is then renewed.
PIPELINE_VERSION = 1
_STALE_TEMP_SECONDS = 3600.0


def phrase_key(
    *,
    engine: str,
    engine_revision: int,
    voice: str | None,
    language: str,
    text: str,
    formats: Sequence[str],
) -> str:
    """The cache key of a phrase: 32 hex digits of SHA-256 over every input that changes the audio."""
    payload = json.dumps(
        [PIPELINE_VERSION, engine, engine_revision, voice or "", language.lower(), normalize_text(text), list(formats)],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


class PhraseCache:
    """Files of rendered phrases in one folder, bounded to `max_bytes` by evicting the least recently used."""

    def __init__(self, folder: Path, extensions: Sequence[str], *, max_bytes: int) -> None:
        if not extensions:
            raise ValueError("a phrase cache needs at least one output format")
        self.folder = folder
        self.extensions = tuple(extensions)
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, int] | None = None  # key -> bytes, least recently used first
        self._total = 0

    # -- index -------------------------------------------------------------------------------------------
    def _index(self) -> OrderedDict[str, int]:
        if self._entries is None:
            self._entries = self._scan()
            self._total = sum(self._entries.values())
        return self._entries

    def _scan(self) -> OrderedDict[str, int]:
        """Rebuild the index from the folder, oldest use first, and sweep temp files a crash left behind."""
        self.folder.mkdir(parents=True, exist_ok=True)
        found: dict[str, list[float]] = {}
        sizes: dict[str, int] = {}
        now = time.time()
        for entry in os.scandir(self.folder):
            stat = entry.stat(follow_symlinks=False)
            if entry.name.startswith("."):  # a temp file or work folder; old ones were left by a crash
                if now - stat.st_mtime > _STALE_TEMP_SECONDS:
                    if entry.is_dir(follow_symlinks=False):
                        shutil.rmtree(entry.path, ignore_errors=True)
                    else:
                        remove_quietly(Path(entry.path))
                continue
            if not entry.is_file(follow_symlinks=False):
                continue
            key, dot, ext = entry.name.partition(".")
            if not dot or f".{ext}" not in self.extensions:
                continue
            found.setdefault(key, []).append(stat.st_mtime)
            sizes[key] = sizes.get(key, 0) + stat.st_size
        ordered = sorted(found, key=lambda k: max(found[k]))
        return OrderedDict((key, sizes[key]) for key in ordered)

    @property
    def total_bytes(self) -> int:
        self._index()
        return self._total

    def touch(self, key: str) -> bool:
        """Mark `key` just used in this process's index, without the file system; False when it is not indexed."""
        entries = self._entries if self._entries is not None else self._index()  # a prompt's hot path
        if key not in entries:
            return False
        entries.move_to_end(key)
        return True

    def __contains__(self, key: str) -> bool:
        return key in self._index()

    def keys(self) -> list[str]:
        """Keys from least to most recently used."""
        return list(self._index())

    # -- use ---------------------------------------------------------------------------------------------
    def path(self, key: str, extension: str) -> Path:
        return self.folder / f"{key}{extension}"

    def lookup(self, key: str) -> bool:
        """True when every file of `key` is there; marks it as just used."""
        entries = self._index()
        paths = [self.path(key, ext) for ext in self.extensions]
        if not all(p.is_file() for p in paths):
            if key in entries:  # removed behind our back (another process evicted it)
                self._total -= entries.pop(key)
            return False
        if key not in entries:  # written by another process
            entries[key] = sum(p.stat().st_size for p in paths)
            self._total += entries[key]
        entries.move_to_end(key)
        now = time.time()
        for p in paths:
            # The mtime is the recency other processes see when they rebuild their index.
            try:
                os.utime(p, (now, now))
            except FileNotFoundError:
                return False
        return True

    def temp_path(self, key: str, extension: str) -> Path:
        """A file name in the cache folder that is never served (dot-prefixed) and unique to this writer."""
        return self.folder / f".{key}.{os.getpid()}.{time.monotonic_ns()}{extension}"

    def store(self, key: str, files: Mapping[str, Path]) -> None:
        """Move finished files (`extension -> temp path` in this folder) into place, then evict to the bound."""
        missing = set(self.extensions) - set(files)
        if missing:
            raise ValueError(f"phrase {key} lacks formats {sorted(missing)}")
        entries = self._index()
        size = 0
        for ext in self.extensions:
            final = self.path(key, ext)
            os.replace(files[ext], final)  # atomic on one filesystem: readers see the old file or the new one
            size += final.stat().st_size
        if key in entries:
            self._total -= entries[key]
        entries[key] = size
        entries.move_to_end(key)
        self._total += size
        self._evict(keep=key)

    def _evict(self, *, keep: str) -> None:
        entries = self._index()
        while self._total > self.max_bytes and len(entries) > 1:
            oldest = next(iter(entries))
            if oldest == keep:
                entries.move_to_end(keep)
                oldest = next(iter(entries))
            self._total -= entries.pop(oldest)
            for ext in self.extensions:
                remove_quietly(self.path(oldest, ext))
