"""Scenarios: drafts (saved under a revision number), validation, publishing, versions, diff, simulation."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any, cast

import anyio
from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from api.deps import Editor, Publisher, Runtime, RuntimeDep, Viewer
from api.errors import NotAllowed
from api.recording_problems import recording_problems
from api.recording_restore import RestoredRecording
from api.routes import AUTHED, problems
from api.scenario_transfer import export_bundle, exported_document, import_bundle, import_document
from api.schemas import (
    DiffOut,
    Draft,
    DraftReset,
    DraftSaved,
    DraftUpdate,
    ImportedRecording,
    Issue,
    PublishIn,
    PublishOut,
    ResultName,
    RollbackIn,
    ScenarioCreate,
    ScenarioDetail,
    ScenarioDuplicate,
    ScenarioImport,
    ScenarioImported,
    ScenarioList,
    ScenarioName,
    ScenarioRename,
    ScenarioSummary,
    SimulateIn,
    SimulateOut,
    TestOutcome,
    ValidateIn,
    ValidateOut,
    ValidationSummary,
    VersionDetail,
    VersionSummary,
)
from graph_engine.diff import diff_documents
from graph_engine.document import structure_problems
from graph_engine.errors import DocumentError, EngineError
from graph_engine.registry import BlockRegistry
from graph_engine.scenario_test_failures import FailureCode
from graph_engine.scenario_test_reach import ForcedExit, ForcedExits, forced_exits, reach_of, unknown_sources
from graph_engine.services import BLOCK_ROWS_PREFIX
from graph_engine.simulation import SimulationInput, SimulationResult, simulate
from graph_engine.studio_flow_issue import studio_flow_problem
from graph_engine.studio_import import convert_studio_flow, is_studio_flow, studio_slugs
from graph_engine.upgrade import upgrade_document
from persistence import audit, callbacks, scenarios
from persistence.errors import PublishBlocked, Refused, RequestRefused, SlugTaken, StaleRevision
from persistence.goto_reach import published_reached
from persistence.models import Scenario, ScenarioVersion
from persistence.publishing import (
    DraftReplaced,
    PlayedAsset,
    PublishOutcome,
    document_problems,
    publish,
    require_change,
    reset_draft_to_version,
)
from persistence.result_labels import result_labels
from persistence.scenario_transfer import Imported
from persistence.scenarios import SLUG_PATTERN
from persistence.users import Principal, Role
from persistence.version_block_types import version_block_types
from voice.assets import ASSET_FOLDER
from voice.prerender import find_phrases, find_recordings, prerender

router = APIRouter(prefix="/api/scenarios", tags=["scenarios"], responses=AUTHED)
SlugPath = Annotated[str, Path(pattern=SLUG_PATTERN)]
VersionPath = Annotated[int, Path(ge=1, le=2**31 - 1)]


def detail(scenario: Scenario, registry: BlockRegistry) -> ScenarioDetail:
    """The scenario with its draft as the designer is to edit it: upgraded (`handed_out`)."""
    return ScenarioDetail(
        slug=scenario.slug,
        name=scenario.name,
        description=scenario.description,
        draft=Draft(
            document=handed_out(scenario.draft_document, registry),
            revision=scenario.draft_revision,
            updated_at=scenario.updated_at,
            updated_by=scenario.updated_by,
            scenario_created_at=scenario.created_at,
        ),
        latest_version=scenario.latest_version,
    )


def handed_out(draft: dict[str, Any], registry: BlockRegistry) -> dict[str, Any]:
    """A draft as the API hands it out to be edited: every node written for an older version of its block migrated
    and at the installed version (graph_engine.upgrade says why). The stored draft is not written here: it is
    upgraded when it is next saved, with what the designer sends back. A published version's document is not
    upgraded as it is read: it is what ran (stored upgraded: persistence.publishing.publish)."""
    upgraded: dict[str, Any] = upgrade_document(draft, registry)
    return upgraded


@contextmanager
def drafts_handed_out_upgraded(registry: BlockRegistry) -> Iterator[None]:
    """A 409 `stale-revision` carries the draft there is now, which the designer goes on editing in place of its
    own: upgraded, as every draft handed out is (a tab opened before a plugin upgrade may have saved old nodes)."""
    try:
        yield
    except StaleRevision as conflict:
        conflict.document = upgrade_document(conflict.document, registry)
        raise


def version_summary(version: ScenarioVersion) -> VersionSummary:
    return VersionSummary(
        number=version.number,
        message=version.message,
        created_at=version.created_at,
        created_by=version.created_by,
        rolled_back_to=version.rolled_back_to,
        # As stored (persistence.publishing.publish); the model checks the keys it types as it is built.
        validation_summary=cast(ValidationSummary, version.validation_summary),
    )


def version_detail(version: ScenarioVersion) -> VersionDetail:
    """A published version with its document, as it was published."""
    return VersionDetail(**version_summary(version).model_dump(), document=version.document)


def _problems(runtime: Runtime, document: Any, slug: str, user: Principal) -> list[Issue]:
    if studio := studio_flow_problem(document):  # what the file is and how to convert it, not schema errors
        return [Issue(**studio.as_dict())]
    with runtime.database.session() as session:
        # Whether a data source exists, and is read-only, is for those who write SQL blocks: a viewer validating
        # documents of their own must not learn the names of the sources (only admins list them).
        found = document_problems(session, document, runtime.registry, slug=slug, data_sources=user.may(Role.EDITOR))
        # Recordings publishing would refuse as missing (`audio_missing`), told while the draft is edited.
        missing = recording_problems(session, document, media=runtime.speech().media, registry=runtime.registry)
    return [Issue(**issue.as_dict()) for issue in found] + missing + _speech_problems(runtime, document)


def _speech_problems(runtime: Runtime, document: Any) -> list[Issue]:
    """Phrases no engine here can speak (an engine not installed, a language it lacks), found without speaking
    them: publishing renders every phrase and would refuse them, so the problems panel says so first."""
    nodes = document.get("nodes") if isinstance(document, dict) else None
    if not isinstance(nodes, list) or not all(isinstance(n, dict) and isinstance(n.get("id"), str) for n in nodes):
        return []  # the structure's own problems come first: the format's check has named them
    speech = runtime.speech()
    titles = {node["id"]: node for node in nodes}
    found = []
    for phrase in find_phrases(document):
        reason = speech.unspeakable(language=phrase.language, voice=phrase.voice, engine=phrase.engine)
        if reason is None:
            continue
        node = titles.get(phrase.node_id, {})
        name = runtime.registry.node_name(str(node.get("type")), node.get("label") or phrase.node_id)
        found.append(
            Issue(
                severity="error",
                code="tts_unsupported",
                message=f"{name}: {reason}; choose another language or voice for the scenario or this block",
                node=phrase.node_id,
                path=_config_path(document, phrase.node_id, phrase.path),
            )
        )
    return found


@router.get("", response_model=ScenarioList)
def list_scenarios(
    _user: Viewer,
    runtime: RuntimeDep,
    q: Annotated[str, Query(max_length=200, pattern=r"^[^\x00]*$")] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ScenarioList:
    """A page of scenarios, by slug, searched by slug, name and description. To name or offer every scenario,
    GET /api/scenarios/-/names lists them all, unpaged."""
    with runtime.database.session() as session:
        items, total = scenarios.list_scenarios(session, query=q, page=page, page_size=page_size)
        missing = live_missing_block_types(session, items, runtime.registry)
        return ScenarioList(
            items=[
                ScenarioSummary(
                    slug=s.slug,
                    name=s.name,
                    description=s.description,
                    draft_revision=s.draft_revision,
                    updated_at=s.updated_at,
                    updated_by=s.updated_by,
                    latest_version=s.latest_version,
                    missing_block_types=missing.get(s.id, []),
                )
                for s in items
            ],
            total=total,
        )


# Not /names: "names" is a slug a scenario may have, and GET /api/scenarios/names would be its detail. No slug is
# "-" (SLUG_PATTERN), so this path is never a scenario's, whatever the order of the routes.
@router.get("/-/names", response_model=list[ScenarioName])
def scenario_names(_user: Viewer, runtime: RuntimeDep) -> list[ScenarioName]:
    """Every scenario's slug, name and latest published version, by slug, unpaged and without documents: for the
    designer's pickers (the calls' and reports' scenario filters, the Go To Scenario block's suggestions) and to
    name a scenario where only its slug is stored. The paged list (GET /api/scenarios) stops at 200 a page.
    Each with the call results its published version declares (one query for all: only their `results` are read),
    which the register's answer filter offers in the words its list shows."""
    with runtime.database.session() as session:
        named = scenarios.scenario_names(session)
        declared = result_labels(session, scenarios=[s.slug for s in named if s.latest_version is not None])
        return [ScenarioName(slug=s.slug, name=s.name, latest_version=s.latest_version,
                             results=[ResultName(code=code, label=label)
                                      for code, label in declared.get(s.slug, {}).items()])
                for s in named]  # fmt: skip


