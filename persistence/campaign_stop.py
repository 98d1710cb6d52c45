"""A campaign stopped for good: its clients not yet dialled are never called (`cancel`). Holding a campaign and
carrying on with it is persistence.campaign_pause's.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.orm import Session

from persistence.campaign_reports import require_campaign
from persistence.models import CallbackJob, utcnow


def cancel(session: Session, *, campaign_id: str, now: datetime | None = None) -> int:
    """Stop a campaign: its clients not yet dialled are never called (status `cancelled`), nor are those its
    calls promised a callback (their jobs are the campaign's); a call ringing or in progress now goes on, and is
    not retried (`persistence.callbacks` cancels its client when it ends unanswered). A paused campaign is stopped
    too, and no longer paused. The number of jobs cancelled now; `NotFound` for no such campaign."""
    campaign = require_campaign(session, campaign_id=campaign_id)
    campaign.cancelled_at = campaign.cancelled_at or now or utcnow()
    campaign.paused_at = campaign.paused_by = None  # stopped for good: no longer held (the audit log says it was)
    stopped = session.execute(
        update(CallbackJob)
        .where(CallbackJob.campaign_id == campaign_id, CallbackJob.status == "pending")
        # The status says it was stopped; the outcome stays the last dial's (a retry waits after a busy): the
        # report's `outcome` column is how the dialing went (`callbacks._cancel` keeps it likewise).
        .values(status="cancelled", outcome=func.coalesce(CallbackJob.outcome, "cancelled"))
    )
    return int(stopped.rowcount or 0)  # type: ignore[attr-defined]
