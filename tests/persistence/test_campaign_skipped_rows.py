"""A campaign keeps the rows its list skipped as duplicates (migration 0028), for its report to account for every
row of the file, with their own number as typed and cells (migration 0033), gone with the campaign, cleared with
the person. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from persistence import call_lists, campaign_reports
from persistence.db import Database
from persistence.models import CallCampaign, CampaignSkippedRow
from persistence.privacy import erase
from persistence.retention import RetentionPolicy, maintenance_session, purge
from tests.persistence.kept_data import DAY, NOW

ROWS = [{"phone": "+34600111222"}, {"phone": "600111333"}, {"phone": "0034600111222"}, {"phone": "600 111 333"},
        {"phone": "600111333"}]  # fmt: skip


def _scheduled(database: Database, *, row_numbers: list[int] | None) -> str:
    campaign = call_lists.Campaign(due=NOW)
    planned = call_lists.plan_jobs(ROWS, number_column="phone", declared={}, campaign=campaign,
                                   row_numbers=row_numbers, duplicates=call_lists.SKIP_DUPLICATES)  # fmt: skip
    with database.session() as session:
        campaign_id, ids = call_lists.schedule(session, scenario="debt", jobs=planned, campaign=campaign,
                                               skipped=planned.skipped)  # fmt: skip
    assert len(ids) == 2
    return campaign_id


def test_the_rows_skipped_are_kept_with_the_row_called_instead(database: Database) -> None:
    by_row = _scheduled(database, row_numbers=[2, 3, 4, 5, 6])
    by_place = _scheduled(database, row_numbers=None)
    with database.session() as session:
        assert _pairs(campaign_reports.skipped_rows(session, campaign_id=by_row)) == [(4, 2), (5, 3), (6, 3)]
        assert _pairs(campaign_reports.skipped_rows(session, campaign_id=by_place)) == [(3, 1), (4, 2), (5, 2)]
        # Their clients are named in the same numbering: the file's rows, or the places among the rows sent.
        jobs = [job for chunk in campaign_reports.campaign_jobs(session, campaign_id=by_place) for job in chunk]
        assert [(job.campaign_row, job.list_row) for job in jobs] == [(1, 1), (2, 2)]


def _pairs(skipped: list[campaign_reports.SkippedRow]) -> list[tuple[int, int]]:
    return [(skip.row, skip.first) for skip in skipped]


def test_the_rows_skipped_keep_their_own_number_as_typed_and_cells_until_the_person_is_erased(
    database: Database,
) -> None:
    campaign_id = _scheduled(database, row_numbers=[2, 3, 4, 5, 6])
    with database.session() as session:
        skipped = campaign_reports.skipped_rows(session, campaign_id=campaign_id)
    assert [(skip.written, skip.cells) for skip in skipped] == [
        ("0034600111222", {"phone": "0034600111222"}),
        ("600 111 333", {"phone": "600 111 333"}),
        ("600111333", {"phone": "600111333"}),
    ]
    erase(database, number="+34 600 111 222", actor="dpo")
    with database.session() as session:
        skipped = campaign_reports.skipped_rows(session, campaign_id=campaign_id)
    # Still accounted for in the report, with nothing of the person erased; another client's kept.
    assert [(skip.row, skip.written, skip.cells) for skip in skipped] == [
        (4, None, None),
        (5, "600 111 333", {"phone": "600 111 333"}),
        (6, "600111333", {"phone": "600111333"}),
    ]


def test_the_rows_skipped_go_with_their_campaign(database: Database) -> None:
    gone = _scheduled(database, row_numbers=[2, 3, 4, 5, 6])
    kept = _scheduled(database, row_numbers=[2, 3, 4, 5, 6])
    with database.session() as session:  # the first one over, long ago: the purge takes it whole
        session.execute(update(CallCampaign).where(CallCampaign.id == gone).values(created_at=NOW - 200 * DAY))
        session.execute(
            update(call_lists.CallbackJob)
            .where(call_lists.CallbackJob.campaign_id == gone)
            .values(status="done", created_at=NOW - 200 * DAY, due=NOW - 200 * DAY)
        )
    with maintenance_session(database) as session:
        report = purge(session, now=NOW, policy=RetentionPolicy(campaigns=timedelta(days=90)))
    assert report.campaigns == 1
    with database.session() as session:
        counted = select(CampaignSkippedRow.campaign_id, func.count()).group_by(CampaignSkippedRow.campaign_id)
        assert {str(c): int(n) for c, n in session.execute(counted)} == {kept: 3}
