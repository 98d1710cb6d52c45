"""Tells, in the log, when something blocks the event loop, and where.

Every call of a node shares one event loop. A block that blocks it (a plugin calling `time.sleep`, a synchronous
HTTP client, a CPU-bound loop) holds every call on the node: no command goes out, callers hear silence, Asterisk's
callers hang up. Nothing in asyncio says so outside its debug mode, and a plugin author then sees dropped calls
with no pointer to the cause (review of 2026-12-05). So a thread of its own posts a heartbeat to the loop every
`interval` seconds; a heartbeat left unanswered for `threshold` seconds is a stall, logged once with what the loop's
thread is running at that moment (its innermost frames outside the standard library, and the scenario's block
when the stack goes through a call's walk), and once more when the loop runs again.

The cost: two wake-ups of the loop a second, nothing per call or per command (bench/agi_load.py counts those).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import sysconfig
import threading
import time
import traceback
from pathlib import Path
from types import FrameType
from typing import Final

log = logging.getLogger(__name__)

THRESHOLD: Final = 1.0  # a call waiting a second for its next command is already a call going wrong
_FRAMES_SHOWN: Final = 3
_STDLIB: Final = tuple(str(Path(sysconfig.get_paths()[key]).resolve()) for key in ("stdlib", "platstdlib"))
_INTERPRETER: Final = str(Path(__file__).resolve().parent.parent / "graph_engine" / "interpreter.py")


class LoopStallWatch:
    """Start it from the loop's own thread (`start`), stop it before the loop closes (`stop`)."""

    def __init__(self, *, threshold: float = THRESHOLD, interval: float | None = None) -> None:
        self.threshold = threshold
        self.interval = interval if interval is not None else threshold / 2
        self.stalls = 0  # stalls seen so far, for tests and the curious
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._answered = True  # only the loop sets it (heartbeat answered), only the watch thread clears it
        self._posted_at = 0.0
        self._stalled = False

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._thread = threading.Thread(target=self._watch, name="loop-stall-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval * 2)
            self._thread = None

    def _beat(self) -> None:
        self._answered = True

    def _watch(self) -> None:
        loop = self._loop
        assert loop is not None
        while not self._stop.wait(self.interval):
            now = time.monotonic()
            if self._answered:
                if self._stalled:
                    self._stalled = False
                    log.warning("the event loop runs again, after about %.1f s blocked", now - self._posted_at)
                self._answered = False
                self._posted_at = now
                try:
                    loop.call_soon_threadsafe(self._beat)
                except RuntimeError:  # the loop closed under us: nothing left to watch
                    return
            elif not self._stalled and now - self._posted_at >= self.threshold:
                self._stalled = True
                self.stalls += 1
                log.warning(
                    "the event loop has been blocked for over %.1f s: every call on this node waits%s",
                    self.threshold,
                    self._culprit(),
                )

    def _culprit(self) -> str:
        frame = sys._current_frames().get(self._loop_thread)
        if frame is None:
            return ""
        return describe_blocking_frame(frame)


def describe_blocking_frame(frame: FrameType) -> str:
    """'; running <file:line in function> ...; in block <id> (<type>) of call <id>', from the blocked thread's
    innermost frame outwards."""
    ours = [entry for entry in traceback.extract_stack(frame) if not _in_stdlib(entry.filename)]
    where = " <- ".join(f"{entry.filename}:{entry.lineno} in {entry.name}" for entry in reversed(ours[-_FRAMES_SHOWN:]))
    text = f"; running {where}" if where else ""
    block = _block_of(frame)
    return f"{text}; in {block}" if block else text


def _in_stdlib(filename: str) -> bool:
    resolved = str(Path(filename).resolve())
    return resolved.startswith(_STDLIB) and "site-packages" not in resolved


def _block_of(frame: FrameType | None) -> str:
    """The block a call's walk is running, read from the walk's frame (`CallRun.run` holds it in `current`)."""
    while frame is not None:
        code = frame.f_code
        if code.co_name == "run" and str(Path(code.co_filename).resolve()) == _INTERPRETER:
            names = frame.f_locals
            node, run = names.get("current"), names.get("self")
            node_id, node_type = getattr(node, "id", None), getattr(node, "type", None)
            if node_id is not None:
                call_id = getattr(run, "call_id", None)
                return f"block {node_id!r} ({node_type}) of call {call_id}"
        frame = frame.f_back
    return ""
