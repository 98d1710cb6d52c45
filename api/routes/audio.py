"""Recorded audio assets (upload, list, listen, delete) and a TTS preview for the designer's prompt fields."""

from __future__ import annotations

import hashlib
import logging
import pathlib
import shutil
import tempfile
from typing import Annotated, Any, Final

import anyio
from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile
from fastapi.responses import FileResponse, JSONResponse

from api.deps import Editor, Runtime, RuntimeDep, Viewer
from api.errors import problem
from api.idempotency import IdempotencyKeyHeader, replayed
from api.routes import AUTHED, problems
from api.schemas import AudioAssetList, AudioAssetOut, TtsPreviewIn, TtsPreviewText
from persistence import audio, callbacks
from persistence.models import AudioAsset, IdempotencyKey, utcnow
from persistence.users import Principal
from voice.assets import AssetLimits, asset_wav, delete_asset, store_asset
from voice.phrase_preview import MissingVariables, Rendered, TemplateFailed, preview_phrase
from voice.service import PREVIEW_FORMAT

log = logging.getLogger(__name__)
router = APIRouter(tags=["audio"], responses=AUTHED)
AssetId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
WAV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"audio/wav": {"schema": {"type": "string", "format": "binary"}}}, "description": "WAV"}
}
LIMITS = AssetLimits()
# What tells a user's text previews from their spoken ones in the previews' rate limit (no user name holds it).
_TEXT_PREVIEWS: Final = "\x00text"


def public(asset: AudioAsset) -> AudioAssetOut:
    return AudioAssetOut(
        id=asset.id,
        name=asset.name,
        language=asset.language,
        media_name=asset.media_name,
        duration_ms=asset.duration_ms,
        format=asset.format,
        created_at=asset.created_at,
    )


@router.get("/api/audio", response_model=AudioAssetList)
def list_assets(
    _user: Viewer, runtime: RuntimeDep, language: Annotated[str | None, Query(pattern=r"^[a-zA-Z-]{2,20}$")] = None
) -> AudioAssetList:
    """Every recorded asset; `media_name` is what a Message or prompt `audio` field holds."""
    with runtime.database.session() as session:
        return AudioAssetList(items=[public(a) for a in audio.list_assets(session, language=language)])


