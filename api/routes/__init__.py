"""One module per resource; each exposes `router`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Annotated, Any

import fastapi.routing
from fastapi import Path
from starlette.routing import BaseRoute

from api.schemas import ConflictProblem, Problem, RefusalProblem

# Since FastAPI 0.137.2; before 0.137 an included router's routes were copied into the app's: nothing to expand.
_expand_included = getattr(fastapi.routing, "iter_route_contexts", None)


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
    # Typed where the problem has more to it: a 409's `type` and members, a refusal's `problems`.
    model = {400: RefusalProblem, 409: ConflictProblem, 422: RefusalProblem}
    return {status: {"model": model.get(status, Problem), "description": meaning[status]} for status in statuses}


# Every authenticated endpoint may answer these.
AUTHED = problems(401, 403, 422)


# Database ids: bounded so an absurd number is a 422, not an integer overflow inside the database driver.
IdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]


def every_route(routes: Iterable[BaseRoute]) -> Iterator[Any]:
    """Every route of an app, those of the routers it includes among them (FastAPI 0.137 keeps an included router
    as one entry of `app.routes`): each with the path, methods, `matches` and `dependant` it has in the app."""
    listed = list(routes)
    return iter(_expand_included(listed)) if _expand_included is not None else iter(listed)