def live_missing_block_types(
    session: Session, listed: list[scenarios.ListedScenario], registry: BlockRegistry
) -> dict[int, list[str]]:
    """For each listed scenario with a published version (by row id): the block types its live version uses that
    `registry` lacks. A plugin uninstalled under a live scenario was told nowhere but in its calls' traces (plugin
    author's review); the list says so beside the scenario. The types each version uses are kept once read
    (persistence.version_block_types): a list reads no documents but those of versions published since."""
    live = {scenario.id: scenario.live_version_id for scenario in listed if scenario.live_version_id is not None}
    if not live:
        return {}
    used = version_block_types(session).of(session, list(live.values()))
    return {
        scenario_id: sorted(t for t in used.get(version_id, ()) if t not in registry)
        for scenario_id, version_id in live.items()
    }


@router.post("", status_code=201, response_model=ScenarioDetail, responses=problems(409))
def create_scenario(body: ScenarioCreate, user: Editor, runtime: RuntimeDep) -> ScenarioDetail:
    """A new scenario: a blank one (one Start block) or the given document, as revision 1 of its draft."""
    with runtime.database.session() as session:
        created = scenarios.create_scenario(
            session, slug=body.slug, name=body.name, document=body.document, actor=user.username
        )
        return detail(created, runtime.registry)


