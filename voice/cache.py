"""The phrase cache: rendered audio under the media root, named by a hash of everything that shapes it.

A phrase is one set of files `<folder>/<key><ext>` (one per output format). Files appear atomically (written
under a temp name in the same folder, then `os.replace`d), so a channel never plays half a file.

Several processes (the API, one or more FastAGI servers) share the folder, so the folder itself is what they
agree on, never one process's memory:

- A phrase's last use is its files' modification time (the newest of them). A process that checks or plays a
  phrase sets it to now, at most once per `TOUCH_SECONDS` per phrase, so a prompt's hot path makes no system
  call most of the time.
- The folder's bytes are counted in its `.usage` file, which every store updates under an flock.
- A store that takes that count over `max_bytes` rescans the folder (sizes and times), then removes the least
  recently used phrases until the folder is down to `LOW_WATER` of the bound (so a full cache rescans once per
  sixteenth of its size stored, not at every store). It never removes a phrase used in the last
  `grace_seconds`: another process may have checked it a moment ago and be handing it to calls without
  looking at the files again (`TtsService`'s recent-use shortcut), and a phrase is re-checked before it goes.

The bound, exactly: once a store returns, the folder's phrases hold at most `max_bytes`, or, when the phrases
used in the last `grace_seconds` alone hold more, only those. Two things can add to it until the next rescan
counts them: files other processes are moving in at that moment, and files a process killed between moving them
in and counting them left behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from voice.text import normalize_text, speakable
from voice.tools import remove_quietly

__all__ = [
    "GRACE_SECONDS",
    "PIPELINE_VERSION",
    "TOUCH_SECONDS",
    "PhraseCache",
    "normalize_text",
    "phrase_key",
    "speakable",
]

# Bump when text handling or conversion changes what a phrase sounds like: every cached file is then renewed.
PIPELINE_VERSION = 2  # 2: `.wav` at 8 kHz, as Asterisk's `wav` format reads it (was 16 kHz)
_STALE_TEMP_SECONDS = 3600.0
TOUCH_SECONDS = 1.0  # a process sets a phrase's modification time at most this often
GRACE_SECONDS = 15.0  # a phrase used this recently is never evicted; room for clocks of hosts sharing the folder
LOW_WATER = 15 / 16  # an eviction goes down to this share of the bound
_USAGE = ".usage"  # the folder's byte count: decimal text, changed under an flock
_EVICTING = ".evicting"  # held (flock) by the process evicting, so two do not evict at once
_OWN_FILES = frozenset({_USAGE, _EVICTING})
_MAX_USED = 100_000


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


@dataclass(slots=True)
class _Count:
    value: int | None  # None: not counted yet (a new folder, or the file was lost)


@dataclass(frozen=True, slots=True)
class _Phrase:
    size: int
    used: float  # the newest modification time of its files


class PhraseCache:
    """Files of rendered phrases in one folder, bounded to `max_bytes` by evicting the least recently used."""

    def __init__(
        self,
        folder: Path,
        extensions: Sequence[str],
        *,
        max_bytes: int,
        grace_seconds: float = GRACE_SECONDS,
        touch_seconds: float = TOUCH_SECONDS,
    ) -> None:
        if not extensions:
            raise ValueError("a phrase cache needs at least one output format")
        self.folder = folder
        self.extensions = tuple(extensions)
        self.max_bytes = max_bytes
        self.grace_seconds = grace_seconds
        self.touch_seconds = touch_seconds
        # key -> time.monotonic() this process last set its modification time; a key is here while this
        # process believes its files are there.
        self._used: dict[str, float] = {}

    # -- what is on disk -----------------------------------------------------------------------------------
    def _scan(self) -> dict[str, _Phrase]:
        """Every phrase in the folder with its bytes and last use; sweeps temp files a crash left behind."""
        self.folder.mkdir(parents=True, exist_ok=True)
        sizes: dict[str, int] = {}
        used: dict[str, float] = {}
        now = time.time()
        for entry in os.scandir(self.folder):
            try:
                stat = entry.stat(follow_symlinks=False)
            except FileNotFoundError:  # removed by another process meanwhile
                continue
            if entry.name.startswith("."):  # a temp file or work folder; old ones were left by a crash
                if entry.name not in _OWN_FILES and now - stat.st_mtime > _STALE_TEMP_SECONDS:
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
            sizes[key] = sizes.get(key, 0) + stat.st_size
            used[key] = max(used.get(key, 0.0), stat.st_mtime)
        return {key: _Phrase(sizes[key], used[key]) for key in sizes}

    @property
    def total_bytes(self) -> int:
        """Bytes of the phrases in the folder, all processes' (a scan: not for a hot path)."""
        return sum(p.size for p in self._scan().values())

    def keys(self) -> list[str]:
        """Keys in the folder from least to most recently used (a scan: not for a hot path)."""
        phrases = self._scan()
        return sorted(phrases, key=lambda k: phrases[k].used)

    def __contains__(self, key: str) -> bool:
        return all(self.path(key, ext).is_file() for ext in self.extensions)

    @contextlib.contextmanager
    def _count(self) -> Iterator[_Count]:
        """The folder's byte count, locked against the other processes while the block runs."""
        fd = os.open(self.folder / _USAGE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                before: int | None = int(os.pread(fd, 32, 0))
            except ValueError:
                before = None
            count = _Count(before)
            yield count
            if count.value is not None and count.value != before:
                os.pwrite(fd, str(count.value).encode().ljust(24), 0)  # fixed width: never a stale tail
        finally:
            os.close(fd)  # and with it the lock

    # -- use ---------------------------------------------------------------------------------------------
    def path(self, key: str, extension: str) -> Path:
        return self.folder / f"{key}{extension}"

    def _refresh(self, key: str, now: float) -> bool:
        """Set the phrase's last use to now on disk; False when its files are gone."""
        try:
            os.utime(self.path(key, self.extensions[0]))
        except FileNotFoundError:
            self._used.pop(key, None)
            return False
        if len(self._used) >= _MAX_USED:
            self._used.clear()
        self._used[key] = now
        return True

    def touch(self, key: str, now: float | None = None) -> bool:
        """Mark `key` used, for a prompt's hot path: no system call unless this process last marked it over
        `touch_seconds` ago. False when this process does not know the phrase to be there (never checked it, or
        found it gone); `now` is `time.monotonic()` when the caller has it."""
        last = self._used.get(key)
        if last is None:
            return False
        now = time.monotonic() if now is None else now
        return now - last < self.touch_seconds or self._refresh(key, now)

    def lookup(self, key: str) -> bool:
        """True when every file of `key` is there; marks it as just used."""
        now = time.monotonic()
        last = self._used.get(key)
        # Refreshed first, then checked: an evictor re-reads the time just before it deletes.
        if (last is None or now - last >= self.touch_seconds) and not self._refresh(key, now):
            return False
        if not all(self.path(key, ext).is_file() for ext in self.extensions):
            self._used.pop(key, None)  # removed behind our back (another process evicted it)
            return False
        return True

    def temp_path(self, key: str, extension: str) -> Path:
        """A file name in the cache folder that is never served (dot-prefixed) and unique to this writer."""
        return self.folder / f".{key}.{os.getpid()}.{time.monotonic_ns()}{extension}"

    def _size(self, key: str) -> tuple[int, float]:
        """Bytes of the files of `key` there now, and their newest modification time."""
        size, used = 0, 0.0
        for ext in self.extensions:
            try:
                stat = self.path(key, ext).stat()
            except FileNotFoundError:
                continue
            size += stat.st_size
            used = max(used, stat.st_mtime)
        return size, used

    def store(self, key: str, files: Mapping[str, Path], *, evict: bool = True) -> bool:
        """Move finished files (`extension -> temp path` in this folder) into place, count them, and evict to
        the bound when the folder is over it; whether it was over. `evict=False` leaves that to the caller
        (`evict`), e.g. to do it off an event loop: a full cache's rescan takes ~100 ms."""
        missing = set(self.extensions) - set(files)
        if missing:
            raise ValueError(f"phrase {key} lacks formats {sorted(missing)}")
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._count() as count:
            before, _ = self._size(key)  # a phrase rendered again (by another process, or lost in part)
            for ext in self.extensions:
                os.replace(files[ext], self.path(key, ext))  # atomic on one filesystem: old file or new one
            if count.value is None:  # the folder's first store, or its count was lost: count everything
                count.value = sum(p.size for p in self._scan().values())
            else:
                count.value += self._size(key)[0] - before
            over = count.value > self.max_bytes
        self._used[key] = time.monotonic()
        if over and evict:
            self.evict(keep=key)
        return over

    # -- eviction ----------------------------------------------------------------------------------------
    def evict(self, *, keep: str) -> None:
        """Rescan the folder and remove the least recently used phrases, not `keep` and none used within the
        grace period, until it is down to `LOW_WATER` of the bound. One process evicts at a time."""
        fd = os.open(self.folder / _EVICTING, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # another process is evicting from the same count
                return
            with self._count() as count:
                counted = count.value or 0
            phrases = self._scan()
            total = sum(p.size for p in phrases.values())
            with self._count() as count:  # the truth as scanned, plus what others counted meanwhile
                count.value = (count.value or 0) + total - counted
            if total <= self.max_bytes:
                return
            target = int(self.max_bytes * LOW_WATER)
            cutoff = time.time() - self.grace_seconds
            for key in sorted(phrases, key=lambda k: phrases[k].used):
                if total <= target or phrases[key].used > cutoff:
                    break  # the rest were used more recently still
                if key != keep:
                    total -= self._remove(key, cutoff)
        finally:
            os.close(fd)

    def _remove(self, key: str, cutoff: float) -> int:
        """Delete the files of `key` unless it was used after `cutoff` (since the scan); the bytes removed."""
        with self._count() as count:
            size, used = self._size(key)
            if used > cutoff:
                return 0
            for ext in self.extensions:
                remove_quietly(self.path(key, ext))
            if count.value is not None:
                count.value = max(0, count.value - size)
        self._used.pop(key, None)
        return size
