"""A scenario bundle: the zip that moves a scenario to another installation with the recordings it plays.

    scenario.json         the scenario as `GET /api/scenarios/{slug}/export` gives it (its slug in meta.exported_from)
    recordings.json       {"format": "ivrgraph.recordings/1", "recordings": [{"id", "name", "language", "format",
                          "duration_ms"}]}: the catalog entries of the uploaded recordings it plays
    recordings/<id>.wav   each one's audio, the WAV the installation keeps (16 kHz mono PCM)

Why a zip and not the recordings inside the JSON (base64): a recording may be 20 MB, and base64 text a third
more, parsed whole in memory; a zip is read member by member from the upload's file, its audio is still WAV for
any tool to play, and `scenario.json` unpacked is the plain export every reader of scenario documents takes.

An import trusts nothing in it: only the members named above are read (never a member's own path), each within
a size cap checked before a byte is unpacked, the total too (a zip bomb), every catalog field is checked as an
upload's form is, the JSON as a JSON request body is (a lone surrogate refused), and each WAV then goes through
the upload's own checks and conversion (voice.assets.store_asset, by api.recording_restore).
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

from api.body_limit import lone_surrogates
from persistence.errors import RequestRefused
from persistence.models import AudioAsset
from voice.assets import AssetLimits

SCENARIO_MEMBER: Final = "scenario.json"
RECORDINGS_MEMBER: Final = "recordings.json"
RECORDINGS_FORMAT: Final = "ivrgraph.recordings/1"
MAX_RECORDINGS: Final = 200
MAX_SCENARIO_BYTES: Final = 16 * 2**20
MAX_CATALOG_BYTES: Final = 2**20
MAX_UNPACKED_BYTES: Final = 64 * 2**20  # as an XLSX call list's (api.call_list_files)
_ASSET_ID: Final = re.compile(r"^[0-9a-f]{32}$")
_NAME: Final = re.compile(r"^[^\x00]{1,200}$")  # as an upload's `name` (api.routes.audio)
_LANGUAGE: Final = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")  # as an upload's `language`
_CONTAINERS: Final = ("wav", "mp3", "ogg", "flac")


class InvalidBundle(RequestRefused):
    """A file that is not a scenario bundle, or one that breaks its limits: each fault with the member it is in."""

    refusal = "the bundle cannot be imported"


def recording_member(asset_id: str) -> str:
    return f"recordings/{asset_id}.wav"


@dataclass(frozen=True, slots=True)
class BundledRecording:
    """A recording's catalog entry from the bundle, checked, and where its WAV was unpacked."""

    asset_id: str
    name: str
    language: str
    format: str  # what the recording was uploaded as (wav, mp3, ogg, flac): shown in the catalog
    wav: Path


@dataclass(frozen=True, slots=True)
class Bundle:
    document: Any  # scenario.json as it holds it; the import checks it as a scenario
    recordings: list[BundledRecording]


def write_bundle(target: IO[bytes], document: Mapping[str, Any], recordings: Sequence[tuple[AudioAsset, Path]]) -> None:
    """The bundle of `document` and `recordings` (each asset's catalog row and its WAV file) into `target`."""
    catalog = {
        "format": RECORDINGS_FORMAT,
        "recordings": [
            {
                "id": asset.id,
                "name": asset.name,
                "language": asset.language,
                "format": asset.format,
                "duration_ms": asset.duration_ms,
            }
            for asset, _ in recordings
        ],
    }
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(SCENARIO_MEMBER, json.dumps(document, ensure_ascii=False, indent=2))
        archive.writestr(RECORDINGS_MEMBER, json.dumps(catalog, ensure_ascii=False, indent=2))
        for asset, wav in recordings:
            archive.write(wav, recording_member(asset.id))


def read_bundle(source: IO[bytes], folder: Path, limits: AssetLimits) -> Bundle:
    """The bundle in `source`, its WAVs unpacked into `folder`; `InvalidBundle` naming each fault otherwise."""
    try:
        with zipfile.ZipFile(source) as archive:
            return _read(archive, folder, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError):
        raise _refused("$.file", "the file is not a scenario bundle (a .zip from Export with recordings)") from None


def _read(archive: zipfile.ZipFile, folder: Path, limits: AssetLimits) -> Bundle:
    document = _json_member(archive, SCENARIO_MEMBER, MAX_SCENARIO_BYTES)
    catalog = _json_member(archive, RECORDINGS_MEMBER, MAX_CATALOG_BYTES) if _has(archive, RECORDINGS_MEMBER) else None
    entries = _catalog_entries(catalog)
    members = [_member(archive, recording_member(entry["id"]), limits.max_bytes) for entry in entries]
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        mib, limit = unpacked // 2**20, MAX_UNPACKED_BYTES // 2**20
        raise _refused("$.file", f"the recordings unpack to {mib} MiB, over {limit} MiB: move the scenario in parts")
    recordings = []
    for entry, member in zip(entries, members, strict=True):
        wav = folder / f"{entry['id']}.wav"  # the id is 32 hex digits: no path of the archive's making
        _unpack(archive, member, wav, limits.max_bytes)
        recordings.append(BundledRecording(entry["id"], entry["name"], entry["language"], entry["format"], wav))
    return Bundle(document=document, recordings=recordings)