REPLACED: dict[int | str, dict[str, Any]] = {
    200: {"model": ScenarioImported, "description": "The slug was taken: the document is now its draft"}
}


def imported_detail(
    outcome: Imported, registry: BlockRegistry, recordings: list[RestoredRecording]
) -> ScenarioImported:
    """What an import answers: the scenario as `detail` gives it, whether its draft was replaced, its recordings."""
    return ScenarioImported(
        **detail(outcome.scenario, registry).model_dump(),
        replaced_draft=outcome.replaced_draft,
        recordings=[ImportedRecording(id=r.asset_id, name=r.name, outcome=r.outcome) for r in recordings],
    )


def import_studio_flow(runtime: Runtime, document: dict[str, Any], body: ScenarioImport, *, actor: str) -> Imported:
    """A converted Studio flow sent without a slug, under the slug its name makes (the dialplan dials it: review,
    2026-12, the designer named it after the file and the moment), with -2, -3... only when that one is taken.
    With `replace_draft` the name's slug is the scenario whose draft it replaces."""
    *first, last = studio_slugs(str(document.get("name") or ""))
    for slug in first:
        try:
            return import_document(runtime, document, slug=slug, name=body.name,
                                   replace_draft=body.replace_draft, actor=actor)  # fmt: skip
        except SlugTaken:
            continue
    # Every one before taken: the last one's 409 says so, naming it.
    return import_document(runtime, document, slug=last, name=body.name, replace_draft=body.replace_draft, actor=actor)


@router.post("/import", status_code=201, response_model=ScenarioImported, responses={**REPLACED, **problems(409)})
def import_scenario(body: ScenarioImport, user: Editor, runtime: RuntimeDep, response: Response) -> ScenarioImported:
    """Create a scenario from an exported document (see GET /{slug}/export), under the slug the export names
    unless `slug` is sent. A taken slug is a 409 `already-exists` carrying `slug` and `name`: send
    `replace_draft` to make the document that scenario's draft instead (200; its published versions stay, the
    next publish makes it live), or another slug for a copy. A document exported before exports named their slug
    imports as before, under the `slug` sent. A Twilio Studio flow export (`states`, `initial_state`) is converted
    first: its draft's `meta.studio_import.report` names each state not converted or converted approximately, and
    one that cannot be read is a 422 saying it is a Studio export. Sent without a `slug`, it takes the slug of its
    name (`Acme support line`: `acme-support-line`), with -2, -3... only when that one is taken."""
    # A Twilio Studio export comes in converted: what to check is in its draft's `meta.studio_import.report`.
    if is_studio_flow(body.document) and body.slug is None:
        imported = import_studio_flow(runtime, convert_studio_flow(body.document)[0], body, actor=user.username)
    else:
        document = convert_studio_flow(body.document)[0] if is_studio_flow(body.document) else body.document
        imported = import_document(runtime, document, slug=body.slug, name=body.name,
                                   replace_draft=body.replace_draft, actor=user.username)  # fmt: skip
    response.status_code = 200 if imported.replaced_draft else 201
    return imported_detail(imported, runtime.registry, [])


