"""The phrase cache on its own: keys, atomic store, LRU eviction, an index rebuilt from disk."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from voice.cache import PIPELINE_VERSION, PhraseCache, normalize_text, phrase_key, speakable

KEY_INPUTS = {"engine": "espeak-ng", "engine_revision": 1, "voice": None, "language": "es", "text": "Hola",
              "formats": ["SLN"]}  # fmt: skip


def test_every_input_of_the_key_changes_it() -> None:
    base = phrase_key(**KEY_INPUTS)  # type: ignore[arg-type]
    changes = {"engine": "gtts", "engine_revision": 2, "voice": "es+f3", "language": "ru", "text": "Adiós",
               "formats": ["SLN", "ULAW"]}  # fmt: skip
    for field, value in changes.items():
        assert phrase_key(**{**KEY_INPUTS, field: value}) != base, field  # type: ignore[arg-type]
    assert phrase_key(**{**KEY_INPUTS, "text": "  Hola \n"}) == base  # type: ignore[arg-type]
    assert phrase_key(**{**KEY_INPUTS, "language": "ES"}) == base  # type: ignore[arg-type]
    assert len(base) == 32 and PIPELINE_VERSION >= 1


def test_normalizing() -> None:
    assert normalize_text(" Cafe\u0301\t au\n lait ") == "Café au lait"
    assert speakable("1") and speakable("Ж") and not speakable(" ¿?¡!… ")


def _files(folder: Path, name: str, size: int) -> dict[str, Path]:
    paths = {}
    for ext in (".sln", ".ulaw"):
        paths[ext] = folder / f".tmp-{name}{ext}"
        paths[ext].write_bytes(b"\0" * size)
    return paths


def test_store_moves_files_into_place_and_lookup_finds_them(tmp_path: Path) -> None:
    cache = PhraseCache(tmp_path, [".sln", ".ulaw"], max_bytes=10_000)
    cache.store("k1", _files(tmp_path, "k1", 100))

    assert cache.lookup("k1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k1.sln", "k1.ulaw"]
    assert cache.total_bytes == 200
    (tmp_path / "k1.ulaw").unlink()  # another process evicted half of it
    assert not cache.lookup("k1") and cache.total_bytes == 0


def test_least_recently_used_is_evicted_first(tmp_path: Path) -> None:
    cache = PhraseCache(tmp_path, [".sln", ".ulaw"], max_bytes=600)
    for key in ("a", "b", "c"):
        cache.store(key, _files(tmp_path, key, 100))
    assert cache.lookup("a")  # a is now the most recent

    cache.store("d", _files(tmp_path, "d", 100))

    assert cache.keys() == ["c", "a", "d"]
    assert not (tmp_path / "b.sln").exists() and cache.total_bytes == 600


def test_a_phrase_larger_than_the_bound_is_kept_alone(tmp_path: Path) -> None:
    cache = PhraseCache(tmp_path, [".sln", ".ulaw"], max_bytes=100)
    cache.store("small", _files(tmp_path, "small", 10))
    cache.store("big", _files(tmp_path, "big", 500))
    assert cache.keys() == ["big"]


def test_index_is_rebuilt_from_disk_oldest_first_and_stale_temps_swept(tmp_path: Path) -> None:
    now = time.time()
    for key, age in (("old", 300), ("new", 10)):
        for ext in (".sln", ".ulaw"):
            path = tmp_path / f"{key}{ext}"
            path.write_bytes(b"\0" * 50)
            os.utime(path, (now - age, now - age))
    stale, stale_work = tmp_path / ".crashed.sln", tmp_path / ".k1.work"
    stale.write_bytes(b"x")
    stale_work.mkdir()
    (stale_work / "raw.wav").write_bytes(b"x")
    for path in (stale, stale_work):
        os.utime(path, (now - 7200, now - 7200))
    fresh_work = tmp_path / ".k2.work"
    fresh_work.mkdir()  # another process is rendering right now
    (tmp_path / "unrelated.txt").write_text("not ours")

    cache = PhraseCache(tmp_path, [".sln", ".ulaw"], max_bytes=10_000)

    assert cache.keys() == ["old", "new"] and cache.total_bytes == 200
    assert not stale.exists() and not stale_work.exists()
    assert fresh_work.exists() and (tmp_path / "unrelated.txt").exists()


def test_store_refuses_a_phrase_missing_a_format(tmp_path: Path) -> None:
    cache = PhraseCache(tmp_path, [".sln", ".ulaw"], max_bytes=1000)
    with pytest.raises(ValueError, match="lacks formats"):
        cache.store("k", {".sln": _files(tmp_path, "k", 1)[".sln"]})
