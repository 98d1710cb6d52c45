"""The `Idempotency-Key` header the API's creating endpoints take (POST /api/callbacks, /api/callbacks/batch,
/api/audio), and the answer a retry gets: what the first sending got, marked replayed. The keys themselves are
`persistence.callbacks`' (claim_key, settle_key)."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import Header
from fastapi.responses import JSONResponse

from persistence.callbacks import Replay

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",  # printable ASCII, no spaces: a ticket id, a UUID
        description="Any string of yours naming this request (e.g. the CRM ticket, a UUID), to send it again safely "
        "after a timeout: the same key from the same user within 24 hours answers what the first request answered "
        "(same status and body, with the header `Idempotent-Replayed: true`) and creates nothing. The same key with "
        "another request (another body or endpoint) is refused (409). Keys are each user's own. A request that "
        "failed keeps no key: its retry is tried afresh.",
    ),
]
REPLAYED_HEADER: Final = "Idempotent-Replayed"


def replayed(replay: Replay) -> JSONResponse:
    """The first sending's answer, for a retry with its key."""
    return JSONResponse(replay.body, status_code=replay.status_code, headers={REPLAYED_HEADER: "true"})