@router.post(
    "/import/bundle", status_code=201, response_model=ScenarioImported, responses={**REPLACED, **problems(409)}
)
def import_scenario_bundle(
    user: Editor,
    runtime: RuntimeDep,
    response: Response,
    file: Annotated[UploadFile, File(description="A bundle from GET /{slug}/export?audio=true (a .zip)")],
    slug: Annotated[str | None, Form(pattern=SLUG_PATTERN, description="Default: the bundle's")] = None,
    name: Annotated[
        str | None,
        Form(min_length=1, max_length=200, pattern=r"^[^\x00]*$", description="For the list and the document"),
    ] = None,
    replace_draft: Annotated[bool, Form(description="As for POST /import")] = False,
) -> ScenarioImported:
    """Import a scenario with the recordings it plays, each under the id its prompts name: stored when this
    installation lacks it, kept when it holds the same audio, a 409 when it holds other audio. Slug, 409 and
    `replace_draft` as for POST /import. Every recording is checked as an upload is (422 `audio-refused`), and
    the zip's own limits (members, sizes, unpacked total) are a 422 `request-refused` naming the fault."""
    done = import_bundle(runtime, file.file, slug=slug, name=name, replace_draft=replace_draft, actor=user.username)
    response.status_code = 200 if done.imported.replaced_draft else 201
    return imported_detail(done.imported, runtime.registry, done.recordings)


@router.get("/{slug}", response_model=ScenarioDetail, responses=problems(404))
def get_scenario(slug: SlugPath, _user: Viewer, runtime: RuntimeDep) -> ScenarioDetail:
    with runtime.database.session() as session:
        return detail(scenarios.get_scenario(session, slug=slug), runtime.registry)


@router.patch("/{slug}", response_model=ScenarioDetail, responses=problems(404))
def rename_scenario(slug: SlugPath, body: ScenarioRename, _user: Editor, runtime: RuntimeDep) -> ScenarioDetail:
    """Rename a scenario (its slug, which Asterisk dials, never changes)."""
    with runtime.database.session() as session:
        return detail(scenarios.rename_scenario(session, slug=slug, name=body.name), runtime.registry)


@router.put("/{slug}/draft", response_model=DraftSaved, responses=problems(404, 409))
def save_draft(slug: SlugPath, body: DraftUpdate, user: Editor, runtime: RuntimeDep) -> DraftSaved:
    """Save the draft if `revision` (of the scenario created at `scenario_created_at`, when sent) is still current;
    else 409 `stale-revision` with `current_revision`, `scenario_created_at` and `document`, the draft there is now.

    A draft saves even when it does not validate yet, fields being typed included (an empty name, a language or a
    variable name half written): the problems come back, and they block publishing. Refused with 422 and the JSON
    path of every problem: a document that is not a scenario at all (not an object, nodes or edges that are not
    lists, a missing or mistyped required key, a block id that is not one; `invalid-document`), and text cut in
    the middle of a character, a lone UTF-16 surrogate (`invalid-request`, on every route that takes JSON).
    """
    with drafts_handed_out_upgraded(runtime.registry), runtime.database.session() as session:
        saved = scenarios.save_draft(
            session,
            slug=slug,
            revision=body.revision,
            document=body.document,
            actor=user.username,
            scenario_created_at=body.scenario_created_at,
        )
        revision, document = saved.draft_revision, saved.draft_document
    return DraftSaved(revision=revision, problems=_problems(runtime, document, slug, user))


@router.delete("/{slug}", status_code=204, responses=problems(404, 409))
def delete_scenario(slug: SlugPath, user: Publisher, runtime: RuntimeDep) -> Response:
    """Delete a scenario; refused (409) while another scenario or a pending callback needs it. It is gone from
    lists, reads, calls and publishing, and its slug is free for a new scenario; the versions it published are
    kept for the calls that ran them (`GET /api/calls/{call_id}/version`)."""
    with runtime.database.session() as session:
        scenarios.delete_scenario(session, slug=slug)
        audit.record_event(session, actor=user.username, action="delete", target=f"scenario:{slug}")
        with runtime.hub.in_commit_order():
            session.commit()
            runtime.hub.withdraw(slug)  # this process's call server stops offering it (others poll for it)
    return Response(status_code=204)


@router.post("/{slug}/duplicate", status_code=201, response_model=ScenarioDetail, responses=problems(404, 409))
def duplicate_scenario(slug: SlugPath, body: ScenarioDuplicate, user: Editor, runtime: RuntimeDep) -> ScenarioDetail:
    with runtime.database.session() as session:
        copy = scenarios.duplicate_scenario(session, slug=slug, new_slug=body.slug, name=body.name, actor=user.username)
        return detail(copy, runtime.registry)


ZIP: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}, "description": "OK"}
}


