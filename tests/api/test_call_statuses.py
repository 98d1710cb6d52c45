"""The call register's statuses as the API takes them in a filter: every one persistence derives."""

from __future__ import annotations

from typing import get_args

from api.schemas import CallStatus
from persistence.calls import STATUSES


def test_every_status_the_register_derives_can_be_filtered_by() -> None:
    """A status missing here is refused with 422 by `?status=` (review: `abandoned_waiting`, callers who hung up
    waiting for an operator, must be counted apart from those who left the menu)."""
    assert get_args(CallStatus) == STATUSES
    assert "abandoned_waiting" in STATUSES
