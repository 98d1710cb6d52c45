"""A campaign paused and resumed: while `campaigns.paused_at` is set, no node's dialer claims its clients.

A supervisor pauses a campaign for a complaint, a change in its script or the PBX's maintenance, and carries on
after. The pause is a column of the campaign, read by every claim's query (`not_paused`, in persistence.callbacks
`claim_due_jobs`): several FastAGI nodes sharing one PostgreSQL database see it at their next claim, none keeps it in
memory. A claim that read the campaign just before the pause committed dials what it took; so do calls ringing
then: each ends as usual (a retry is due later, and waits for the resume like the other clients).

Nothing else of the campaign stops: a client whose window ends during the pause moves to its next opening, or
expires, as it would (`_move_closed_windows`); a call of the campaign may still promise a callback, which waits.
A stopped campaign (`campaign_stop.cancel`) is over for good: it is neither paused nor resumed (`CampaignStopped`).

Both are idempotent and safe against each other: one UPDATE guarded by what it changes, so two supervisors
pausing at once leave the first one's time and name, and say which of them paused it (`True`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, exists, update
from sqlalchemy.orm import Session

from persistence.errors import CampaignStopped, NotFound
from persistence.models import CallbackJob, CallCampaign, utcnow


def not_paused() -> ColumnElement[bool]:
    """A job of no campaign, or of one not paused: what a claim may take. NOT EXISTS, not NOT IN: a single
    callback's NULL campaign would make NOT IN unknown, and the job never claimed."""
    return ~exists().where(CallCampaign.id == CallbackJob.campaign_id, CallCampaign.paused_at.is_not(None))


def pause(session: Session, *, campaign_id: str, by: str, now: datetime | None = None) -> bool:
    """Hold the campaign: no client of it is claimed until `resume`. True if this call paused it; False if it was
    paused already (its first pause's time and name stay). `NotFound`, or `CampaignStopped` for a stopped one."""
    paused = session.execute(
        update(CallCampaign)
        .where(CallCampaign.id == campaign_id, CallCampaign.paused_at.is_(None), CallCampaign.cancelled_at.is_(None))
        .values(paused_at=now or utcnow(), paused_by=by)
    )
    if paused.rowcount:  # type: ignore[attr-defined]
        return True
    _refuse_if_stopped(session, campaign_id, action="pause")
    return False


def resume(session: Session, *, campaign_id: str) -> bool:
    """Let the dialer claim the campaign's clients again, those due during the pause first (the list's order).
    True if this call resumed it; False if it was not paused. `NotFound`, or `CampaignStopped` for a stopped one."""
    resumed = session.execute(
        update(CallCampaign)
        .where(CallCampaign.id == campaign_id, CallCampaign.paused_at.is_not(None), CallCampaign.cancelled_at.is_(None))
        .values(paused_at=None, paused_by=None)
    )
    if resumed.rowcount:  # type: ignore[attr-defined]
        return True
    _refuse_if_stopped(session, campaign_id, action="resume")
    return False


def _refuse_if_stopped(session: Session, campaign_id: str, *, action: str) -> None:
    """Why an UPDATE changed nothing: no such campaign, a stopped one, or (returning) one already as asked."""
    campaign = session.get(CallCampaign, campaign_id, populate_existing=True)
    if campaign is None:
        raise NotFound("campaign", campaign_id)
    if campaign.cancelled_at is not None:
        raise CampaignStopped(campaign_id, action=action)