@router.get("/{slug}/export", response_model=dict[str, Any], responses={**ZIP, **problems(404)})
def export_scenario(
    slug: SlugPath,
    _user: Viewer,
    runtime: RuntimeDep,
    version: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="A published version; default the draft")
    ] = None,
    audio: Annotated[bool, Query(description="A zip with the recordings the scenario plays")] = False,
) -> Response:
    """The scenario document, as a file to download (import it with POST /api/scenarios/import): its slug and
    name in `meta.exported_from`, which an import reads back. With `audio`, a zip (`scenario.json`,
    `recordings.json`, `recordings/<id>.wav`) for POST /api/scenarios/import/bundle."""
    suffix = f"-v{version}" if version else ""
    if not audio:
        document = exported_document(runtime, slug=slug, version=version)
        return JSONResponse(document, headers={"Content-Disposition": f'attachment; filename="{slug}{suffix}.json"'})
    # A file, not memory: recordings may be many megabytes. Removed once sent, or at once if it was not made.
    bundle = tempfile.NamedTemporaryFile(suffix=".zip", delete=False)
    try:
        with bundle:
            export_bundle(runtime, slug=slug, version=version, target=bundle)
    except BaseException:
        os.unlink(bundle.name)
        raise
    return FileResponse(bundle.name, media_type="application/zip", filename=f"{slug}{suffix}.zip",
                        background=BackgroundTask(os.unlink, bundle.name))  # fmt: skip


@router.post("/{slug}/validate", response_model=ValidateOut, responses=problems(404))
def validate_scenario(slug: SlugPath, user: Viewer, runtime: RuntimeDep, body: ValidateIn | None = None) -> ValidateOut:
    """Every problem of the stored draft, or of the document sent (without saving it)."""
    document = body.document if body is not None else None
    if document is None:
        with runtime.database.session() as session:
            document = scenarios.get_scenario(session, slug=slug).draft_document
    return ValidateOut(problems=_problems(runtime, document, slug, user))


async def _prerender_or_refuse(runtime: Runtime, document: dict[str, Any]) -> None:
    """Speak every static phrase now, so no call waits for TTS; a phrase that cannot be spoken blocks the publish
    and names its block."""
    if structure_problems(document):
        # Not publishable as it is, e.g. a language still being typed ("e"): validation, next, blocks it naming
        # the field, where speaking first would blame every phrase for a language that is no language yet.
        return
    speech = runtime.speech()
    report = await prerender(document, speech, media=speech.media)
    if not report.ok:
        problems = [
            {
                "severity": "error",
                "code": "tts_failed",
                "message": failure.message,
                "node": failure.phrase.node_id,
                "path": _config_path(document, failure.phrase.node_id, failure.phrase.path),
            }
            for failure in report.failed
        ] + [
            {
                "severity": "error",
                "code": "audio_missing",
                "message": recording.message,
                "node": recording.node_id,
                "path": _config_path(document, recording.node_id, recording.path),
            }
            for recording in report.missing_audio
        ]
        raise PublishBlocked(problems=problems, tests=[])


def _config_path(document: dict[str, Any], node_id: str, inside: tuple[str | int, ...]) -> str:
    position = next((i for i, node in enumerate(document.get("nodes", [])) if node.get("id") == node_id), None)
    prefix = f"$.nodes[{position}].config" if position is not None else "$"
    return prefix + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in inside)


def _publish_out(outcome: PublishOutcome, reset: DraftReplaced | None = None) -> PublishOut:
    return PublishOut(
        version=version_summary(outcome.version),
        diff=outcome.diff.as_dict(),
        tests=[TestOutcome(**test) for test in outcome.tests],
        problems=[Issue(**problem) for problem in outcome.problems],
        draft_reset=DraftReset(
            revision=reset.revision, replaced_revision=reset.replaced_revision, replaced_kept=reset.replaced_kept
        )
        if reset
        else None,
    )


