"""Phrases that say a sensitive value (a PIN, an account number, a debt): spoken for one call, kept for no other.

A phrase rendered from a variable the scenario declares `sensitive` must not outlive its call. The shared phrase
cache (voice/cache.py) would keep it on disk for days, named by a hash of its text, which a PIN's few thousand
candidates find. So it is written where Asterisk plays it, under the media root, in a folder of its call's:

    <media root>/tts-call/<process>/<call>/<phrase>.{sln,sln16,ulaw,wav16}

every name random: nothing of the text, nor its cache key. The call's folder is removed when the call ends, which is
when the asyncio task that spoke the phrase ends: each host runs a call in a task of its own, and the FastAGI
session's ends once its socket is closed, so Asterisk plays nothing of the call any more (a caller who hung up
mid-prompt included; a file Asterisk still had open is read to its end by Asterisk and freed then, as Linux frees
an unlinked file). Not sooner: a prompt may be played again in the same call (an IVR's retries).

A process killed before its calls ended leaves its folder behind. Each process's folder holds `.lock`, which the
process keeps locked (`flock`, as the cache's count is) while it lives; a FastAGI node at its start, and any process
as it speaks its first such phrase, removes every folder whose lock nobody holds.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import secrets
import shutil
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voice.media import MediaRoot

PRIVATE_FOLDER = "tts-call"
_LOCK = ".lock"
# A process's folder is made under a dot name and renamed once locked: one still dot-named this long after was
# left by a process killed while it made it.
_MAKING_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class _Owned:
    """This process's folder, and the descriptor holding its lock."""

    path: Path
    name: str  # its media name, `tts-call/<token>`
    fd: int


class PrivatePhrases:
    """The folders of one service's phrases with sensitive values: one per call, removed when the call ends."""

    def __init__(self, media: MediaRoot) -> None:
        self.media = media
        self.base = media.root / PRIVATE_FOLDER
        self._own: _Owned | None = None  # made at the first such phrase: most processes never speak one
        self._claiming = asyncio.Lock()  # the first phrases of two calls at once make one folder
        self._calls: dict[asyncio.Task[Any], tuple[Path, str]] = {}

    async def call_folder(self) -> tuple[Path, str]:
        """The folder of the call now running (the current task's) and its media name; made at its first phrase,
        removed when the task ends. Raises OSError when the media root cannot take it."""
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("a phrase with a sensitive value is spoken from a call's task")
        made = self._calls.get(task)
        if made is not None:
            return made
        own = self._own or await self._claimed()
        token = secrets.token_hex(8)
        folder = own.path / token
        folder.mkdir()
        made = self._calls[task] = folder, f"{own.name}/{token}"
        task.add_done_callback(self._call_ended)
        return made

    @property
    def calls(self) -> int:
        """Calls whose phrases are on disk now."""
        return len(self._calls)

    def _call_ended(self, task: asyncio.Task[Any]) -> None:
        # A few files: removed at once, on the loop, rather than left to a thread the end of a process may not run.
        made = self._calls.pop(task, None)
        if made is not None:
            shutil.rmtree(made[0], ignore_errors=True)

    async def _claimed(self) -> _Owned:
        async with self._claiming:
            if self._own is None:
                self._own = await asyncio.to_thread(self._claim)  # a sweep's deletions: off the loop calls share
            return self._own

    def _claim(self) -> _Owned:
        """Make this process's folder, locked before it shows under its name (so no sweep takes it for a dead
        process's), after sweeping the folders of processes gone."""
        self.base.mkdir(parents=True, exist_ok=True)
        self.sweep()
        token = secrets.token_hex(8)
        making = self.base / f".{token}"
        making.mkdir()
        fd = os.open(making / _LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)  # nobody else knows the file yet: never waits
        path = self.base / token
        os.rename(making, path)
        # The folder goes with the service, or at the process's exit; a killed process's goes at the next sweep.
        weakref.finalize(self, _release, path, fd)
        return _Owned(path, f"{PRIVATE_FOLDER}/{token}", fd)

    def sweep(self) -> int:
        """Remove the folders of processes gone (killed before their calls ended): those whose lock nobody holds.
        The number removed."""
        try:
            entries = list(os.scandir(self.base))
        except FileNotFoundError:
            return 0
        removed = 0
        now = time.time()
        for entry in entries:
            if not entry.is_dir(follow_symlinks=False):
                continue
            if entry.name.startswith("."):
                try:
                    gone = now - entry.stat(follow_symlinks=False).st_mtime > _MAKING_SECONDS
                except FileNotFoundError:  # renamed meanwhile: its process lives
                    continue
            else:
                gone = not _held(Path(entry.path) / _LOCK)
            if gone:
                shutil.rmtree(entry.path, ignore_errors=True)
                removed += 1
        return removed


def _held(lock: Path) -> bool:
    """Whether a live process holds this lock (its own folder's): a lock we can take belongs to nobody."""
    try:
        fd = os.open(lock, os.O_RDWR)
    except FileNotFoundError:
        return False
    except OSError:  # cannot tell (another user's folder): leave it
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # and with it the lock, if we took it
    return False


def _release(path: Path, fd: int) -> None:
    shutil.rmtree(path, ignore_errors=True)
    os.close(fd)
