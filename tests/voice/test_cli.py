"""`ivrgraph voice say|prerender` through its argparse wiring."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from voice.cli import add_parser


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="ivrgraph")
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return int(args.handler(args))


def test_say_prints_the_media_name_and_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(["voice", "say", "Hola", "--language", "es", "--engine", "espeak-ng", "--media-root", str(tmp_path)]) == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("tts/") and all(Path(line.strip()).is_file() for line in lines[1:])
    assert run(["voice", "say", "?!", "--engine", "espeak-ng", "--media-root", str(tmp_path)]) == 1


def test_prerender_fails_on_a_phrase_it_cannot_speak(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = {"format": "ivrgraph.scenario/1", "name": "x", "language": "zu", "voice": {"engine": "espeak-ng"},
                "nodes": [{"id": "hi", "type": "say_phrase", "config": {"text": "Sawubona"}}], "edges": []}  # fmt: skip
    path = tmp_path / "zulu.json"
    path.write_text(json.dumps(document))

    assert run(["voice", "prerender", str(path), "--media-root", str(tmp_path / "media")]) == 1
    assert "node 'hi' config.text" in capsys.readouterr().out


def test_prerender_speaks_several_files_with_one_render_slot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review, 2026-12-12: on a 1-vCPU host (one render slot) the second file failed, "Semaphore ... is bound to a
    different event loop": each file had an event loop of its own, and the slots belonged to the first one."""
    monkeypatch.setattr("os.cpu_count", lambda: 1)  # VoiceSettings: as many render slots as CPUs
    files = []
    for number in (1, 2):
        nodes = [{"id": f"n{i}", "type": "say_phrase", "config": {"text": f"File {number}, phrase {i}"}}
                 for i in (1, 2)]  # fmt: skip
        document = {"format": "ivrgraph.scenario/1", "name": f"f{number}", "language": "en",
                    "voice": {"engine": "espeak-ng"}, "nodes": nodes, "edges": []}  # fmt: skip
        files.append(tmp_path / f"f{number}.json")
        files[-1].write_text(json.dumps(document))

    assert run(["voice", "prerender", *map(str, files), "--media-root", str(tmp_path / "media")]) == 0
    out = capsys.readouterr().out
    assert f"{files[0]}: 2 rendered" in out and f"{files[1]}: 2 rendered" in out