async def _publish(
    runtime: Runtime,
    *,
    slug: str,
    message: str,
    actor: str,
    document: dict[str, Any] | None,
    action: str,
    revision: int | None = None,
    scenario_created_at: datetime | None = None,
    despite_failing_tests: bool = False,
    rolled_back_to: int | None = None,
    reset_draft: bool = False,
) -> PublishOut:
    """Publish `document`, or the draft: the one at `revision` of the scenario created at `scenario_created_at`
    when the client named it (`PublishIn`), else the draft as it is now. `despite_failing_tests`: the
    publisher's explicit override of failing tests (persistence.publishing.publish). `rolled_back_to`: a
    rollback's, the version `document` is, stored with the new version; `reset_draft`: a rollback's, `document`
    made the draft too, in the same transaction (persistence.publishing.reset_draft_to_version)."""
    with runtime.database.session() as session:
        if document is None:
            # The draft as it is now is what gets checked and stored: a save while its phrases are being spoken
            # stays the draft, instead of being published unchecked. The draft the client named is checked now,
            # before speaking every phrase, and again as the version is stored (`publish`).
            draft = scenarios.require_draft(
                session, slug=slug, revision=revision, scenario_created_at=scenario_created_at
            )
            document = draft.draft_document
            # Whether or not the client named it: never this draft into a scenario deleted and created again meanwhile.
            scenario_created_at = draft.created_at
        # What is published is stored upgraded (persistence.publishing.publish says why): upgraded here already, so
        # that the phrases spoken and the check for a change are those of the document stored.
        document = upgrade_document(document, runtime.registry)
        require_change(session, slug=slug, document=document)  # before speaking every phrase for nothing
    await _prerender_or_refuse(runtime, document)
    recordings = [
        PlayedAsset(recording.name, recording.node_id, _config_path(document, recording.node_id, recording.path))
        for recording in find_recordings(document)
        if recording.name.startswith(f"{ASSET_FOLDER}/")
    ]

    def work() -> tuple[PublishOutcome, DraftReplaced | None]:
        # The data functions are synchronous; scenario tests are async: run both on a worker thread.
        with runtime.database.session() as session:
            published = asyncio.run(
                publish(
                    session,
                    slug=slug,
                    message=message,
                    actor=actor,
                    registry=runtime.registry,
                    document=document,
                    action=action,
                    refuse_unchanged=True,
                    recordings=recordings,
                    revision=revision,
                    scenario_created_at=scenario_created_at,
                    despite_failing_tests=despite_failing_tests,
                    rolled_back_to=rolled_back_to,
                )
            )
            reset = None
            if reset_draft:
                reset = reset_draft_to_version(
                    session, slug=slug, version=published.version, actor=actor, registry=runtime.registry
                )
            version = published.version
            with runtime.hub.in_commit_order():
                session.commit()
                # Tell this process's FastAGI server now; other nodes learn it from the version stamp.
                runtime.hub.announce(scenarios.Published(slug, version.number, version.document, version.id))
            return published, reset

    outcome, reset = await anyio.to_thread.run_sync(work)
    return _publish_out(outcome, reset)


@router.post("/{slug}/publish", response_model=PublishOut, responses=problems(404, 409))
async def publish_scenario(slug: SlugPath, body: PublishIn, user: Publisher, runtime: RuntimeDep) -> PublishOut:
    """Validate the draft, run its tests (`meta.tests`) and those of every published scenario that continues in it by
    Go To Scenario (directly or through others, with this draft in place of its published version; each test says
    the `scenario` it belongs to, null for this one's own), store it as the next immutable version.

    Blocked with 422 (`problems`, `tests`) when validation finds an error or a test fails: failing tests alone may
    be overridden with `despite_failing_tests`, which the audit log and the version's `validation_summary` record
    with each failing test (validation errors never are). Refused with 409
    (`nothing-to-publish`, with the `version`) when the draft is the latest version already, with 409
    (`published-meanwhile`) when another publish of the scenario landed while this one was being checked, and
    with 409 (`stale-revision`, as a save) when the draft has moved on from the `revision` sent.
    """
    with drafts_handed_out_upgraded(runtime.registry):
        return await _publish(runtime, slug=slug, message=body.message, actor=user.username, document=None,
                              action="publish", revision=body.revision,
                              scenario_created_at=body.scenario_created_at,
                              despite_failing_tests=body.despite_failing_tests)  # fmt: skip


@router.get("/{slug}/versions", response_model=list[VersionSummary], responses=problems(404))
def list_versions(slug: SlugPath, _user: Viewer, runtime: RuntimeDep) -> list[VersionSummary]:
    with runtime.database.session() as session:
        return [version_summary(v) for v in scenarios.list_versions(session, slug=slug)]


@router.get("/{slug}/versions/{number}", response_model=VersionDetail, responses=problems(404))
def get_version(slug: SlugPath, number: VersionPath, _user: Viewer, runtime: RuntimeDep) -> VersionDetail:
    """Version `number` of the scenario under `slug` now. The version a recorded call ran is read through the
    call (`GET /api/calls/{call_id}/version`): once a slug is deleted and created again, its numbers start over."""
    with runtime.database.session() as session:
        version = scenarios.get_version(session, slug=slug, number=number)
        return version_detail(version)


