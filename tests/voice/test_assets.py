"""Uploaded audio: real WAV, MP3, OGG and FLAC files made by sox/ffmpeg, and files that only pretend."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from voice.assets import AssetLimits, asset_path, asset_wav, delete_asset, probe_upload, store_asset
from voice.errors import AssetNotAudio, AssetTooLarge, AssetTooLong, MediaPathError
from voice.formats import DEFAULT_FORMATS, AudioFormat
from voice.media import MediaRoot
from voice.tools import measure


def make_audio(folder: Path, name: str, seconds: float = 1.5, codec: list[str] | None = None) -> Path:
    path = folder / name
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
         *(codec or []), str(path)],
        check=True,
    )  # fmt: skip
    return path


@pytest.mark.parametrize(
    ("name", "codec", "container"),
    [("a.wav", [], "wav"), ("a.mp3", ["-c:a", "libmp3lame"], "mp3"), ("a.ogg", ["-c:a", "libvorbis"], "ogg"),
     ("a.flac", [], "flac")],
)  # fmt: skip
def test_each_accepted_format_is_stored_in_every_asterisk_format(
    tmp_path: Path, media: MediaRoot, name: str, codec: list[str], container: str
) -> None:
    upload = make_audio(tmp_path, name, codec=codec)

    asset = store_asset(upload, media)

    assert asset.container == container and asset.media_name == f"assets/{asset.asset_id}"
    assert asset.seconds == pytest.approx(1.5, abs=0.1)
    for fmt in DEFAULT_FORMATS:
        path = asset_path(media, asset.asset_id, fmt)
        assert path.parent == media.root / "assets"
        stats = measure(path, None if fmt.spec.container == "wav" else fmt)
        assert stats.sample_rate == fmt.spec.rate and not stats.silent
    assert not [p for p in (media.root / "assets").iterdir() if p.name.startswith(".")]  # no temp left


def test_a_recording_has_no_16_khz_wav_asterisk_would_refuse_and_the_browser_gets_one(
    tmp_path: Path, media: MediaRoot
) -> None:
    asset = store_asset(make_audio(tmp_path, "a.wav"), media)

    for path in media.root.joinpath("assets").glob(f"{asset.asset_id}.wav"):  # Asterisk's `wav`: 8 kHz or none
        assert measure(path).sample_rate == 8000
    browser = asset_wav(media, asset.asset_id)
    assert browser.suffix == ".wav16" and measure(browser).sample_rate == 16000


def test_a_recording_stored_before_wav16_is_still_played_from_its_wav(tmp_path: Path, media: MediaRoot) -> None:
    asset = store_asset(make_audio(tmp_path, "a.wav"), media)
    wav16 = asset_path(media, asset.asset_id, AudioFormat.WAV16)
    earlier = wav16.rename(asset_path(media, asset.asset_id, AudioFormat.WAV))  # the layout before: 16 kHz `.wav`

    assert asset_wav(media, asset.asset_id) == earlier
    earlier.unlink()
    assert asset_wav(media, asset.asset_id) == wav16  # neither: the path the 404 names


def test_the_users_file_name_never_becomes_a_path(tmp_path: Path, media: MediaRoot) -> None:
    upload = make_audio(tmp_path, "..%2f..%2fetc;rm -rf.wav")
    asset = store_asset(upload, media)
    assert "etc" not in asset.media_name and len(asset.asset_id) == 32
    with pytest.raises(MediaPathError):
        asset_path(media, "../../etc/passwd")


def test_a_file_by_its_bytes_not_its_extension(tmp_path: Path) -> None:
    mp3_named_wav = make_audio(tmp_path, "song.mp3", codec=["-c:a", "libmp3lame"]).rename(tmp_path / "song.wav")
    assert probe_upload(mp3_named_wav).container == "mp3"


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"", "empty"), (b"hello, this is a text file\n" * 40, "not WAV, MP3, OGG or FLAC"),
     (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 64, "not WAV, MP3, OGG or FLAC|no audio|zero length|cannot")],
)  # fmt: skip
def test_files_that_are_not_audio_are_refused(tmp_path: Path, content: bytes, problem: str) -> None:
    fake = tmp_path / "upload.wav"
    fake.write_bytes(content)
    with pytest.raises(AssetNotAudio, match=problem) as caught:
        probe_upload(fake)
    assert caught.value.code == "not_audio"


def test_other_audio_formats_are_refused(tmp_path: Path) -> None:
    aiff = make_audio(tmp_path, "a.aiff")
    with pytest.raises(AssetNotAudio, match="not WAV, MP3, OGG or FLAC"):
        probe_upload(aiff)


def test_limits(tmp_path: Path, media: MediaRoot) -> None:
    upload = make_audio(tmp_path, "long.wav", seconds=3)
    with pytest.raises(AssetTooLarge) as too_large:
        probe_upload(upload, AssetLimits(max_bytes=1000))
    assert too_large.value.code == "too_large"
    with pytest.raises(AssetTooLong) as too_long:
        store_asset(upload, media, AssetLimits(max_seconds=2))
    assert too_long.value.code == "too_long"
    assert not (media.root / "assets").exists()  # refused from its header, before anything was written


def test_delete(tmp_path: Path, media: MediaRoot) -> None:
    asset = store_asset(make_audio(tmp_path, "a.wav"), media)
    assert delete_asset(media, asset.asset_id)
    assert not asset_path(media, asset.asset_id).exists()
    assert not delete_asset(media, asset.asset_id)
