"""Running sox, ffmpeg and ffprobe: always an argument list, never a shell, always with a time limit."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import subprocess
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
    """Run a tool without blocking the event loop; kill it when it overstays. Returns (code, stdout, stderr)."""
    try:
        process = await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except FileNotFoundError as error:
        raise ConversionError(f"{args[0]} is not installed") from error
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(stdin), timeout)
    except (TimeoutError, asyncio.CancelledError):
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise
    return process.returncode or 0, stdout, stderr


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