@router.post("/{slug}/versions/{number}/rollback", response_model=PublishOut, responses=problems(404, 409))
async def rollback(
    slug: SlugPath, number: VersionPath, user: Publisher, runtime: RuntimeDep, body: RollbackIn | None = None
) -> PublishOut:
    """Publish version `number`'s document again, as a new version (versions are never changed), checked as a
    publish is: blocked with 422 by validation errors or failing tests (its own, or those of a scenario that
    continues in it). During an incident the tests may fail because of another scenario: `despite_failing_tests`
    rolls back all the same, recorded as for a publish.

    `reset_draft` makes the rolled-back document the draft too (audited as `reset_draft`, with the draft replaced):
    the draft at `revision` (of the scenario created at `scenario_created_at`), each checked when sent, else 409
    `stale-revision` with nothing published. Without it the draft stays as it is, and the next publish ships it."""

    def old_document() -> dict[str, Any]:
        with runtime.database.session() as session:
            return scenarios.get_version(session, slug=slug, number=number).document

    document = await anyio.to_thread.run_sync(old_document)
    # Stored in English for the API clients that read it; `rolled_back_to` says it for a client to word it.
    message = (body.message if body else "") or f"rollback to version {number}"
    anyway = body is not None and body.despite_failing_tests
    reset = body is not None and body.reset_draft
    # The draft the client holds is checked only when it is to be replaced: a plain rollback names no draft.
    revision = body.revision if body is not None and reset else None
    created_at = body.scenario_created_at if body is not None and reset else None
    return await _publish(runtime, slug=slug, message=message, actor=user.username, document=document,
                          action="rollback", despite_failing_tests=anyway, rolled_back_to=number,
                          reset_draft=reset, revision=revision, scenario_created_at=created_at)  # fmt: skip


@router.get("/{slug}/diff", response_model=DiffOut, responses=problems(404))
def diff(
    slug: SlugPath,
    _user: Viewer,
    runtime: RuntimeDep,
    from_version: Annotated[int | None, Query(alias="from", ge=1, le=2**31 - 1)] = None,
    to_version: Annotated[int | None, Query(alias="to", ge=1, le=2**31 - 1)] = None,
) -> DiffOut:
    """What changed from version `from` (default: the latest) to version `to` (default: the draft)."""
    with runtime.database.session() as session:
        scenario = scenarios.get_scenario(session, slug=slug)
        base = from_version if from_version is not None else scenario.latest_version
        before = scenarios.get_version(session, slug=slug, number=base).document if base else None
        if to_version is None:
            after = handed_out(scenario.draft_document, runtime.registry)  # as it is edited, and would be published
        else:
            after = scenarios.get_version(session, slug=slug, number=to_version).document
    # Both sides as the installed blocks read them: a version published before a plugin upgrade is not "changed"
    # by the migration its nodes go through anyway (graph_engine.diff.diff_documents).
    changes = diff_documents(before, after, registry=runtime.registry)
    return DiffOut(from_version=base, to_version=to_version, diff=changes.as_dict())


class SentDocumentNeedsEditor(NotAllowed):
    """A viewer tests what the editors saved; a graph of their own making is an editor's to run (review: a viewer
    made the server send a real SMS through a test call of a document they wrote)."""

    def __init__(self) -> None:
        Exception.__init__(
            self,
            "a test call of a document sent with the request needs the editor role; "
            "send no `document` to test the stored draft",
        )


def refuse_unknown_rows(rows: dict[str, Any], document: dict[str, Any], scenarios: dict[str, dict[str, Any]]) -> None:
    """Rows for an SQL block (`#id`) the call cannot reach are refused (422), with the block likely meant, as a
    scenario test's are (review, 2026-12: `#lookupp` was ignored, and the block meant read its source's rows
    instead). A source's rows no block reads are not: the Test call panel keeps the rows typed for a source while
    the analyst disconnects and reconnects its blocks, and they mislead no block."""
    if not any(name.startswith(BLOCK_ROWS_PREFIX) for name in rows):
        return
    reach = reach_of(document, scenarios)
    refusals = [
        {"path": f"$.data_rows[{json.dumps(name, ensure_ascii=False)}]", "code": FailureCode.UNKNOWN_DATA_SOURCE.value,
         "message": text, "params": {"source": name}}
        for name in rows
        if name.startswith(BLOCK_ROWS_PREFIX)
        for text in unknown_sources({name: None}, reach)
    ]  # fmt: skip
    if refusals:
        raise RequestRefused(refusals)


