"""Recorded audio assets: check an upload is real audio within limits, convert it, store it under an id.

Pure functions over files, for the API to call on a worker thread. The user's file name is never used for a
path: the stored files are `assets/<generated id>.<ext>` under the media root. Each function raises an
`AssetError` subclass (with a stable `code`) for a bad file.

    probe = probe_upload(path, limits)            # what the file is, or AssetError
    asset = store_asset(path, media, limits)      # converted and stored; asset.media_name goes in a prompt
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from voice.errors import AssetNotAudio, AssetTooLarge, AssetTooLong, ConversionError, MediaPathError
from voice.formats import DEFAULT_FORMATS, AudioFormat
from voice.media import MediaRoot
from voice.tools import convert, ffprobe

ASSET_FOLDER = "assets"
Container = Literal["wav", "mp3", "ogg", "flac"]
# ffprobe's format name -> the container we accept, and the codecs that container may carry.
_ACCEPTED: dict[str, tuple[Container, frozenset[str]]] = {
    "wav": ("wav", frozenset({"pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_u8", "pcm_f32le", "pcm_mulaw",
                              "pcm_alaw", "adpcm_ms", "adpcm_ima_wav", "gsm_ms"})),
    "mp3": ("mp3", frozenset({"mp3"})),
    "ogg": ("ogg", frozenset({"vorbis", "opus", "flac"})),
    "flac": ("flac", frozenset({"flac"})),
}  # fmt: skip
_ASSET_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True, slots=True)
class AssetLimits:
    max_bytes: int = 20 * 1024 * 1024
    max_seconds: float = 600.0


@dataclass(frozen=True, slots=True)
class AudioProbe:
    container: Container
    codec: str
    seconds: float
    sample_rate: int
    channels: int
    size_bytes: int


@dataclass(frozen=True, slots=True)
class StoredAsset:
    asset_id: str
    media_name: str  # what a Message/IVR prompt's `audio` holds: `assets/<id>`
    container: Container  # of the upload
    seconds: float  # of the stored audio
    size_bytes: int  # of the upload
    formats: tuple[str, ...]  # extensions stored: .sln, .sln16, .ulaw, .wav16


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def probe_upload(path: Path, limits: AssetLimits | None = None) -> AudioProbe:
    """What an uploaded file is, judged from its bytes (never its name). Raises `AssetError`."""
    limits = limits or AssetLimits()
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise AssetTooLarge(f"the file is {size / 1e6:.1f} MB; the limit is {limits.max_bytes / 1e6:.1f} MB")
    if size == 0:
        raise AssetNotAudio("the file is empty")
    info = ffprobe(path)
    format_name = str(info.get("format", {}).get("format_name", ""))
    accepted = _ACCEPTED.get(format_name)
    if accepted is None:
        raise AssetNotAudio("the file is not WAV, MP3, OGG or FLAC audio")
    container, codecs = accepted
    # Cover art in an MP3 shows up as a video stream; only the first audio stream matters.
    audio = [s for s in info.get("streams", []) if isinstance(s, dict) and s.get("codec_type") == "audio"]
    if not audio:
        raise AssetNotAudio(f"the {container.upper()} file holds no audio")
    stream = audio[0]
    codec = str(stream.get("codec_name", ""))
    if codec not in codecs:
        raise AssetNotAudio(f"{container.upper()} with {codec or 'unknown'} audio is not supported")
    seconds = _number(info["format"].get("duration")) or _number(stream.get("duration"))
    if seconds <= 0:
        raise AssetNotAudio("the file has no playable audio (zero length)")
    if seconds > limits.max_seconds:
        raise AssetTooLong(f"the audio lasts {seconds:.0f} s; the limit is {limits.max_seconds:.0f} s")
    return AudioProbe(
        container=container,
        codec=codec,
        seconds=seconds,
        sample_rate=int(_number(stream.get("sample_rate"))),
        channels=int(_number(stream.get("channels"))),
        size_bytes=size,
    )


def store_asset(
    path: Path,
    media: MediaRoot,
    limits: AssetLimits | None = None,
    *,
    formats: tuple[AudioFormat, ...] = DEFAULT_FORMATS,
    asset_id: str | None = None,
) -> StoredAsset:
    """Check, convert (ffmpeg, every format) and store an upload under a new id, or under `asset_id` (a recording
    moved from another installation keeps the id its scenarios name). Raises `AssetError`, `MediaPathError` for an
    id that is none."""
    limits = limits or AssetLimits()
    if asset_id is not None:
        asset_media_name(asset_id)  # refuses anything but 32 hex digits, before a byte is converted
    probe = probe_upload(path, limits)
    asset_id = asset_id or secrets.token_hex(16)
    folder = media.folder(ASSET_FOLDER)
    work = Path(tempfile.mkdtemp(prefix=f".{asset_id}.", dir=folder))
    try:
        outputs: dict[AudioFormat, Path] = {}
        for fmt in formats:
            outputs[fmt] = work / f"out{fmt.extension}"
            try:
                # One extra second so "longer than the limit" is visible in the output, whatever the header said.
                convert(path, outputs[fmt], fmt, "ffmpeg", max_seconds=limits.max_seconds + 1)
            except ConversionError as error:
                raise AssetNotAudio("the audio cannot be decoded (damaged or not what it claims to be)") from error
        seconds = _stored_seconds(outputs)
        if seconds > limits.max_seconds:
            raise AssetTooLong(f"the audio lasts over {limits.max_seconds:.0f} s, the limit")
        if seconds <= 0:
            raise AssetNotAudio("the file has no playable audio (zero length)")
        for fmt, produced in outputs.items():
            os.replace(produced, media.resolve(asset_media_name(asset_id), fmt.extension))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return StoredAsset(
        asset_id=asset_id,
        media_name=asset_media_name(asset_id),
        container=probe.container,
        seconds=round(seconds, 3),
        size_bytes=probe.size_bytes,
        formats=tuple(fmt.extension for fmt in formats),
    )


def _stored_seconds(outputs: dict[AudioFormat, Path]) -> float:
    """Length measured from a converted raw file (bytes per second are known exactly), not from headers."""
    for fmt, path in outputs.items():
        spec = fmt.spec
        if spec.container == "raw":
            width = 2 if spec.encoding == "s16le" else 1
            return path.stat().st_size / (width * spec.rate)
    wav = next(iter(outputs.values()))
    return _number(ffprobe(wav).get("format", {}).get("duration"))


def asset_media_name(asset_id: str) -> str:
    if not _ASSET_ID.fullmatch(asset_id):
        raise MediaPathError(f"not an asset id: {asset_id!r}")
    return f"{ASSET_FOLDER}/{asset_id}"


def asset_path(media: MediaRoot, asset_id: str, fmt: AudioFormat = AudioFormat.WAV16) -> Path:
    """The stored file of an asset in one format. Raises `MediaPathError`."""
    return media.resolve(asset_media_name(asset_id), fmt.extension)


def asset_wav(media: MediaRoot, asset_id: str) -> Path:
    """The asset's 16 kHz WAV: what a browser plays and a scenario's bundle carries. A recording stored before
    `.wav16` existed has it as its `.wav` (16 kHz then), which is answered when there is no `.wav16`; the path
    may not exist (a catalogued recording whose files are gone). Raises `MediaPathError`."""
    wav16 = asset_path(media, asset_id, AudioFormat.WAV16)
    if wav16.is_file():
        return wav16
    earlier = asset_path(media, asset_id, AudioFormat.WAV)
    return earlier if earlier.is_file() else wav16


def delete_asset(media: MediaRoot, asset_id: str) -> bool:
    """Remove an asset's files; False when there were none."""
    removed = False
    for fmt in AudioFormat:
        try:
            asset_path(media, asset_id, fmt).unlink()
            removed = True
        except FileNotFoundError:
            pass
    return removed
