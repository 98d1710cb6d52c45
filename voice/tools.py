"""Running sox, ffmpeg and ffprobe: always an argument list, never a shell, always with a time limit."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voice.errors import ConversionError
from voice.formats import AudioFormat, Converter, conversion_args, ffmpeg_args, sox_input_args

TOOL_TIMEOUT = 60.0  # seconds; a minute of speech converts in well under a second


def available(tool: str) -> bool:
    return shutil.which(tool) is not None


def pick_converter(preferred: Converter | None = None) -> Converter:
    """The converter to use: the preferred one when installed, else whichever is."""
    order: list[Converter] = [preferred] if preferred else []
    order += [c for c in ("sox", "ffmpeg") if c not in order]
    for tool in order:
        if available(tool):
            return tool
    raise ConversionError("neither sox nor ffmpeg is installed (Debian: apt-get install sox libsox-fmt-all ffmpeg)")


def run(
    args: list[str], *, timeout: float = TOOL_TIMEOUT, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run a tool synchronously (for callers already on a worker thread, such as asset upload)."""
    try:
        return subprocess.run(args, input=stdin, capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError as error:
        raise ConversionError(f"{args[0]} is not installed") from error
    except subprocess.TimeoutExpired as error:
        raise ConversionError(f"{Path(args[0]).name} took longer than {timeout:.0f} s") from error


async def run_async(
    args: list[str], *, timeout: float = TOOL_TIMEOUT, stdin: bytes | None = None
) -> tuple[int, bytes, bytes]:
    """Run a tool without blocking the event loop; kill it when it overstays. Returns (code, stdout, stderr).

    Cancelled at any moment, even while its process starts, it ends and leaves no process behind (`_settle`).
    The tool reads and writes unnamed temporary files, not pipes: asyncio leaves open the pipes of a start that
    a cancel-all interrupts (a ResourceWarning when they are collected), and without pipes its start takes one
    pass of the loop instead of several. These tools write a few lines besides the file they make."""
    with tempfile.TemporaryFile() as given, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        if stdin is not None:
            given.write(stdin)
            given.seek(0)
        # The start runs in a task of its own, which a cancel of this one does not interrupt: see `_settle`.
        starting = asyncio.ensure_future(
            asyncio.create_subprocess_exec(
                *args, stdin=given if stdin is not None else subprocess.DEVNULL, stdout=out, stderr=err
            )
        )
        try:
            process = await asyncio.shield(starting)
        except FileNotFoundError as error:
            raise ConversionError(f"{args[0]} is not installed") from error
        except asyncio.CancelledError:
            await _settle(starting)
            raise
        try:
            await asyncio.wait_for(process.wait(), timeout)
        except (TimeoutError, asyncio.CancelledError):
            await _end(process)
            raise
        out.seek(0)
        err.seek(0)
        return process.returncode or 0, out.read(), err.read()


# How long a cancelled run lets the start of its process end by itself before it cancels that start (again):
# asyncio finishes a start within a few passes of the loop, milliseconds.
START_SETTLE = 1.0  # seconds


async def _settle(starting: asyncio.Future[asyncio.subprocess.Process]) -> None:
    """End the start of a cancelled run: the start over, and the process it made, if any, killed and reaped.

    Why a cancel does not simply interrupt the start: in CPython 3.11 (python/cpython#125502, fixed in later
    versions only) a start waits for ever when it is cancelled together with the task asyncio finishes it in
    (`_connect_pipes`, run even without pipes), and a cancel-all does just that: `asyncio.run`'s final one (a node
    stopping while a phrase converts), a test loop's teardown. The start kills its process, then waits for an exit
    notice queued behind a connection that never completes, and the loop never closes. A second cancel ends that
    wait, so a start still pending after `START_SETTLE` is cancelled again. A start that is not stuck (only the
    run was cancelled: the caller hung up, its time ran out) ends within that time, and its process is killed."""
    while not starting.done():
        # Cancelled again meanwhile (the final cancel-all after a hang-up): carry on, for the run re-raises its own
        # cancel anyway, and leaving now could leave the start stuck and the loop unable to close.
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait({starting}, timeout=START_SETTLE)
        if not starting.done():
            starting.cancel()
    if not starting.cancelled() and starting.exception() is None:
        await _end(starting.result())


async def _end(process: asyncio.subprocess.Process) -> None:
    """Kill a process and wait until it is reaped."""
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    await process.wait()


def _tail(stderr: bytes) -> str:
    return stderr.decode("utf-8", "replace").strip()[-300:]


async def convert_async(source: Path, target: Path, fmt: AudioFormat, converter: Converter) -> None:
    """Convert `source` into `target` (which the caller makes atomic by giving a temp name)."""
    try:
        code, _, stderr = await run_async(conversion_args(converter, source, target, fmt))
    except TimeoutError as error:
        raise ConversionError(f"{converter} took longer than {TOOL_TIMEOUT:.0f} s") from error
    if code != 0 or not target.exists():
        raise ConversionError(f"{converter} failed to make {fmt.name}: {_tail(stderr)}")


def convert(
    source: Path, target: Path, fmt: AudioFormat, converter: Converter, *, max_seconds: float | None = None
) -> None:
    """Convert synchronously; `max_seconds` (ffmpeg only) stops decoding there."""
    if max_seconds is not None and converter == "ffmpeg":
        args = ffmpeg_args(source, target, fmt, max_seconds=max_seconds)
    else:
        args = conversion_args(converter, source, target, fmt)
    result = run(args)
    if result.returncode != 0 or not target.exists():
        raise ConversionError(f"{converter} failed to make {fmt.name}: {_tail(result.stderr)}")


@dataclass(frozen=True, slots=True)
class AudioStats:
    """What `sox ... -n stat` measures."""

    samples: int
    seconds: float
    sample_rate: int
    rms: float  # 0..1 of full scale
    peak: float  # 0..1 of full scale

    @property
    def silent(self) -> bool:
        # Below about -60 dBFS nothing is heard on a phone line.
        return self.rms < 0.001


_STAT_LINE = re.compile(r"^(?P<key>[A-Za-z ()]+?):\s+(?P<value>-?[0-9.]+)", re.MULTILINE)


def parse_sox_stat(text: str) -> dict[str, float]:
    """The numbers of sox's `stat` effect output, by name ("Samples read", "RMS     amplitude" -> "RMS amplitude")."""
    return {" ".join(m["key"].split()): float(m["value"]) for m in _STAT_LINE.finditer(text)}


def measure(path: Path, fmt: AudioFormat | None = None) -> AudioStats:
    """Measure a media file with sox; raw files need their format to be read."""
    inputs = sox_input_args(path, fmt) if fmt is not None else [str(path)]
    rate_result = run(["soxi", "-r", str(path)]) if fmt is None else None
    result = run(["sox", *inputs, "-n", "stat"])
    if result.returncode != 0:
        raise ConversionError(f"sox cannot read {path.name}: {_tail(result.stderr)}")
    stats = parse_sox_stat(result.stderr.decode("utf-8", "replace"))
    if fmt is not None:
        rate = fmt.spec.rate
    else:
        assert rate_result is not None
        rate = int(rate_result.stdout.decode().strip() or 0)
    return AudioStats(
        samples=int(stats.get("Samples read", 0)),
        seconds=stats.get("Length (seconds)", 0.0),
        sample_rate=rate,
        rms=stats.get("RMS amplitude", 0.0),
        peak=stats.get("Maximum amplitude", 0.0),
    )


def ffprobe(path: Path, *, timeout: float = 20.0) -> dict[str, Any]:
    """ffprobe's JSON description of a file (format and streams); `{}` when it cannot read the file."""
    args = ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", f"file:{path}"]
    result = run(args, timeout=timeout)
    if result.returncode != 0:
        return {}
    try:
        parsed = json.loads(result.stdout or b"{}")
    except json.JSONDecodeError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def remove_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
