"""The audio formats Asterisk plays, and the sox/ffmpeg argument lists that produce them.

Argument lists are built here as pure functions and run elsewhere; no shell ever sees a file name.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Literal

Converter = Literal["sox", "ffmpeg"]


@dataclass(frozen=True, slots=True)
class FormatSpec:
    extension: str  # what Asterisk looks for next to the media name
    rate: int
    encoding: Literal["s16le", "mulaw"]
    container: Literal["raw", "wav"]


class AudioFormat(Enum):
    """Output formats. Asterisk chooses among the files of one media name by extension."""

    SLN = FormatSpec(".sln", 8000, "s16le", "raw")  # 8 kHz signed linear, native for narrowband calls
    SLN16 = FormatSpec(".sln16", 16000, "s16le", "raw")  # 16 kHz signed linear for wideband (G.722, Opus)
    ULAW = FormatSpec(".ulaw", 8000, "mulaw", "raw")  # G.711 µ-law: no transcoding on most trunks
    # Asterisk's `wav` format is 8 kHz only: format_wav refuses any other rate ("Unexpected frequency mismatch
    # 16000 (expecting 8000)") and the prompt cannot be opened. Its 16 kHz WAV is the `wav16` format.
    WAV = FormatSpec(".wav", 8000, "s16le", "wav")  # for a format list without .sln (A-law, G.729 trunks)
    WAV16 = FormatSpec(".wav16", 16000, "s16le", "wav")  # a RIFF WAV: what a browser plays (previews, recordings)

    @property
    def spec(self) -> FormatSpec:
        return self.value

    @property
    def extension(self) -> str:
        return self.value.extension

    @classmethod
    def parse(cls, name: str) -> AudioFormat:
        """`sln`, `sln16`, `ulaw`, `wav` (8 kHz) or `wav16` (case-insensitive)."""
        try:
            return cls[name.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown audio format {name!r}; known: sln, sln16, ulaw, wav, wav16") from None


# The 16 kHz WAV rather than the 8 kHz one, which would repeat the `.sln` samples: a recording's is what the
# browser plays and what a scenario's bundle carries (api.scenario_bundle).
DEFAULT_FORMATS: tuple[AudioFormat, ...] = (AudioFormat.SLN, AudioFormat.SLN16, AudioFormat.ULAW, AudioFormat.WAV16)


def sox_args(source: Path, target: Path, fmt: AudioFormat, *, sox: str = "sox") -> list[str]:
    """sox arguments converting any readable file to `fmt` (mono, high-quality resampling). Paths must be
    absolute, so none can start with `-` and be read as an option."""
    if not (source.is_absolute() and target.is_absolute()):
        raise ValueError("sox is given absolute paths only")
    spec = fmt.spec
    encoding = ["-e", "signed-integer", "-b", "16"] if spec.encoding == "s16le" else ["-e", "u-law", "-b", "8"]
    file_type = "raw" if spec.container == "raw" else "wav"
    return [
        sox, "-q", "-V1", str(source),
        "-t", file_type, "-r", str(spec.rate), "-c", "1", *encoding, str(target),
        # Normalized to -1 dBFS: every phrase plays at one loudness, with headroom against clipping on resampling.
        "gain", "-n", "-1", "rate", "-h", str(spec.rate),
    ]  # fmt: skip


def ffmpeg_args(
    source: Path, target: Path, fmt: AudioFormat, *, ffmpeg: str = "ffmpeg", max_seconds: float | None = None
) -> list[str]:
    """ffmpeg arguments converting any readable file to `fmt`, stopping after `max_seconds` when given (a small
    upload that decodes to hours of audio then costs seconds, not disk)."""
    spec = fmt.spec
    limit = ["-t", f"{max_seconds:g}"] if max_seconds is not None else []
    codec = "pcm_s16le" if spec.encoding == "s16le" else "pcm_mulaw"
    muxer = "wav" if spec.container == "wav" else ("s16le" if spec.encoding == "s16le" else "mulaw")
    return [
        ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
        "-i", f"file:{source}",  # `file:` stops ffmpeg reading a crafted name as a protocol (e.g. `http:`)
        *limit, "-vn", "-map_metadata", "-1", "-ac", "1", "-ar", str(spec.rate), "-c:a", codec,
        "-f", muxer, f"file:{target}",
    ]  # fmt: skip


def conversion_args(converter: Converter, source: Path, target: Path, fmt: AudioFormat) -> list[str]:
    if converter == "sox":
        return sox_args(source, target, fmt)
    return ffmpeg_args(source, target, fmt)


def sox_input_args(path: Path, fmt: AudioFormat) -> list[str]:
    """How sox must be told to read a file of `fmt` (raw files carry no header)."""
    spec = fmt.spec
    if spec.container == "wav":
        return ["-t", "wav", str(path)]  # not by its extension: sox knows no `.wav16`
    encoding = ["-e", "signed-integer", "-b", "16"] if spec.encoding == "s16le" else ["-e", "u-law", "-b", "8"]
    return ["-t", "raw", "-r", str(spec.rate), "-c", "1", *encoding, str(path)]
