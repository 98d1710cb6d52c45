"""The phrase cache on its own: keys, atomic store, LRU eviction by the files' times, several processes."""

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


def _cache(folder: Path, max_bytes: int) -> PhraseCache:
    """A process's cache that evicts by use alone: no grace period, every use marked on disk at once."""
    cache = PhraseCache(folder, [".sln", ".ulaw"], max_bytes=max_bytes)
    cache.grace_seconds, cache.touch_seconds = 0.0, 0.0
    return cache


def _age(folder: Path, key: str, seconds: float) -> None:
    """Make `key` last used `seconds` ago, as its files' modification time says."""
    then = time.time() - seconds
    for ext in (".sln", ".ulaw"):
        os.utime(folder / f"{key}{ext}", (then, then))


def _phrases(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_store_moves_files_into_place_and_lookup_finds_them(tmp_path: Path) -> None:
    cache = PhraseCache(tmp_path, [".sln", ".ulaw"], max_bytes=10_000)
    cache.store("k1", _files(tmp_path, "k1", 100))

    assert cache.lookup("k1")
    assert _phrases(tmp_path) == ["k1.sln", "k1.ulaw"]
    assert cache.total_bytes == 200 and int((tmp_path / ".usage").read_text()) == 200
    (tmp_path / "k1.ulaw").unlink()  # another process evicted half of it
    assert not cache.lookup("k1") and "k1" not in cache
    assert cache.total_bytes == 100  # the folder's bytes: the half left is evicted in its turn


def test_least_recently_used_is_evicted_first_down_to_the_low_water_mark(tmp_path: Path) -> None:
    cache = _cache(tmp_path, max_bytes=800)
    for age, key in ((400, "a"), (300, "b"), (200, "c"), (100, "d")):
        cache.store(key, _files(tmp_path, key, 100))
        _age(tmp_path, key, age)
    assert cache.lookup("a")  # a is now the most recent

    cache.store("e", _files(tmp_path, "e", 100))  # 1000 bytes: over 800, evicted down to 15/16 of it (750)

    assert cache.keys() == ["d", "a", "e"]
    assert not (tmp_path / "b.sln").exists() and cache.total_bytes == 600
    assert int((tmp_path / ".usage").read_text()) == 600


def test_a_phrase_larger_than_the_bound_is_kept_alone(tmp_path: Path) -> None:
    cache = _cache(tmp_path, max_bytes=100)
    cache.store("small", _files(tmp_path, "small", 10))
    _age(tmp_path, "small", 60)
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


def test_processes_sharing_the_folder_share_its_bound(tmp_path: Path) -> None:
    """Review, 2026-12: each process counted only the phrases it had seen, so the API and a FastAGI server on one
    folder filled it to twice the bound (and N nodes to N times)."""
    agi, api = _cache(tmp_path, max_bytes=1000), _cache(tmp_path, max_bytes=1000)
    assert agi.keys() == api.keys() == []  # both started on the empty folder
    for n in range(4):
        for cache, key in ((agi, f"agi{n}"), (api, f"api{n}")):
            cache.store(key, _files(tmp_path, key, 150))  # 300 bytes a phrase
            _age(tmp_path, key, 100 - 10 * n)
            on_disk = sum(p.stat().st_size for p in tmp_path.iterdir() if not p.name.startswith("."))
            assert on_disk <= 1000, f"{on_disk} bytes in a folder bounded to 1000"
    assert agi.keys() == ["api2", "agi3", "api3"]  # the newest, whoever stored them


def test_a_phrase_another_process_plays_is_not_the_one_evicted(tmp_path: Path) -> None:
    """Review, 2026-12: eviction followed the evicting process's own order of use, so the API deleted the phrase
    a FastAGI server played all day, and kept one nobody had asked for."""
    api = _cache(tmp_path, max_bytes=1000)
    api.store("played", _files(tmp_path, "played", 200))
    _age(tmp_path, "played", 100)
    api.store("unused", _files(tmp_path, "unused", 200))
    _age(tmp_path, "unused", 50)
    agi = _cache(tmp_path, max_bytes=1000)
    assert agi.lookup("played")  # a call plays it now: the folder's most recently used phrase

    api.store("new", _files(tmp_path, "new", 200))  # a publish in the API renders one more; 1200 > 1000

    assert _phrases(tmp_path) == ["new.sln", "new.ulaw", "played.sln", "played.ulaw"]


def test_a_phrase_used_within_the_grace_period_is_never_evicted(tmp_path: Path) -> None:
    """What another process checked a moment ago it may hand to calls for a few seconds without looking again
    (TtsService's shortcut): the files must still be there, even when the bound is then exceeded."""
    api = PhraseCache(tmp_path, [".sln", ".ulaw"], max_bytes=1000)
    for key in ("hot", "cold"):
        api.store(key, _files(tmp_path, key, 200))
        _age(tmp_path, key, 100)
    agi = PhraseCache(tmp_path, [".sln", ".ulaw"], max_bytes=1000)
    assert agi.lookup("hot")  # checked just now, then served from memory for a few seconds

    api.store("new", _files(tmp_path, "new", 400))  # 1600 > 1000: "cold" goes, "hot" and "new" are in grace

    assert _phrases(tmp_path) == ["hot.sln", "hot.ulaw", "new.sln", "new.ulaw"]
    assert agi.touch("hot") and (tmp_path / "hot.sln").is_file()
    assert api.total_bytes == 1200  # over the bound only by phrases used within the grace period


def test_touch_marks_use_on_disk_at_most_once_per_interval(tmp_path: Path) -> None:
    """A prompt's hot path: no system call most of the time, yet the folder learns the phrase is in use."""
    cache = PhraseCache(tmp_path, [".sln", ".ulaw"], max_bytes=10_000)
    cache.touch_seconds = 0.2
    cache.store("k", _files(tmp_path, "k", 10))
    assert cache.lookup("k")
    _age(tmp_path, "k", 100)

    assert cache.touch("k")  # marked on disk an instant ago: nothing to do
    assert time.time() - (tmp_path / "k.sln").stat().st_mtime > 90
    time.sleep(0.25)
    assert cache.touch("k")  # an interval later: marked again
    assert time.time() - (tmp_path / "k.sln").stat().st_mtime < 5

    for ext in (".sln", ".ulaw"):
        (tmp_path / f"k{ext}").unlink()  # evicted by another process
    time.sleep(0.25)
    assert not cache.touch("k")  # noticed at the next mark
    assert not cache.touch("k")
