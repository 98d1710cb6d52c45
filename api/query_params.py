"""Query parameters: those several routes share (the bounds of a range of call start times), and the refusal of any
a route does not declare.

A parameter nobody reads used to be ignored: `GET /api/calls?satus=failed` listed every call, and the integrator
who misspelt the filter believed it had worked. `RefuseUnknownQuery`, a dependency of every API router, answers
such a request 422 instead (api.errors), naming each parameter the route does not take (the first ten), the ones it
does, and the nearest of those when the name is a near miss."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from datetime import datetime
from types import UnionType
from typing import Annotated, Any, Final, Literal, Union, get_args, get_origin

from fastapi import Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

from api.schemas import QueryMoment

UNKNOWN_QUERY_PARAMETER: Final = "unknown_query_parameter"
# A query string of thousands of made-up names gets this many problems, not an answer thousands of lists long.
MAX_NAMED: Final = 10
# How alike a name must be to one the route takes to be offered as meant (difflib's ratio): `satus` -> `status`
# (0.91), `state` -> `status` (0.73), but not `page` -> `page_size` (0.62).
NEAR_MISS: Final = 0.7

# -- the bounds of a range of call start times -------------------------------------------------------------------

# A time without an offset was read as UTC, even beside `tz=Europe/Madrid` (a supervisor's BI review): it is read
# on the clock `tz` names, as the people asking read theirs (api.routes.calls.read_on_clock).
READ_ON_CLOCK: Final = (
    "Without an offset (`2026-12-07T09:00:00`, or a date alone: its midnight) it is read on the clock `tz` names "
    "(UTC unless given). A local time a clock change skips or shows twice takes the offset before the change "
    "(fold=0): 02:30 in Europe/Madrid is 01:30 UTC on 29 March 2026, and 00:30 UTC on 25 October 2026. In a URL, "
    "an offset's + is written %2B."
)


def call_start_bound(bound: Literal["since", "until"], *, limit: str = "") -> Any:
    """The `Query` of `since` (inclusive) or `until` (exclusive) over when calls started, described alike wherever a
    route takes one; `limit`: what the route adds (a report's longest range). Whether the bound is required is the
    route's type: `Annotated[QueryMoment | None, call_start_bound("since")]` lets it out."""
    side = "at or after this" if bound == "since" else "before this"
    return Query(description=" ".join(filter(None, (f"Calls started {side} (ISO 8601).", limit, READ_ON_CLOCK))))


# Optional: an open range (the call register and its exports).
Since = Annotated[QueryMoment | None, call_start_bound("since")]
Until = Annotated[QueryMoment | None, call_start_bound("until")]


def refuse_backwards(start: datetime | None, end: datetime | None, until: QueryMoment | None) -> None:
    """A 422 naming `until` when the range it closes ends before it starts (`start`, `end`: both bounds read on the
    request's clock). Answered as a range with no calls, a swapped pair read as "no calls", in the register and its
    exports as in a path's statistics."""
    if start is not None and end is not None and start > end:
        problem = {
            "type": "value_error",
            "loc": ("query", "until"),
            "msg": "must not be before `since`",
            "input": until,
        }
        raise RequestValidationError([problem])


# -- undeclared parameters ----------------------------------------------------------------------------------------


class RefuseUnknownQuery:
    """A dependency refusing a request whose query string carries a parameter its route does not declare.

    What a route takes is read once from its dependant (its own parameters and its dependencies', by the names a
    client writes: aliases, and each field of a parameter model) and kept by route, so a request pays a set lookup
    per parameter it sends. It runs before the route's other dependencies, as a body that is not JSON is refused
    before anyone is asked who sends it: the request's shape is judged first, and a misspelt filter is a 422 also
    to a caller not signed in (what a route takes is in the public OpenAPI document anyway)."""

    def __init__(self) -> None:
        # By route object: routes compare by path and endpoint (unhashable), and live as long as the app.
        self._accepted: dict[int, tuple[object, frozenset[str]]] = {}

    async def __call__(self, request: Request) -> None:
        if not request.scope.get("query_string"):
            return
        route = request.scope.get("route")
        dependant = getattr(route, "dependant", None)
        if not isinstance(dependant, Dependant):
            return  # not a FastAPI route: nothing declares what it takes
        accepted = self.accepted(route, dependant)
        unknown = [name for name in request.query_params if name not in accepted]
        if unknown:
            raise RequestValidationError([_problem(name, request, accepted) for name in unknown[:MAX_NAMED]])

    def accepted(self, route: object, dependant: Dependant) -> frozenset[str]:
        """The query parameters `route` declares, read from `dependant` the first time it is asked."""
        cached = self._accepted.get(id(route))
        if cached is not None and cached[0] is route:
            return cached[1]
        names = frozenset(declared_query(dependant))
        self._accepted[id(route)] = (route, names)
        return names


def declared_query(dependant: Dependant) -> Iterator[str]:
    """The names of the query parameters `dependant` and its dependencies read, as a client writes them."""
    pending = [dependant]
    while pending:
        current = pending.pop()
        for field in current.query_params:
            model = _parameter_model(field.field_info.annotation)
            if model is None:
                yield field.alias
            else:  # a pydantic model of query parameters: each of its fields is one
                yield from (info.alias or name for name, info in model.model_fields.items())
        pending.extend(current.dependencies)


def _parameter_model(annotation: Any) -> type[BaseModel] | None:
    """The model of a parameter typed `Model` or `Model | None`; None for a plain value."""
    if get_origin(annotation) in (Union, UnionType):
        choices = [choice for choice in get_args(annotation) if choice is not type(None)]
        annotation = choices[0] if len(choices) == 1 else None
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _problem(name: str, request: Request, accepted: frozenset[str]) -> dict[str, Any]:
    """The item of a RequestValidationError api.errors answers as a problem: path `$.<name>`, the code, and as
    params the parameter, every one the route takes, and the one meant when `name` is a near miss."""
    taken = sorted(accepted)
    params: dict[str, Any] = {"parameter": name, "accepted": taken}
    nearest = difflib.get_close_matches(name.lower(), taken, n=1, cutoff=NEAR_MISS)
    takes = f"it takes {', '.join(taken)}" if taken else "it takes no query parameters"
    message = f"{request.method} {_route_path(request)} has no query parameter `{name}`: {takes}"
    if nearest:
        params["suggestion"] = nearest[0]
        message += f" (did you mean `{nearest[0]}`?)"
    return {"type": UNKNOWN_QUERY_PARAMETER, "loc": ("query", name), "msg": message, "ctx": params}


def _route_path(request: Request) -> str:
    path = getattr(request.scope.get("route"), "path_format", None)
    return path if isinstance(path, str) else request.url.path
