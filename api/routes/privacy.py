"""A data subject's rights (GDPR, 152-FZ) over a phone number: erasure, and access to everything kept of it.

Admins only: both reach every call, job and list row of the number, whoever made them. Each leaves an audit event
naming the subject by a keyed hash, never the number (persistence.privacy).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import Admin, RuntimeDep
from api.routes import AUTHED, problems
from api.routes.callbacks import public
from api.routes.calls import summary
from api.schemas import (
    AuditEventOut,
    CallbackAttemptOut,
    CallDetail,
    ErasureOut,
    ErasureRequest,
    ErasureVersionOut,
    SubjectAccessOut,
    SubjectCampaignRow,
    SubjectJob,
    SubjectMention,
    SubjectScenarioTests,
)
from persistence import calls, privacy

router = APIRouter(prefix="/api/privacy", tags=["privacy"], responses=AUTHED)

SubjectNumber = Annotated[
    str,
    Query(
        min_length=2,
        max_length=100,
        pattern=r"^[^\x00]*$",
        description="The subject's phone number as people write it (`+34 600 123 456`): every form the call register "
        "compares as that phone is looked for (`0034...`, and the national form with IVRGRAPH_DEFAULT_COUNTRY)",
    ),
]


@router.post("/erasure", response_model=ErasureOut, responses=problems(409))
def erase_subject(body: ErasureRequest, user: Admin, runtime: RuntimeDep) -> ErasureOut:
    """Erase everything kept of a phone number (a data subject's right to erasure): their calls (as the caller, as
    the number rung, and their callback jobs' calls), their callback jobs with their attempts and call lists' rows
    (a list that loses a client counts one fewer), the stored answers of retried requests that name it; the audit
    events that name it, and other clients' callback jobs and other calls whose variables or trace name it (a
    guarantor's phone), keep their place with the number replaced by the subject's keyed hash. The scenarios' drafts
    whose tests name it get a neutral test number in its place (`tests_in_drafts`); published versions are never
    changed, and those whose tests name it are listed (`tests_in_versions`). The flow statistics (counts by node and
    hour) stay. An `erasure` audit event names the subject by the hash, with the counts.

    `dry_run: true` counts what would go and changes nothing. 409 while a callback job of the number is being
    dialled: ask again once that call ends. On SQLite, the erased rows' bytes are overwritten in the file. Not
    reached: backups already taken, call records waiting in a node's spool for the database, the logs."""
    report = privacy.erase(runtime.database, number=body.number, actor=user.username, dry_run=body.dry_run)
    versions = [ErasureVersionOut(slug=each.slug, version=each.version) for each in report.tests_in_versions]
    return ErasureOut(subject=report.subject, dry_run=report.dry_run, tests_in_versions=versions, **report.counts())


@router.get("/subject", response_model=SubjectAccessOut)
def subject_access(number: SubjectNumber, user: Admin, runtime: RuntimeDep) -> SubjectAccessOut:
    """Everything kept of a phone number, for a data subject's access request: each call with its variables and
    trace, each callback job with its attempts, each call list's row, the audit events that name it, where other
    clients' jobs and other calls name it (ids and JSON paths, none of their data), and which scenarios' tests name
    it, drafts' and published versions' (slugs and JSON paths). A `subject_access` audit event notes who asked,
    naming the subject by its keyed hash. 422 for text that is no phone number."""
    with runtime.database.session() as session:
        found = privacy.subject_data(session, number=number)
        privacy.record_access(session, found, actor=user.username)
        outcomes = {record.id: outcome for record, outcome in calls.with_transfer_outcomes(session, found.calls)}
        return SubjectAccessOut(
            subject=found.subject.hash,
            forms=sorted(found.subject.forms),
            calls=[
                CallDetail(
                    **summary(record, outcomes.get(record.id)).model_dump(),
                    channel=record.channel,
                    error=record.error,
                    variables=record.variables,
                    trace=record.trace,
                )
                for record in found.calls
            ],
            callback_jobs=[
                SubjectJob(
                    **public(
                        job,
                        [
                            CallbackAttemptOut(at=attempt.at, outcome=attempt.outcome, call_id=attempt.call_id)
                            for attempt in found.attempts.get(job.id, [])
                        ],
                    ).model_dump(),
                    campaign_id=job.campaign_id,
                    created_at=job.created_at,
                )
                for job in found.jobs
            ],
            campaign_rows=[
                SubjectCampaignRow(
                    campaign_id=job.campaign_id,
                    campaign_name=found.campaigns[job.campaign_id].name if job.campaign_id in found.campaigns else "",
                    scenario=job.scenario,
                    job_id=job.id,
                    row=job.campaign_row,
                    list_row=job.list_row,
                    variables=job.variables,
                    status=job.status,
                )
                for job in found.jobs
                if job.campaign_id is not None and job.origin_call_id is None
            ],
            audit_events=[
                AuditEventOut(id=e.id, at=e.at, actor=e.actor, action=e.action, target=e.target, details=e.details)
                for e in found.audit_events
            ],
            idempotency_keys=found.idempotency_keys,
            mentioned_in_callback_jobs=[
                SubjectMention(id=key, paths=paths) for key, paths in found.mentioned_in_jobs.items()
            ],
            mentioned_in_calls=[SubjectMention(id=key, paths=paths) for key, paths in found.mentioned_in_calls.items()],
            scenario_tests=[
                SubjectScenarioTests(slug=each.slug, version=each.version, paths=list(each.paths))
                for each in found.scenario_tests
            ],
        )