@router.post("/api/audio", status_code=201, response_model=AudioAssetOut, responses=problems(409))
async def upload_asset(
    user: Editor,
    runtime: RuntimeDep,
    file: Annotated[UploadFile, File(description="WAV, MP3, OGG or FLAC")],
    name: Annotated[str, Form(min_length=1, max_length=200, pattern=r"^[^\x00]*$")],
    language: Annotated[str, Form(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = "en",
    idempotency_key: IdempotencyKeyHeader = None,
) -> AudioAssetOut | JSONResponse:
    """Check the upload is real audio within limits, convert it to every telephony format, catalog it (422 if not).

    Send an `Idempotency-Key` to retry an upload safely (a CRM that timed out while a long recording converted):
    the same file (its bytes; not its file name), `name` and `language` sent again with the key answers the asset
    the first upload made, and stores no other; the same key with another file, name or language is refused
    (409), as are the callbacks' keys, whose rules these are."""
    return await anyio.to_thread.run_sync(lambda: _store(runtime, user, file, name, language, idempotency_key))


UPLOAD: Final = "POST /api/audio"  # the endpoint an Idempotency-Key names


def _store(
    runtime: Runtime, user: Principal, file: UploadFile, name: str, language: str, key: str | None
) -> AudioAssetOut | JSONResponse:
    media = runtime.speech().media
    request = ""
    with tempfile.TemporaryDirectory() as folder:
        # The client's file name is never used for a path; the upload is copied at most LIMITS.max_bytes + 1.
        upload = pathlib.Path(folder) / "upload"
        content = hashlib.sha256()
        with upload.open("wb") as target:
            shutil.copyfileobj(_Hashed(_capped(file, LIMITS.max_bytes + 1), content), target)
        if key is not None:
            upload_is = {"file_sha256": content.hexdigest(), "name": name, "language": language}
            request = callbacks.request_hash(UPLOAD, upload_is)
            # A retry of an upload that went through is answered now, not after converting the file again.
            earlier = _answered_before(runtime, user, key, request)
            if earlier is not None:
                return replayed(earlier)
        stored = store_asset(upload, media, LIMITS)
    try:
        with runtime.database.session() as session:
            claimed: IdempotencyKey | None = None
            if key is not None:
                claim = callbacks.claim_key(session, user_id=user.user_id, key=key, endpoint=UPLOAD, request=request,
                                            now=utcnow())  # fmt: skip
                if isinstance(claim, callbacks.Replay):  # the same upload went through while this one converted
                    delete_asset(media, stored.asset_id)
                    return replayed(claim)
                claimed = claim
            asset = audio.create_asset(
                session,
                asset_id=stored.asset_id,
                name=name,
                language=language,
                media_name=stored.media_name,
                duration_ms=round(stored.seconds * 1000),
                format=stored.container,
            )
            answer = public(asset)
            if claimed is not None:
                callbacks.settle_key(session, claimed, status_code=201, body=answer.model_dump(mode="json"))
            return answer
    except Exception:
        delete_asset(media, stored.asset_id)  # catalogued nowhere (a reused key, the database away): no file kept
        raise


def _answered_before(runtime: Runtime, user: Principal, key: str, request: str) -> callbacks.Replay | None:
    """What an upload with `key` answered already, if one did; `KeyReused` (409) for a key sent with another upload.
    The key is claimed as `_store` claims it, in a transaction rolled back: the claim is made with the asset."""
    with runtime.database.sessions() as session:
        try:
            found = callbacks.claim_key(session, user_id=user.user_id, key=key, endpoint=UPLOAD, request=request,
                                        now=utcnow())  # fmt: skip
        finally:
            session.rollback()
    return found if isinstance(found, callbacks.Replay) else None


class _Hashed:
    """A reader that adds what is read to `digest`: the upload is hashed as it is copied, not read twice."""

    def __init__(self, source: _capped, digest: hashlib._Hash) -> None:
        self._source, self._digest = source, digest

    def read(self, size: int = -1) -> bytes:
        chunk = self._source.read(size)
        self._digest.update(chunk)
        return chunk


class _capped:
    """A file-like reader that stops after `limit` bytes, so a huge upload never fills the disk."""

    def __init__(self, upload: UploadFile, limit: int) -> None:
        self._file, self._left = upload.file, limit

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        chunk = self._file.read(self._left if size < 0 else min(size, self._left))
        self._left -= len(chunk)
        return chunk


@router.get("/api/audio/{asset_id}/file", response_class=FileResponse, responses={**WAV, **problems(404)})
def asset_file(asset_id: AssetId, _user: Viewer, runtime: RuntimeDep) -> Response:
    """The asset as WAV, for listening in the browser. A catalogued asset whose file is not in the media root (a
    database restored without the media root's `assets/`) is a 404 `recording-file-missing`, with `asset_id` and
    `media_name`: calls playing it hear nothing until the file is put back (docs/operations.md, "Backups")."""
    with runtime.database.session() as session:
        asset = audio.get_asset(session, asset_id=asset_id)
    media = runtime.speech().media
    wav = asset_wav(media, asset.id)
    if not wav.is_file():
        # Checked here: FileResponse finds out only once the answer is under way, and that was a 500 and a traceback.
        log.warning("recording %s (%r) is catalogued but its file %s is missing from the media root %s",
                    asset.id, asset.name, wav.name, media.root)  # fmt: skip
        detail = (f"the recording {asset.name!r} ({asset.id}) is catalogued but its file is missing from the media "
                  "root: calls playing it hear nothing until it is put back (restore the media root's assets/ from "
                  "its backup, or import an export of a scenario that plays it)")  # fmt: skip
        return problem(404, "recording-file-missing", detail, asset_id=asset.id, media_name=asset.media_name)
    return FileResponse(wav, media_type="audio/wav")


@router.delete("/api/audio/{asset_id}", status_code=204, responses=problems(404, 409))
def remove_asset(asset_id: AssetId, _user: Editor, runtime: RuntimeDep) -> Response:
    """Delete an asset; refused (409) while a scenario draft or published version plays it."""
    with runtime.database.session() as session:
        asset = audio.delete_asset(session, asset_id=asset_id)
        asset_id = asset.id
    delete_asset(runtime.speech().media, asset_id)
    return Response(status_code=204)


@router.post("/api/tts/preview", response_class=FileResponse, responses={**WAV, **problems(422, 429, 502)})
async def tts_preview(body: TtsPreviewIn, user: Viewer, runtime: RuntimeDep) -> Response:
    """Speak a phrase with the engine and voice a call would use, as WAV. `text` is a template, rendered first as a
    call renders it, with `variables` (422 `missing-variables` or `template-failed` when it cannot be; plain text
    is spoken as it is). Previews have a small cache of their own: asking for many never pushes out the phrases
    calls play. At most 30 a minute per user (429 after)."""
    # Counted before the template is rendered, which is work too; rendered on a worker thread, as speaking is not:
    # a template takes up to the sandbox's work budget (graph_engine.templates), and this loop serves every other
    # request and, under `ivrgraph serve`, every live call. Speaking stays here: the TTS service's slots are its.
    runtime.preview_limit.take(user.username)
    phrase = await anyio.to_thread.run_sync(_rendered, body)
    if not isinstance(phrase, Rendered):
        return phrase
    speech = runtime.preview_speech()
    media_name = await speech.render(phrase.text, language=body.language, voice=body.voice, engine=body.engine)
    return FileResponse(speech.path(media_name, PREVIEW_FORMAT), media_type="audio/wav")


@router.post("/api/tts/preview/text", response_model=TtsPreviewText, responses=problems(422, 429))
def tts_preview_text(body: TtsPreviewIn, user: Viewer, runtime: RuntimeDep) -> Response | TtsPreviewText:
    """What POST /api/tts/preview would speak for the same request, as text, without speaking it: the designer
    shows it under the Listen button. The same 422 answers when the template cannot be rendered. At most 30 a
    minute per user, besides the spoken previews' 30 (429 after)."""
    # A budget of its own: the designer asks for the text before each spoken preview, which would halve those.
    runtime.preview_limit.take(f"{user.username}{_TEXT_PREVIEWS}")
    phrase = _rendered(body)  # a sync route: rendered on a worker thread
    return TtsPreviewText(text=phrase.text) if isinstance(phrase, Rendered) else phrase


def _rendered(body: TtsPreviewIn) -> Rendered | JSONResponse:
    """The phrase the preview speaks, or the problem answer saying why there is none."""
    phrase = preview_phrase(body.text, language=body.language, variables=body.variables)
    if isinstance(phrase, MissingVariables):
        names = ", ".join(phrase.names)
        detail = f"no value for {names}: set a default or a test value to hear this text"
        return problem(422, "missing-variables", detail, missing_variables=list(phrase.names))
    if isinstance(phrase, TemplateFailed):
        return problem(422, "template-failed", phrase.message, code=phrase.code)
    return phrase
