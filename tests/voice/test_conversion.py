"""Conversion to Asterisk formats with real sox and real ffmpeg, measured with sox."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from voice.errors import ConversionError
from voice.formats import AudioFormat, Converter, ffmpeg_args, sox_args
from voice.tools import convert, convert_async, measure, parse_sox_stat


@pytest.fixture(scope="module")
def tone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two seconds of a 440 Hz stereo tone at 44.1 kHz: nothing like what Asterisk wants."""
    path = tmp_path_factory.mktemp("tone") / "tone.wav"
    subprocess.run(["sox", "-n", "-r", "44100", "-c", "2", str(path), "synth", "2", "sine", "440", "vol", "0.5"],
                   check=True)  # fmt: skip
    return path


@pytest.mark.parametrize("converter", ["sox", "ffmpeg"])
@pytest.mark.parametrize("fmt", list(AudioFormat))
async def test_each_format_has_its_rate_length_and_sound(
    tone: Path, tmp_path: Path, converter: Converter, fmt: AudioFormat
) -> None:
    target = tmp_path / f"out{fmt.extension}"

    await convert_async(tone, target, fmt, converter)

    stats = measure(target, None if fmt.spec.container == "wav" else fmt)
    assert stats.sample_rate == fmt.spec.rate
    assert stats.seconds == pytest.approx(2.0, abs=0.02)
    assert not stats.silent


@pytest.mark.parametrize("converter", ["sox", "ffmpeg"])
@pytest.mark.parametrize(("name", "rate"), [("wav", 8000), ("wav16", 16000)])
async def test_wav_has_the_rate_asterisk_reads_it_at(
    tone: Path, tmp_path: Path, converter: Converter, name: str, rate: int
) -> None:
    """Asterisk's `wav` format is 8 kHz: format_wav refuses a 16 kHz `.wav` ("Unexpected frequency mismatch 16000
    (expecting 8000)") and the prompt cannot be opened. Its 16 kHz WAV is `wav16`, by that extension."""
    fmt = AudioFormat.parse(name)
    target = tmp_path / f"out{fmt.extension}"

    await convert_async(tone, target, fmt, converter)

    assert fmt.extension == f".{name}"
    assert measure(target).sample_rate == rate  # as the file's header says, which is what Asterisk checks


def test_raw_sizes_match_their_encoding(tone: Path, tmp_path: Path) -> None:
    for fmt, bytes_per_second in ((AudioFormat.SLN, 16000), (AudioFormat.SLN16, 32000), (AudioFormat.ULAW, 8000)):
        target = tmp_path / f"out{fmt.extension}"
        convert(tone, target, fmt, "sox")
        assert target.stat().st_size == pytest.approx(2 * bytes_per_second, rel=0.01)


def test_a_file_that_is_not_audio_fails_with_a_conversion_error(tmp_path: Path) -> None:
    fake = tmp_path / "fake.wav"
    fake.write_bytes(b"RIFF....not really a wave file" * 10)
    with pytest.raises(ConversionError, match="sox failed"):
        convert(fake, tmp_path / "out.sln", AudioFormat.SLN, "sox")


def test_arguments_are_lists_that_keep_names_whole() -> None:
    tricky = Path("/media/x; rm -rf ~ $(id).wav")
    for args in (sox_args(tricky, Path("/t/o.sln"), AudioFormat.SLN), ffmpeg_args(tricky, Path("/t/o.sln"),
                                                                                 AudioFormat.SLN)):  # fmt: skip
        assert any(a.endswith(str(tricky)) for a in args)  # one argument, never split or interpreted
    assert f"file:{tricky}" in ffmpeg_args(tricky, Path("/t/o.sln"), AudioFormat.SLN)  # no protocol sneaks in
    limited = ffmpeg_args(tricky, Path("/t/o.ulaw"), AudioFormat.ULAW, max_seconds=5)
    assert limited[limited.index("-t") + 1] == "5"


def test_sox_refuses_relative_paths_that_could_read_as_options() -> None:
    with pytest.raises(ValueError, match="absolute"):
        sox_args(Path("-n"), Path("/t/o.sln"), AudioFormat.SLN)


def test_parse_sox_stat() -> None:
    output = "Samples read:             32000\nLength (seconds):      2.000000\nRMS     amplitude:     0.353\n"
    assert parse_sox_stat(output) == {"Samples read": 32000, "Length (seconds)": 2.0, "RMS amplitude": 0.353}


def test_silence_is_measured_as_silent(tmp_path: Path) -> None:
    quiet = tmp_path / "quiet.wav"
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", str(quiet), "trim", "0", "1"], check=True)
    assert measure(quiet).silent