def forced_in_test_call(
    body: SimulateIn, document: dict[str, Any], scenarios: dict[str, dict[str, Any]], registry: BlockRegistry
) -> ForcedExits:
    """The test call's `exits` and `set` as a scenario test's `exits` (`{"exit": ..., "set": {...}}`), checked as
    its are: each exit a test could not force is refused (422), naming `$.exits["id"]` in the test's words, and so
    are variables for a node whose exit is not forced (nothing would set them: the block runs as its test call
    does). Every refusal at once."""
    refusals = [
        {"path": f"$.set[{json.dumps(name, ensure_ascii=False)}]", "code": FailureCode.FORCED_EXIT_REFUSED.value,
         "message": f"set: node {name!r} takes no forced exit, so nothing sets these variables: force its exit in "
                    "`exits` too, or give them in the call's variables",
         "params": {"node": name}}
        for name in body.forced_variables
        if name not in body.exits
    ]  # fmt: skip
    if not body.exits:
        if refusals:
            raise RequestRefused(refusals)
        return {}
    reach = reach_of(document, scenarios)
    given = frozenset(body.variables)
    forced: dict[tuple[str | None, str], ForcedExit] = {}
    for name, exit_name in body.exits.items():
        sets = body.forced_variables.get(name)
        written: str | dict[str, Any] = exit_name if sets is None else {"exit": exit_name, "set": sets}
        # One node at a time: each refusal names its own node's path.
        found, problems = forced_exits({name: written}, reach, registry, given)
        forced.update(found)
        refusals += [
            {"path": f"$.exits[{json.dumps(name, ensure_ascii=False)}]",
             "code": FailureCode.FORCED_EXIT_REFUSED.value, "message": text, "params": {"node": name}}
            for text in problems
        ]  # fmt: skip
    if refusals:
        raise RequestRefused(sorted(refusals, key=lambda refusal: not refusal["path"].startswith("$.exits")))
    return forced


def _simulated(document: dict[str, Any], registry: BlockRegistry, inputs: SimulationInput) -> SimulationResult:
    """A test call, in an event loop of its own on a worker thread, as publishing runs scenario tests: its templates
    and expressions are anyone's (bounded by graph_engine.templates's work budget, but not free), and on the
    server's loop they held every other request and, under `ivrgraph serve`, every live call."""
    return asyncio.run(simulate(document, registry, inputs))


@router.post("/{slug}/simulate", response_model=SimulateOut, responses=problems(400, 404))
async def simulate_call(slug: SlugPath, body: SimulateIn, user: Viewer, runtime: RuntimeDep) -> SimulateOut:
    """A test call on the production engine: the draft (or `document`) with the given keys, caller, clock and rows.

    Rows for an SQL block (`#id`) the call cannot reach are a 422 naming each, with the block likely meant, as in
    a scenario test.

    A `document` other than the stored draft needs the editor role. Go To Scenario continues in the other
    scenarios' published versions. Plugin blocks run as in a test call (graph_engine.block.BlockType.simulate),
    unless `exits` forces the exit one takes, and `set` the variables it sets on it, as a scenario test does: what a
    test could not force is a 422 naming `$.exits["id"]` (forced_in_test_call).
    """

    def load() -> tuple[dict[str, Any], list[scenarios.Published], set[str]]:
        with runtime.database.session() as session:
            stored = scenarios.get_scenario(session, slug=slug).draft_document
            # The stored draft sent back as it is (a viewer's designer from before this check) is the draft.
            sent_another = body.document is not None and not scenarios.same_document(body.document, stored)
            if sent_another and not user.may(Role.EDITOR):
                raise SentDocumentNeedsEditor()
            document = body.document if body.document is not None else stored
            # Only the published scenarios the call can continue in, not every one (persistence.goto_reach).
            others = list(published_reached(session, [document]).values())
            live = scenarios.published_slugs(session)
        return document, others, live

    document, others, live = await anyio.to_thread.run_sync(load)
    reached = {found.slug: found.document for found in others}
    refuse_unknown_rows(body.data_rows, document, reached)
    forced = forced_in_test_call(body, document, reached, runtime.registry)
    inputs = SimulationInput(
        keys=list(body.keys),
        caller_id=body.caller_id,
        caller_name=body.caller_name,
        at=body.at,
        variables=dict(body.variables),
        data_rows={name: list(rows) for name, rows in body.data_rows.items()},
        transfers=list(body.transfers),
        # A jump back into this scenario continues in the draft called, as it will once published; into another, in
        # its live version.
        scenarios={**{found.slug: found.document for found in others}, slug: document},
        # A test call's Go To Scenario names the published version it continued in, as a real call's does; back into
        # the draft, none.
        scenario_versions={found.slug: found.number for found in others if found.slug != slug},
        # A Callback into a scenario not published takes its error exit in a live call, and so it does here.
        callback_targets=frozenset({slug, *live}),
        # A callback to an emergency number (a test caller ID of 112) is refused, in the live scheduler's words.
        refused_number=callbacks.refused_number,
        forced_exits={where: exit.exit for where, exit in forced.items()},
        forced_variables={where: dict(exit.sets) for where, exit in forced.items() if exit.sets},
    )
    try:
        simulation = await anyio.to_thread.run_sync(_simulated, document, runtime.registry, inputs)
    except DocumentError:
        raise
    except (EngineError, ValueError, TypeError) as error:
        raise Refused(f"the simulation could not run: {error}") from error
    data = simulation.as_dict()
    return SimulateOut(result=data["result"], story=data["story"], callbacks=data["callbacks"])