def _has(archive: zipfile.ZipFile, name: str) -> bool:
    return name in archive.NameToInfo


def _member(archive: zipfile.ZipFile, name: str, limit: int) -> zipfile.ZipInfo:
    info = archive.NameToInfo.get(name)
    if info is None:
        raise _refused("$.file", f"the bundle has no {name}")
    if info.file_size > limit:
        raise _refused("$.file", f"{name} unpacks to {info.file_size / 1e6:.1f} MB; the limit is {limit / 1e6:.1f} MB")
    return info


def _json_member(archive: zipfile.ZipFile, name: str, limit: int) -> Any:
    info = _member(archive, name, limit)
    data = _read_member(archive, info, limit)
    cut = lone_surrogates(data)
    if cut:
        raise InvalidBundle([{"path": path, "message": f"{name}: half of a character (a lone UTF-16 surrogate)"}
                             for path in cut])  # fmt: skip
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as error:
        raise _refused("$.file", f"{name} is not JSON: {error}") from None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    try:
        with archive.open(info) as member:
            data = member.read(limit + 1)  # the declared size bounds what zipfile unpacks; this bounds it again
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as error:
        # A damaged member (its CRC), an encrypted one, a compression Python lacks.
        raise _refused("$.file", f"{info.filename} cannot be unpacked: {error}") from None
    if len(data) > limit:
        raise _refused("$.file", f"{info.filename} unpacks to more than {limit / 1e6:.1f} MB")
    return data


def _unpack(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, limit: int) -> None:
    try:
        # zipfile unpacks no more than the member's declared size (checked against `limit` by `_member`), and a
        # member whose data says otherwise fails its CRC check: the disk takes at most `limit`.
        with archive.open(info) as member, target.open("wb") as out:
            shutil.copyfileobj(member, out)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as error:
        raise _refused("$.file", f"{info.filename} cannot be unpacked: {error}") from None
    if target.stat().st_size > limit:
        raise _refused("$.file", f"{info.filename} unpacks to more than {limit / 1e6:.1f} MB")


def _catalog_entries(catalog: Any) -> list[dict[str, str]]:
    """The checked catalog entries; a bundle without recordings.json plays no uploaded recording."""
    if catalog is None:
        return []
    if not isinstance(catalog, dict) or catalog.get("format") != RECORDINGS_FORMAT:
        raise _refused("$.format", f"{RECORDINGS_MEMBER} is not of the format {RECORDINGS_FORMAT}")
    listed = catalog.get("recordings")
    if not isinstance(listed, list):
        raise _refused("$.recordings", f"{RECORDINGS_MEMBER}: recordings must be a list")
    if len(listed) > MAX_RECORDINGS:
        raise _refused("$.recordings", f"{RECORDINGS_MEMBER} lists {len(listed)} recordings, over {MAX_RECORDINGS}")
    problems: list[dict[str, str]] = []
    entries: list[dict[str, str]] = []
    seen: set[str] = set()
    for index, entry in enumerate(listed):
        where = f"$.recordings[{index}]"
        found = _entry_problems(entry, seen)
        problems += [{"path": f"{where}.{field}", "message": f"{RECORDINGS_MEMBER}: {text}"} for field, text in found]
        if not found:
            seen.add(entry["id"])
            uploaded = entry.get("format")
            entries.append({"id": entry["id"], "name": entry["name"], "language": entry["language"],
                            "format": uploaded if uploaded in _CONTAINERS else "wav"})  # fmt: skip
    if problems:
        raise InvalidBundle(problems)
    return entries


def _entry_problems(entry: Any, seen: set[str]) -> list[tuple[str, str]]:
    if not isinstance(entry, dict):
        return [("id", "each recording is an object with id, name and language")]
    found = []
    asset_id, name, language = entry.get("id"), entry.get("name"), entry.get("language")
    if not (isinstance(asset_id, str) and _ASSET_ID.fullmatch(asset_id)):
        found.append(("id", f"{asset_id!r} is not a recording id (32 hexadecimal digits)"))
    elif asset_id in seen:
        found.append(("id", f"recording {asset_id} is listed twice"))
    if not (isinstance(name, str) and _NAME.fullmatch(name)):
        found.append(("name", "a recording's name is 1 to 200 characters"))
    if not (isinstance(language, str) and _LANGUAGE.fullmatch(language)):
        found.append(("language", f"{language!r} is not a language tag such as en or es-ES"))
    return found


def _refused(path: str, message: str) -> InvalidBundle:
    return InvalidBundle([{"path": path, "message": message}])
