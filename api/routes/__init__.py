"""One module per resource; each exposes `router`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path

from api.schemas import Problem


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for error answers (all application/problem+json, see api.errors)."""
    meaning = {
        400: "Refused",
        401: "Not signed in",
        403: "Role too low, or CSRF token missing",
        404: "Not found",
        409: "Conflict with the stored state",
        422: "Invalid request or document",
        429: "Too many requests: failed sign-ins from this address, or TTS previews (see Retry-After)",
        502: "A speech engine failed",
    }
    return {status: {"model": Problem, "description": meaning[status]} for status in statuses}


# Every authenticated endpoint may answer these.
AUTHED = problems(401, 403, 422)


# Database ids: bounded so an absurd number is a 422, not an integer overflow inside the database driver.
IdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]
